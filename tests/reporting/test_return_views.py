"""The hub's return pages: the list, a return beside the previous month, recompiling,
submitting and resubmitting, versions, the difference between two, and the records
behind a figure; each with its query count, which does not grow with hubs or records."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from participants.models import Participant
from peernet.calendar import LONDON
from peernet.models import Cluster, Hub, Role, RoleAssignment, User
from reporting import returns
from reporting.models import MonthlyReturn, ReturnVersion
from reporting.scenario import import_document
from sessions.models import GroupSession
from tests.reporting.test_kpi_scenario import HA_OCTOBER, document

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2021, 10, 1)

# Query counts (a signed-in hub page): session, user, the user's role assignments (scope),
# the hub, and the session's idle-timeout save (savepoint, update, release); then the
# page's own, listed at each test.
SIGNED_IN = 7


def london(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _in_november_2021():
    with time_machine.travel(london("2021-11-05T09:00"), tick=False):
        yield


@pytest.fixture
def hubs() -> dict[str, Hub]:
    import_document(document())
    return {hub.key: hub for hub in Hub.objects.select_related("cluster")}


@pytest.fixture
def admin(client, hubs) -> User:
    user = User.objects.get(key="ha-admin")
    client.force_login(user)
    return user


@pytest.fixture
def coordinator() -> User:
    user = User.objects.create_user("coord@example.org", name="Cora Coordinator")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR)
    return user


def _url(name: str, hub: str = "ha", **kwargs) -> str:
    return reverse(f"hub:{name}", kwargs={"hub": hub, **kwargs})


def _more_hubs(count: int) -> None:
    cluster = Cluster.objects.get(key="north")
    for n in range(count):
        Hub.objects.create(
            key=f"extra-{n}", name=f"Extra {n}", lep="LEP", cluster=cluster, target=5
        )


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_every_month_so_far_with_its_status(client, admin, hubs):
    returns.compile_draft(hubs["ha"].pk, OCTOBER)
    version = returns.submit_return(
        MonthlyReturn.objects.get(hub=hubs["ha"], month=OCTOBER), admin, "Fine."
    )
    assert version.submitted_at == london("2021-11-05T09:00")
    response = client.get(_url("returns"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["month"] for row in rows] == [dt.date(2021, m, 1) for m in range(11, 3, -1)]
    by_month = {row["month"]: row for row in rows}
    assert by_month[OCTOBER]["status"] == "Submitted on time"
    assert by_month[dt.date(2021, 11, 1)]["status"] == "Not yet due"
    assert by_month[dt.date(2021, 9, 1)]["status"] == "Missing"
    assert by_month[OCTOBER]["stored"].latest_version == 1
    assert reverse("hub:return", kwargs={"hub": "ha", "month": "2021-10"}) in (
        response.content.decode()
    )


def test_the_list_s_queries_do_not_grow(client, admin, hubs, django_assert_num_queries):
    returns.compile_draft(hubs["ha"].pk, OCTOBER)
    # + programme, programmes and first submissions (statuses), the hub's returns
    with django_assert_num_queries(SIGNED_IN + 4):
        assert client.get(_url("returns")).status_code == 200
    _more_hubs(5)
    for month in (dt.date(2021, 8, 1), dt.date(2021, 9, 1)):
        returns.compile_draft(hubs["ha"].pk, month)
    with django_assert_num_queries(SIGNED_IN + 4):
        assert client.get(_url("returns")).status_code == 200


def test_the_dashboard_links_to_the_returns(client, admin):
    assert _url("returns") in client.get(_url("home")).content.decode()


# --- a return ------------------------------------------------------------------------------


def test_a_draft_beside_the_previous_month(client, admin, hubs):
    returns.compile_draft(hubs["ha"].pk, dt.date(2021, 9, 1))
    returns.compile_draft(hubs["ha"].pk, OCTOBER)
    response = client.get(_url("return", month="2021-10"))
    assert response.status_code == 200
    assert response.context["labels"] == ["Draft", "September 2021 (draft)"]
    rows = {row["figure"]: row for row in response.context["rows"]}
    assert list(rows) == list(HA_OCTOBER)
    assert rows["started_month"]["values"] == ["2", "1"]  # October: p2, p7; September: p1
    assert rows["group_hours_delivered_month"]["values"] == ["8.50", "9.00"]
    assert rows["attendance_rate_month"]["values"] == ["83.3", "85.7"]  # 6 of 7
    assert rows["started_month"]["url"] == _url(
        "return-figure", month="2021-10", figure="started_month"
    )
    assert rows["target"]["url"] == ""  # no records behind it
    html = response.content.decode()
    assert "Recompile the draft" in html
    assert "Submit the return" in html
    # docs/security.md §7: a single hub's equality counts of 1 to 4 are not shown.
    gender = response.context["breakdowns"]["gender"]
    assert gender == {
        "female": "suppressed",
        "male": "suppressed",
        "non-binary": 0,
        "other": 0,
        "prefer-not-to-say": "suppressed",
        "not known": "suppressed",
    }
    assert response.context["breakdowns"]["sector"]["C"] == 2  # not an equality breakdown


def test_a_month_outside_the_window_or_malformed_is_a_404(client, admin):
    assert client.get(_url("return", month="2022-04")).status_code == 404
    assert client.get("/hub/ha/returns/2021-13/").status_code == 404
    assert client.get(_url("return-figure", month="2021-10", figure="target")).status_code == 404
    assert client.get(_url("return-figure", month="2021-10", figure="nonsense")).status_code == 404
    assert client.get(_url("return-version", month="2021-10", version=1)).status_code == 404


def test_the_return_page_s_queries_do_not_grow(
    client, hubs, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    for key in ("ha", "hc"):
        returns.compile_draft(hubs[key].pk, OCTOBER)
    # Nothing stored for September: + programme, the return and its versions, September's
    # return (none), the status (programmes, first submissions), and September computed
    # afresh (the 14 queries of test_kpi).
    for key in ("hc", "ha"):
        with django_assert_num_queries(SIGNED_IN + 6 + 14):
            assert client.get(_url("return", hub=key, month="2021-10")).status_code == 200
    # September's draft stored: its return and versions instead of the 14.
    for key in ("ha", "hc"):
        returns.compile_draft(hubs[key].pk, dt.date(2021, 9, 1))
    for key in ("hc", "ha"):
        with django_assert_num_queries(SIGNED_IN + 7):
            assert client.get(_url("return", hub=key, month="2021-10")).status_code == 200
    _more_hubs(5)
    with django_assert_num_queries(SIGNED_IN + 7):
        assert client.get(_url("return", month="2021-10")).status_code == 200


def test_a_submitted_return_s_queries_do_not_grow(
    client, hubs, coordinator, django_assert_num_queries
):
    client.force_login(coordinator)
    for key in ("ha", "hc"):
        monthly_return = returns.compile_draft(hubs[key].pk, OCTOBER)
        returns.submit_return(monthly_return, coordinator, "Fine.")
    # + as above with September's draft stored; the figures as the records now stand
    # only when asked for (14 more, see test_kpi)
    for key in ("ha", "hc"):
        returns.compile_draft(hubs[key].pk, dt.date(2021, 9, 1))
    for key in ("hc", "ha"):
        with django_assert_num_queries(SIGNED_IN + 7):
            assert client.get(_url("return", hub=key, month="2021-10")).status_code == 200
        with django_assert_num_queries(SIGNED_IN + 7 + 14):
            url = _url("return", hub=key, month="2021-10") + "?now=1"
            assert client.get(url).status_code == 200
    _more_hubs(5)
    with django_assert_num_queries(SIGNED_IN + 7 + 14):
        assert client.get(_url("return", month="2021-10") + "?now=1").status_code == 200


def test_the_figures_are_in_groups_with_words_first(client, admin, hubs):
    """Issue 18 (1): each group of figures is its own table under its heading, a figure
    is named by its label, and its definition and id are behind "What this counts"."""
    returns.compile_draft(hubs["ha"].pk, OCTOBER)
    html = client.get(_url("return", month="2021-10")).content.decode()
    captions = re.findall(r'<caption class="govuk-table__caption[^"]*">([^<]+)</caption>', html)
    assert captions[:7] == [
        "Registrations and eligibility",
        "Cohorts and participants",
        "Group sessions",
        "One-to-one support",
        "Surveys",
        "Drop-outs, quality and risks",
        "Against the target",
    ]
    row = re.search(
        r'<tr class="govuk-table__row" data-figure="started_month">(.*?)</tr>', html, re.S
    )
    header = row[1].split("</th>")[0]
    # The label leads; the id appears only inside the definition's details.
    assert re.match(r"\s*<th[^>]*>Participants started, month\s*<details", header)
    assert header.count("started_month") == 1
    assert re.search(
        r"<details[^>]*>.*What this counts.*first attended.*started_month.*</details>", header, re.S
    )
    assert html.count("What this counts<") == 59


def test_recompiling_until_submitted(client, admin, hubs):
    response = client.post(_url("return-compile", month="2021-10"))
    assert response.status_code == 302
    draft = MonthlyReturn.objects.get(hub=hubs["ha"], month=OCTOBER)
    assert draft.draft_figures == HA_OCTOBER
    GroupSession.objects.filter(key="c1-s7").update(status="cancelled")
    client.post(_url("return-compile", month="2021-10"))
    draft.refresh_from_db()
    assert draft.draft_figures["sessions_delivered_month"] == 2
    returns.submit_return(draft, admin, "Fine.")
    GroupSession.objects.filter(key="c1-s7").update(status="delivered")
    response = client.post(_url("return-compile", month="2021-10"), follow=True)
    assert "its figures are frozen" in response.content.decode()
    draft.refresh_from_db()
    assert draft.draft_figures["sessions_delivered_month"] == 2


def test_submitting_needs_a_narrative_and_then_freezes(client, admin, hubs):
    returns.compile_draft(hubs["ha"].pk, OCTOBER)
    url = _url("return", month="2021-10")
    response = client.post(url, {"narrative": "  ", "expected_version": 0})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the supporting narrative" in html
    assert not ReturnVersion.objects.exists()

    # The first click asks, saying what submitting does, and submits nothing.
    response = client.post(url, {"narrative": "A good month.", "expected_version": 0})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Are you sure you want to submit the return for October 2021?" in page
    assert "The figures are frozen as they now stand" in page
    assert '<dd class="govuk-summary-list__value">1</dd>' in page  # the version it makes
    assert 'name="narrative" value="A good month."' in page and 'name="confirm"' in page
    assert not ReturnVersion.objects.exists()
    response = client.post(
        url, {"narrative": "A good month.", "expected_version": 0, "confirm": ""}
    )
    assert response.status_code == 302
    version = ReturnVersion.objects.get()
    assert (version.version, version.narrative, version.submitted_by) == (1, "A good month.", admin)
    assert version.figures == HA_OCTOBER

    # The same page again (expected version 0) is refused: someone else got there first.
    response = client.post(
        url, {"narrative": "Again.", "expected_version": 0, "reason": "x", "confirm": ""}
    )
    assert "submitted by someone else meanwhile" in response.content.decode()
    assert ReturnVersion.objects.count() == 1


def test_resubmitting_needs_a_reason_and_is_compared(client, admin, hubs):
    monthly_return = returns.compile_draft(hubs["ha"].pk, OCTOBER)
    returns.submit_return(monthly_return, admin, "A good month.")
    GroupSession.objects.filter(key="c1-s7").update(status="cancelled")
    url = _url("return", month="2021-10")
    # The frozen figures alone, with a link to set them beside the records as they stand.
    page = client.get(url)
    assert page.context["labels"] == [
        "Submitted (version 1)",
        "September 2021 (as the records now stand)",
    ]
    assert f'href="{url}?now=1"' in page.content.decode()
    assert not any(row["changed"] for row in page.context["rows"])
    page = client.get(url + "?now=1")
    rows = {row["figure"]: row for row in page.context["rows"]}
    assert page.context["labels"][-1] == "As the records now stand"
    assert rows["sessions_delivered_month"]["values"][0] == "3"
    assert rows["sessions_delivered_month"]["values"][-1] == "2"
    assert rows["sessions_delivered_month"]["changed"]
    assert not rows["started_month"]["changed"]

    response = client.post(url, {"narrative": "Corrected.", "expected_version": 1})
    assert "Enter why you are resubmitting the return" in response.content.decode()
    corrected = {"narrative": "Corrected.", "expected_version": 1, "reason": "c1-s7 cancelled."}
    asked = client.post(url, corrected).content.decode()
    assert "Are you sure you want to resubmit the return for October 2021?" in asked
    assert ReturnVersion.objects.count() == 1
    response = client.post(url, {**corrected, "confirm": ""})
    assert response.status_code == 302
    assert list(ReturnVersion.objects.values_list("version", "reason")) == [
        (1, ""),
        (2, "c1-s7 cancelled."),
    ]
    compare = client.get(_url("return-compare", month="2021-10"), {"from": 1, "to": 2})
    assert compare.status_code == 200
    changed = {row["figure"]: row for row in compare.context["rows"] if row["changed"]}
    assert changed["sessions_delivered_month"]["before"] == "3"
    assert changed["sessions_delivered_month"]["after"] == "2"
    assert compare.context["changed"] == 6
    assert (
        client.get(_url("return-compare", month="2021-10"), {"from": 1, "to": 9}).status_code == 404
    )
    version = client.get(_url("return-version", month="2021-10", version=1))
    assert version.status_code == 200
    assert ReturnVersion.objects.get(version=1).sha256 in version.content.decode()


# --- drill-down ----------------------------------------------------------------------------


def _records(response) -> list[list[str]]:
    sections = response.context["sections"]
    return [[cell.text for cell in row] for section in sections for row in section.rows]


def test_a_figure_lists_the_records_behind_it(client, admin):
    response = client.get(_url("return-figure", month="2021-10", figure="started_month"))
    assert response.status_code == 200
    assert sorted(row[0] for row in _records(response)) == ["P2 Tester", "P7 Tester"]
    p2 = Participant.objects.get(key="p2")
    assert reverse("hub:participant", kwargs={"hub": "ha", "code": p2.code}) in (
        response.content.decode()
    )

    late = client.get(
        _url("return-figure", month="2021-10", figure="late_joining_instructions_month")
    )
    kinds = [section.kind for section in late.context["sections"]]
    assert kinds == ["sessions", "one_to_ones"]
    rows = _records(late)
    assert len(rows) == 3
    assert rows[0][0] == "Cohort 1" and rows[0][3] == "26 October 2021 at 10:01"
    assert sorted(row[0] for row in rows[1:]) == ["P1 Tester", "P2 Tester"]

    rate = client.get(_url("return-figure", month="2021-10", figure="attendance_rate_month"))
    assert len(_records(rate)) == 6  # the attendance recorded it divides


def test_an_aggregate_only_role_never_sees_the_records(client, hubs):
    funder = User.objects.create_user("beis@example.org", name="Frank Funder")
    RoleAssignment.objects.create(user=funder, role=Role.FUNDER)
    client.force_login(funder)
    url = _url("return-figure", month="2021-10", figure="started_month")
    assert client.get(url).status_code == 404
    other = User.objects.get(key="hb-admin")
    client.force_login(other)
    assert client.get(url).status_code == 404
