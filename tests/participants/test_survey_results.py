"""Survey results: per session (for the facilitator), per cohort and hub (rates by kind,
satisfaction over time), distance travelled, equality in aggregate only (docs/security.md §7,
25), and the evaluator's list (S5). Every figure below is worked by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.models import Cohort
from participants import surveys
from participants.models import EqualityData, Participant
from peernet.privacy import evaluator_pseudonym
from sessions.models import Attendance, SessionStatus
from tests.factories import make_cohort_member, make_session, make_survey_response

pytestmark = pytest.mark.django_db


respond = make_survey_response


def member(personas, cohort=None, **overrides):
    person = make_cohort_member(cohort or personas.cohort_a, **overrides)
    return person


def delivered(cohort, when, present, absent=(), hours="3"):
    session = make_session(cohort, when, status=SessionStatus.DELIVERED, hours=Decimal(hours))
    for person in present:
        Attendance.objects.create(session=session, participant=person, present=True, hours=hours)
    for person in absent:
        Attendance.objects.create(session=session, participant=person, present=False, hours=0)
    return session


@pytest.fixture
def three(personas):
    """participant_a plus two more in cohort A."""
    return [personas.participant_a, member(personas), member(personas)]


# --- one session ---------------------------------------------------------------------------


def test_session_results_rate_mean_and_comments(client, personas, three):
    a, b, c = three
    session = delivered(personas.cohort_a, "2021-06-01T09:30", [a, b, c])
    respond(a, "session_feedback", dt.date(2021, 6, 2), {"overall_satisfaction": 4,
            "usefulness": 3, "one_change": "More time"}, session)  # fmt: skip
    respond(b, "session_feedback", dt.date(2021, 6, 2), {"overall_satisfaction": 5,
            "usefulness": 4, "comments": "Great <b>group</b>"}, session)  # fmt: skip
    results = surveys.session_survey_results(session)
    assert (results.present, results.responded, results.percent) == (3, 2, 67)  # 2/3
    assert results.satisfaction == Decimal("4.50")
    assert results.usefulness == Decimal("3.50")
    assert results.comments == ["Great <b>group</b>", "More time"]

    client.force_login(personas.facilitator)
    page = client.get(
        reverse("facilitation:session", kwargs={"hub": "hub-a", "code": session.code})
    ).content.decode()
    assert "2 of 3 present answered (67%)" in page
    assert "Mean satisfaction 4.50 out of 5" in page
    assert "More time" in page and "Great &lt;b&gt;group&lt;/b&gt;" in page  # escaped
    assert a.last_name not in page.split('id="feedback"')[1].split("</ul>")[0]


def test_no_feedback_yet_shows_no_mean(personas, three):
    session = delivered(personas.cohort_a, "2021-06-01T09:30", three[:1])
    results = surveys.session_survey_results(session)
    assert (results.responded, results.satisfaction, results.percent) == (0, None, 0)


# --- cohorts and hubs --------------------------------------------------------------------


def test_response_rates_by_kind(personas, three):
    """Cohort A: 3 members (baseline expected 3, 2 answered); two sessions with 3 and 2
    present (feedback expected 5, 3 answered); 18 hours in six sessions so the cohort has
    completed; c dropped out, so 2 completers (1 exit answered) and 1 drop-out (answered).
    Hub B's answers count nowhere here."""
    a, b, c = three
    c.dropped_out_on = dt.date(2021, 7, 1)
    c.dropout_reason = "Time"
    c.save()
    s1 = delivered(personas.cohort_a, "2021-06-01T09:30", [a, b, c])
    s2 = delivered(personas.cohort_a, "2021-06-15T09:30", [a, b], [c])
    for day in ("06-29", "07-13", "07-27", "08-10"):
        delivered(personas.cohort_a, f"2021-{day}T09:30", [a, b])
    respond(a, "baseline", dt.date(2021, 5, 25), {})
    respond(b, "baseline", dt.date(2021, 5, 25), {})
    respond(a, "session_feedback", dt.date(2021, 6, 2), {"overall_satisfaction": 3}, s1)
    respond(b, "session_feedback", dt.date(2021, 6, 2), {"overall_satisfaction": 4}, s1)
    respond(a, "session_feedback", dt.date(2021, 7, 16), {"overall_satisfaction": 5}, s2)
    respond(a, "exit", dt.date(2021, 8, 20), {})
    respond(c, "dropout", dt.date(2021, 7, 2), {"reason": "time"})
    respond(personas.participant_b, "baseline", dt.date(2021, 5, 25), {})

    rates = {r.kind: (r.expected, r.responded, r.percent) for r in surveys.response_rates(
        Cohort.objects.filter(hub=personas.hub_a))}  # fmt: skip
    # The 4 sessions after s2 have 2 present each: feedback expected 3 + 2 + 4 × 2 = 13.
    assert rates == {
        "baseline": (4, 2, 50),  # cohort A's 3 and cohort A2's participant_a2
        "session_feedback": (13, 3, 23),
        "exit": (2, 1, 50),
        "dropout": (1, 1, 100),
    }
    months = surveys.satisfaction_by_month(Cohort.objects.all())
    assert [(m.month, m.responses, m.satisfaction) for m in months] == [
        (dt.date(2021, 6, 1), 2, Decimal("3.50")),
        (dt.date(2021, 7, 1), 1, Decimal("5.00")),
    ]


