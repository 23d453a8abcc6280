"""The database itself refuses to change or delete a submitted return version
(docs/security.md §26), and says why in words that name the repository's own docs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reporting.models import MonthlyReturn, ReturnVersion


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE reporting_returnversion SET narrative = 'Rewritten.' WHERE id = %s",
        "DELETE FROM reporting_returnversion WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_in_the_repository_s_words(personas, statement):
    monthly_return = MonthlyReturn.objects.create(hub=personas.hub_a, month=dt.date(2021, 10, 1))
    version = ReturnVersion.objects.create(
        monthly_return=monthly_return,
        version=1,
        figures={},
        breakdowns={},
        sha256="0" * 64,
        submitted_at=timezone.now(),
        submitted_by=personas.hub_a_admin,
    )
    with (
        pytest.raises(IntegrityError, match=r"never changes \(docs/security\.md §26\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [version.pk])
    assert ReturnVersion.objects.filter(pk=version.pk).exists()
