"""docs/security.md §23: erasing a participant leaves every submitted return byte-identical and
every figure computed afresh unchanged (the numbers are kept, only identifiers and free
text go)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from participants.models import EqualityData
from peernet import privacy
from reporting import kpi
from reporting.models import ReturnVersion
from reporting.returns import canonical_json, compile_draft, submit_return, version_sha256
from tests.factories import make_business, make_eligible, make_member, make_participant

pytestmark = pytest.mark.django_db
MONTHS = [dt.date(2021, 5, 1), dt.date(2021, 6, 1), dt.date(2021, 7, 1)]
AFTER = dt.datetime(2021, 8, 2, 9, tzinfo=dt.UTC)


def _fresh(hub) -> dict[str, str]:
    return {
        f"{month:%Y-%m}": canonical_json(kpi.stored(kpi.compute_hub(hub, month)))
        for month in MONTHS
    }


def _bytes(version: ReturnVersion) -> bytes:
    """Everything stored of a version, as bytes."""
    return canonical_json(
        {
            "figures": version.figures,
            "breakdowns": version.breakdowns,
            "parts": version.parts,
            "narrative": version.narrative,
            "sha256": version.sha256,
            "submitted_at": version.submitted_at.isoformat(),
            "reason": version.reason,
        }
    ).encode()


def test_returns_and_fresh_figures_survive_erasure(rich):
    hub = rich.p.hub_a
    # A second participant of the same cohort, so the figures are more than one person.
    other = make_eligible(
        make_participant(hub, rich.p.programme, business=make_business(name="Other Ltd"))
    )
    make_member(rich.p.cohort_a, other)
    EqualityData.objects.create(participant=other, gender="male")
    versions = []
    for month in MONTHS:
        draft = compile_draft(hub.pk, month, now=AFTER)
        versions.append(submit_return(draft, rich.p.hub_a_admin, "Narrative", now=AFTER))
    figures = [v.figures for v in versions]
    # The returns count something (else the test proves nothing).
    assert any(value not in (0, "0", "0.00", None) for f in figures for value in f.values())
    stored = {v.pk: hashlib.sha256(_bytes(v)).hexdigest() for v in versions}
    fresh = _fresh(hub)

    privacy.erase_participant(rich.person, rich.p.coordinator, "Asked to be forgotten")
    rich.person.refresh_from_db()
    assert privacy.is_erased(rich.person)

    for version in ReturnVersion.objects.filter(pk__in=stored):
        assert hashlib.sha256(_bytes(version)).hexdigest() == stored[version.pk]
        assert version_sha256(version) == version.sha256
    assert _fresh(hub) == fresh