def test_distance_travelled_compares_each_person_with_themselves(personas, three):
    """a: confidence 2 → 4, turnover £100,000 → £150,000.50; b: 3 → 4, turnover not
    answered at exit; c: exit only (no baseline), left out."""
    a, b, c = three
    respond(a, "baseline", dt.date(2021, 5, 25), {"business_confidence": 2,
            "turnover_now": "100000.00"})  # fmt: skip
    respond(b, "baseline", dt.date(2021, 5, 25), {"business_confidence": 3,
            "turnover_now": "80000.00"})  # fmt: skip
    respond(a, "exit", dt.date(2021, 9, 1), {"business_confidence": 4,
            "turnover_now": "150000.50"})  # fmt: skip
    respond(b, "exit", dt.date(2021, 9, 1), {"business_confidence": 4})
    respond(c, "exit", dt.date(2021, 9, 1), {"business_confidence": 1})

    hub_people = Participant.objects.filter(hub=personas.hub_a)
    rows = {r.key: r for r in surveys.distance_travelled(hub_people)}
    confidence = rows["business_confidence"]
    assert (confidence.pairs, confidence.baseline, confidence.exit) == (
        2,
        Decimal("2.50"),
        Decimal("4.00"),
    )
    assert confidence.change == Decimal("1.50")
    turnover = rows["turnover_now"]
    assert (turnover.pairs, turnover.baseline, turnover.exit) == (
        1,
        Decimal("100000.00"),
        Decimal("150000.50"),
    )
    assert rows["innovation"].pairs == 0 and rows["innovation"].change is None
    assert "business_plan" not in rows  # yes/no: not a number to subtract


def test_hub_and_cohort_pages(client, personas, three):
    a, b, _ = three
    session = delivered(personas.cohort_a, "2021-06-01T09:30", [a, b])
    respond(a, "session_feedback", dt.date(2021, 6, 2), {"overall_satisfaction": 4}, session)
    respond(b, "session_feedback", dt.date(2021, 6, 3), {"overall_satisfaction": 3}, session)
    client.force_login(personas.hub_a_admin)
    hub_page = client.get(reverse("hub:surveys", kwargs={"hub": "hub-a"})).content.decode()
    assert "June 2021" in hub_page and "3.50" in hub_page
    assert reverse(
        "hub:survey-cohort", kwargs={"hub": "hub-a", "code": personas.cohort_a.code}
    ) in (hub_page)
    cohort_page = client.get(
        reverse("hub:survey-cohort", kwargs={"hub": "hub-a", "code": personas.cohort_a.code})
    ).content.decode()
    assert "1 June 2021" in cohort_page and "3.50" in cohort_page
    # Another hub's cohort is a 404 even for a hub administrator.
    other = reverse("hub:survey-cohort", kwargs={"hub": "hub-a", "code": personas.cohort_b.code})
    assert client.get(other).status_code == 404


def test_hub_page_queries_do_not_grow_with_cohorts(client, personas, three):
    client.force_login(personas.hub_a_admin)
    url = reverse("hub:surveys", kwargs={"hub": "hub-a"})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(3):
        cohort = Cohort.objects.create(
            hub=personas.hub_a, programme=personas.programme, key=f"extra-{n}", name=f"Extra {n}"
        )
        person = member(personas, cohort)
        session = delivered(cohort, "2021-06-01T09:30", [person])
        respond(person, "session_feedback", dt.date(2021, 6, 2), {"overall_satisfaction": 5},
                session)  # fmt: skip
        respond(person, "baseline", dt.date(2021, 5, 25), {"business_confidence": 3})
        respond(person, "exit", dt.date(2021, 9, 1), {"business_confidence": 5})
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# --- equality: aggregated, small counts suppressed -------------------------------------------


def test_equality_is_shown_only_as_counts_with_small_ones_suppressed(client, personas):
    for _ in range(5):
        EqualityData.objects.create(participant=member(personas), gender="male")
    for _ in range(3):
        EqualityData.objects.create(participant=member(personas), gender="female")
    EqualityData.objects.create(participant=member(personas), gender="", disability="yes")
    # Another hub's answers are not this hub's.
    EqualityData.objects.create(participant=personas.participant_b, gender="non-binary")
    summary = {(r.question, r.answer): r.shown for r in surveys.equality_summary(personas.hub_a)}
    assert summary == {
        ("Sex or gender", "Female"): "suppressed",
        ("Sex or gender", "Male"): "5",
        ("Disability or long-term health condition", "Yes"): "suppressed",
    }
    client.force_login(personas.hub_a_admin)
    page = client.get(reverse("hub:surveys", kwargs={"hub": "hub-a"})).content.decode()
    assert "suppressed" in page and "Non-binary" not in page


