"""Issue 10 (1): `manage.py seed_scale --participants N` builds the programme's shape,
deterministically, within the database's constraints, and only on an empty database."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min, Sum

from cohorts.models import Cohort, CohortMembership
from demo.scale import returns as scale_returns
from demo.scale.checksum import checksum
from demo.scale.shape import YEAR_END, YEAR_START
from participants.models import EligibilityStatus, Participant, SurveyKind, SurveyResponse
from peernet.models import Cluster, Hub, Role, RoleAssignment, User
from sessions.models import Attendance, GroupSession, OneToOneRoute, OneToOneSession

pytestmark = pytest.mark.django_db

N = 200


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_scale", "--participants", str(N), *args, stdout=out)
    return out.getvalue()


def test_it_builds_the_programme_shape():
    printed = _seed()
    assert "Made a programme of 200 participants" in printed
    assert "Took " in printed

    assert Cluster.objects.count() == 9
    assert Hub.objects.count() == 38
    assert Participant.objects.count() == N
    # Every hub has registrations and an administrator; hubs differ in size.
    per_hub = Hub.objects.annotate(n=Count("participants")).aggregate(
        low=Min("n"), high=Max("n"), total=Sum("n")
    )
    assert per_hub["low"] >= 1 and per_hub["high"] > per_hub["low"]
    assert RoleAssignment.objects.filter(role=Role.HUB_ADMIN).values("hub").distinct().count() == 38
    assert (
        RoleAssignment.objects.filter(role__in=["coordinator", "funder", "evaluator"]).count() == 3
    )

    # K1: cohorts of up to 11; every eligible participant is in exactly one.
    sizes = Cohort.objects.annotate(n=Count("memberships")).values_list("n", flat=True)
    assert sizes and max(sizes) <= 11 and min(sizes) >= 1
    eligible = Participant.objects.filter(eligibility_status=EligibilityStatus.ELIGIBLE)
    assert CohortMembership.objects.count() == eligible.count()
    assert not Participant.objects.exclude(eligibility_status="eligible").filter(
        memberships__isnull=False
    )
    # One facilitator per cohort (the database allows no more).
    assert RoleAssignment.objects.filter(role=Role.FACILITATOR).count() == Cohort.objects.count()

    # K2, K3: six sessions of 3 hours, 18 hours, a fortnight apart (K4: within 21 days).
    per_cohort = Cohort.objects.annotate(n=Count("sessions"), hours=Sum("sessions__hours"))
    assert {(c.n, c.hours) for c in per_cohort} == {(6, Decimal("18.00"))}
    cohort = Cohort.objects.order_by("key").first()
    starts = list(cohort.sessions.order_by("starts_at").values_list("starts_at", flat=True))
    assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} == {14}

    # A year of months: registrations in most months, sessions in the window.
    months = {d.replace(day=1) for d in Participant.objects.values_list("registered", flat=True)}
    assert len(months) >= 8
    first, last = GroupSession.objects.aggregate(a=Min("starts_at"), b=Max("starts_at")).values()
    assert first.date() >= YEAR_START and last.date() <= YEAR_END

    # Attendance, one-to-ones by both routes, and all four programme surveys exist (the
    # evaluator's six-month follow-up is not seeded).
    assert Attendance.objects.filter(present=True).exists()
    assert Attendance.objects.filter(present=False).exists()
    assert Attendance.objects.filter(present=True, hours=Decimal("2.5")).exists()  # late
    routes = set(OneToOneSession.objects.values_list("route", flat=True))
    assert routes == {OneToOneRoute.PROGRAMME, OneToOneRoute.EXISTING}
    kinds = set(SurveyResponse.objects.values_list("kind", flat=True))
    assert kinds == set(SurveyKind.values) - {SurveyKind.FOLLOW_UP}
    assert Participant.objects.filter(dropped_out_on__isnull=False).exists()


def test_its_records_keep_the_programme_rules():
    _seed()
    # C1: the charter is signed before the participant joins a cohort.
    assert not CohortMembership.objects.filter(participant__charter_signed_at__isnull=True)
    for membership in CohortMembership.objects.select_related("participant"):
        assert membership.participant.charter_signed_at.date() <= membership.joined
        assert membership.participant.eligibility_decided < membership.joined
    # Attendance only for members, and none after a drop-out.
    for row in Attendance.objects.select_related("session", "participant"):
        dropped = row.participant.dropped_out_on
        assert dropped is None or row.session.starts_at.date() < dropped
    # Nobody has two sessions of one-to-one support at the same moment (the constraint),
    # and a programme session always names its provider (O1).
    assert not OneToOneSession.objects.filter(route="programme", provider__isnull=True)
    # E9: one eligible participant per business.
    assert (
        Participant.objects.filter(eligibility_status="eligible")
        .values("business")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )


def test_the_same_n_gives_the_same_data():
    _seed()
    first = checksum()
    users = User.objects.count()
    _seed("--flush")
    assert checksum() == first
    assert User.objects.count() == users
    # A different N is a different programme.
    call_command("seed_scale", "--participants", str(N + 1), "--flush", stdout=StringIO())
    assert checksum() != first


def test_it_refuses_a_database_that_is_not_empty():
    _seed()
    with pytest.raises(CommandError, match="use --flush"):
        _seed()
    assert Participant.objects.count() == N


def test_it_refuses_fewer_participants_than_hubs():
    with pytest.raises(CommandError, match="at least 38"):
        call_command("seed_scale", "--participants", "37", stdout=StringIO())
    assert not Hub.objects.exists()


def test_submitted_returns_are_the_computed_figures(monkeypatch):
    from reporting import kpi, returns
    from reporting.models import ReturnVersion

    # Two months of the twelve, to keep the test short: the code is the same for each.
    two = [dt.date(2021, 4, 1), dt.date(2021, 11, 1)]
    monkeypatch.setattr(scale_returns, "months", lambda: two)
    printed = _seed("--returns")
    made = ReturnVersion.objects.count()
    # One in twenty missing, fixed by the hub's and the month's position.
    assert made == sum(1 for i in range(38) for j in range(2) if (i * 7 + j * 3) % 20 != 0)
    assert made < 76
    assert re.search(rf"Return versions +{made:,}\n", printed)
    version = ReturnVersion.objects.select_related("monthly_return__hub").order_by("pk").last()
    hub, month = version.monthly_return.hub, version.monthly_return.month
    assert month == two[1]
    figures, breakdowns, _ = kpi.stored(kpi.compute_hub(hub, month))
    assert version.figures == figures
    assert version.breakdowns == breakdowns
    assert version.sha256 == returns.version_sha256(version)
    # Submitted on the 5th of the next month (on time) or the 9th (late), never early.
    assert version.submitted_at.date() in (dt.date(2021, 12, 5), dt.date(2021, 12, 9))