# --- S5: the evaluator's list ------------------------------------------------------------


def test_evaluator_list_completers_due_dates_and_consent(client, personas, three):
    """Six sessions of 3 hours, the last on Tuesday 31 August 2021: the cohort completes
    that day, and the six-month survey is due on 28 February 2022 (no 31st)."""
    a, b, c = three
    a.first_name = "=HYPERLINK(1)"
    a.save()
    c.dropped_out_on = dt.date(2021, 7, 1)
    c.dropout_reason = "Time"
    c.save()
    days = ["06-01", "06-15", "06-29", "07-13", "07-27"]
    for day in days:
        delivered(personas.cohort_a, f"2021-{day}T09:30", [a, b])
    assert surveys.evaluator_list(Cohort.objects.all()) == []  # 15 hours
    delivered(personas.cohort_a, "2021-08-31T23:30", [a, b])  # 22:30 UTC, 31 August
    respond(a, "baseline", dt.date(2021, 5, 25), {"evaluator_consent": False})
    respond(a, "exit", dt.date(2021, 9, 5), {"evaluator_consent": True})
    respond(b, "baseline", dt.date(2021, 5, 25), {"evaluator_consent": False})

    rows = surveys.evaluator_list(Cohort.objects.filter(hub=personas.hub_a))
    assert [(r.participant, r.completed, r.six_month_due, r.consent) for r in rows] == sorted(
        [
            (a, dt.date(2021, 8, 31), dt.date(2022, 2, 28), True),  # exit answer wins
            (b, dt.date(2021, 8, 31), dt.date(2022, 2, 28), False),
        ],
        key=lambda row: row[0].last_name,
    )
    assert rows[0].pseudonym.startswith("P-") and a.last_name not in rows[0].pseudonym
    assert surveys.add_months(dt.date(2021, 10, 31), 6) == dt.date(2022, 4, 30)
    assert surveys.add_months(dt.date(2021, 9, 15), 6) == dt.date(2022, 3, 15)

    client.force_login(personas.hub_a_admin)
    page = client.get(reverse("hub:survey-evaluator-list", kwargs={"hub": "hub-a"}))
    text = page.content.decode()
    assert "28 February 2022" in text and "Consented" in text and "Did not consent" in text
    assert c.last_name not in text  # dropped out: S4, not S5
    download = client.get(reverse("hub:survey-evaluator-list-csv", kwargs={"hub": "hub-a"}))
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.startswith(b"\xef\xbb\xbf")  # UTF-8 for Excel
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert table[0] == [
        "pseudonym", "first_name", "last_name", "email", "cohort", "completed",
        "six_month_due", "consent",
    ]  # fmt: skip
    by_pseudonym = {row[0]: row for row in table[1:]}
    assert set(by_pseudonym) == {evaluator_pseudonym(a.code), evaluator_pseudonym(b.code)}
    consented = by_pseudonym[evaluator_pseudonym(a.code)]
    assert consented[1] == "'=HYPERLINK(1)"  # docs/security.md §17
    assert consented[2:4] == [a.last_name, a.email]
    assert consented[5:] == ["2021-08-31", "2022-02-28", "yes"]
    # G3: b did not consent: no name or email leaves in the file, only the pseudonym.
    refused = by_pseudonym[evaluator_pseudonym(b.code)]
    assert refused[1:4] == ["", "", ""] and refused[7] == "no"
    assert b.email not in download.content.decode() and b.last_name not in download.content.decode()

    # The evaluator's baseline export joins the completers list on the one pseudonym.
    from openpyxl import load_workbook

    from reporting import exports

    export = exports.export_request(user=personas.evaluator, kind="baseline-xlsx", params={})
    exports.export_run(export.pk)
    export.refresh_from_db()
    sheet = load_workbook(io.BytesIO(bytes(export.content)))["Baseline"]
    baseline = list(sheet.iter_rows(values_only=True))
    assert baseline[0][0] == table[0][0] == "pseudonym"
    joined = {row[0] for row in baseline[1:]} & set(by_pseudonym)
    assert joined == {evaluator_pseudonym(a.code), evaluator_pseudonym(b.code)}


def test_completion_day_is_the_london_day(personas, three):
    """A session starting 23:30 on 31 August (BST) is 22:30 UTC: still 31 August."""
    for day in ("06-01", "06-15", "06-29", "07-13", "07-27"):
        delivered(personas.cohort_a, f"2021-{day}T09:30", three)
    delivered(personas.cohort_a, "2021-08-31T23:30", three, hours="2.99")
    assert surveys.cohort_completed_on(personas.cohort_a) is None  # 17.99 of 18 hours
    delivered(personas.cohort_a, "2021-09-01T00:30", three, hours="0.01")
    assert surveys.cohort_completed_on(personas.cohort_a) == dt.date(2021, 9, 1)
