"""The national area: statuses at the M1 boundaries, completeness and timeliness per month
and over the year, totals from submitted versions only, a single hub's equality counts of
1 to 4 suppressed, charts, and the timeliness page's queries (constant in the hubs)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peernet.models import Cluster
from reporting import national
from reporting.charts import ColumnChart
from reporting.models import MonthlyReturn
from reporting.returns import submit_return
from tests.factories import local, make_hub, make_return_version

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2021, 10, 1)


def statuses(html: str, hub_key: str) -> list[str]:
    """The statuses in one hub's row of the timeliness grid, April to March."""
    row = re.search(rf'data-hub="{hub_key}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {hub_key}"
    return re.findall(r'data-status="(\w+)"', row[1])


def month_cells(html: str, month: str) -> tuple[str, str]:
    row = re.search(rf'data-month="{month}">(.*?)</tr>', html, re.S)
    completeness = re.search(r"data-completeness>([^<]*)<", row[1])[1]
    timeliness = re.search(r"data-timeliness>([^<]*)<", row[1])[1]
    return completeness.strip(), timeliness.strip()


@pytest.fixture
def three_hubs(personas):
    """hub-a submits October at 23:59:59 on 7 November (on time), hub-b at 00:00:00 on the
    8th (late), hub-c never (its status depends on when we look)."""
    hub_c = make_hub("hub-c", cluster=personas.hub_a.cluster)
    for hub, when in (
        (personas.hub_a, "2021-11-07T23:59:59"),
        (personas.hub_b, "2021-11-08T00:00"),
    ):
        monthly_return = MonthlyReturn.objects.create(hub=hub, month=OCTOBER)
        submit_return(
            monthly_return,
            personas.hub_a_admin if hub == personas.hub_a else personas.hub_b_admin,
            "October went well.",
            now=local(when),
        )
    return personas, hub_c


def test_statuses_at_the_due_date_boundary(client, three_hubs):
    personas, hub_c = three_hubs
    client.force_login(personas.funder)
    url = reverse("national:timeliness")

    # The last second of the due day: hub-c's return is still only due.
    with time_machine.travel(local("2021-11-07T23:59:59"), tick=False):
        html = client.get(url).content.decode()
    assert statuses(html, "hub-a")[6] == "on_time"  # October is the 7th month
    assert statuses(html, "hub-c")[6] == "due"
    assert statuses(html, "hub-c")[7] == "not_yet_due"  # November has not ended

    # The first second of the 8th: nothing in means missing; hub-b came in late.
    with time_machine.travel(local("2021-11-08T00:00:00"), tick=False):
        html = client.get(url).content.decode()
    assert statuses(html, "hub-a")[:7] == ["missing"] * 6 + ["on_time"]
    assert statuses(html, "hub-b")[6] == "late"
    assert statuses(html, "hub-c")[6] == "missing"
    # October: 2 of 3 submitted, 1 of 3 on time.
    assert month_cells(html, "2021-10") == ("66.7", "33.3")
    # The year so far: April to October are past their due date, 7 x 3 = 21 expected.
    assert 'data-year-completeness="9.5"' in html  # 2 / 21
    assert 'data-year-timeliness="4.8"' in html  # 1 / 21
    # November is not yet due: no percentages that would pull the year down.
    assert month_cells(html, "2021-11") == ("–", "–")


def test_the_timeliness_page_queries_do_not_grow_with_the_hubs(client, personas):
    client.force_login(personas.coordinator)
    url = reverse("national:timeliness")

    def count() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries]

    for n in range(2):
        make_return_version(personas.hub_a, dt.date(2021, 4 + n, 1), local("2021-06-01T10:00"))
    with_two = count()
    cluster = Cluster.objects.create(key="south", name="South")
    for n in range(2):
        hub = make_hub(f"more-{n}", cluster=cluster)
        make_return_version(hub, OCTOBER, local("2021-11-02T10:00"))
    with_four = count()
    assert len(with_four) == len(with_two)
    # The page's own reads: the programme, the hubs with their clusters, then
    # reporting.returns' programmes and the first submission of every return; nothing per
    # hub or per month. (Besides them: the session, the user, the second factor and the
    # role assignments, which the signing-in machinery owns.)
    own = [
        sql
        for sql in with_two
        if re.search(r'FROM "(peernet_programme|peernet_hub|reporting_)', sql)
    ]
    assert len(own) == 4, "\n".join(with_two)
    assert len(with_two) <= 11, "\n".join(with_two)


def test_totals_come_from_submitted_versions_and_rates_are_recomputed(personas):
    hub_c = make_hub("hub-c", cluster=personas.hub_a.cluster)  # submits nothing
    make_return_version(
        personas.hub_a,
        OCTOBER,
        local("2021-11-03T10:00"),
        figures={
            "started_cumulative": 12,
            "registrations_month": 7,
            "attendance_rate_cumulative": Decimal("90.0"),
        },
        parts={"attendance_rate_cumulative": {"numerator": 9, "denominator": 10}},
    )
    make_return_version(
        personas.hub_b,
        OCTOBER,
        local("2021-11-04T10:00"),
        figures={
            "started_cumulative": 5,
            "registrations_month": 2,
            "attendance_rate_cumulative": Decimal("10.0"),
        },
        parts={"attendance_rate_cumulative": {"numerator": 1, "denominator": 10}},
    )
    hubs = [personas.hub_a, personas.hub_b, hub_c]
    rows = national.return_table(hubs, OCTOBER, local("2021-11-10T12:00"))

    assert [(r.level, r.name) for r in rows] == [
        ("hub", "HUB-B Growth Hub"),
        ("cluster", "Midlands (cluster)"),
        ("hub", "HUB-A Growth Hub"),
        ("hub", "HUB-C Growth Hub"),
        ("cluster", "North West (cluster)"),
        ("national", "National total"),
    ]
    by_name = {r.name: r for r in rows}
    hub_c_row = by_name["HUB-C Growth Hub"]
    assert hub_c_row.status == "missing" and hub_c_row.figures == {}  # not computed
    north_west = by_name["North West (cluster)"]
    assert north_west.figures["started_cumulative"] == 12
    assert (north_west.hubs, north_west.hubs_submitted) == (2, 1)
    total = rows[-1]
    assert total.level == "national"
    assert total.figures["started_cumulative"] == 17
    assert total.figures["registrations_month"] == 9
    # 90% and 10% of ten each: 10 of 20 is 50.0%, from the summed parts.
    assert by_name["HUB-A Growth Hub"].figures["attendance_rate_cumulative"] == Decimal("90.0")
    assert total.figures["attendance_rate_cumulative"] == Decimal("50.0")


def test_a_single_hubs_equality_counts_of_1_to_4_are_suppressed(client, personas):
    make_return_version(
        personas.hub_a,
        OCTOBER,
        local("2021-11-03T10:00"),
        figures={"started_cumulative": 9},
        breakdowns={
            "gender": {"female": 4, "male": 5, "non-binary": 0, "not known": 1},
            "sector": {"C": 3, "not known": 0},
        },
        narrative="Good month.\n=SUM(A1) is not a formula here.",
    )
    client.force_login(personas.funder)
    html = client.get(
        reverse("national:hub", kwargs={"hub": "hub-a"}), {"month": "2021-10"}
    ).content.decode()
    gender = re.search(r'data-breakdown="gender">(.*?)</table>', html, re.S)[1]
    cells = dict(re.findall(r">([\w -]+)</th><td[^>]*>([^<]*)</td>", gender))
    assert cells == {
        "female": "suppressed",
        "male": "5",
        "non-binary": "0",
        "not known": "suppressed",
    }
    sector = re.search(r'data-breakdown="sector">(.*?)</table>', html, re.S)[1]
    assert ">3</td>" in sector  # not an equality breakdown: shown as it is
    assert "Good month." in html
    # BEIS never sees a name: not the participants', not who submitted.
    for person in (personas.participant_a, personas.participant_b):
        assert person.last_name not in html and person.email not in html
    assert "Hub_Admin" not in html

    # With one hub submitted, the cluster's and the nation's totals are that hub's counts:
    # suppressed in every row, not only the hub's.
    rows = national.return_table([personas.hub_a], OCTOBER, local("2021-11-10T12:00"))
    assert [row.level for row in rows] == ["hub", "cluster", "national"]
    for row in rows:
        assert row.breakdowns["gender"]["female"] == 4
        assert row.shown_breakdowns()["gender"]["female"] == "suppressed"
        assert row.shown_breakdowns()["gender"]["male"] == 5


def test_the_national_page_shows_totals_trends_and_narratives(client, personas):
    make_return_version(
        personas.hub_a,
        OCTOBER,
        local("2021-11-03T10:00"),
        figures={"started_month": 4, "started_cumulative": 11},
        narrative="Hub A <b>narrative</b>",
    )
    make_return_version(
        personas.hub_a,
        dt.date(2021, 9, 1),
        local("2021-10-03T10:00"),
        figures={"started_month": 7, "started_cumulative": 7},
    )
    client.force_login(personas.evaluator)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        response = client.get(reverse("national:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="started_cumulative">11<' in html  # October is the default month
    assert "Hub A &lt;b&gt;narrative&lt;/b&gt;" in html  # escaped
    assert html.count('role="img"') == 5  # progress, three trends and completeness
    assert '<title id="trend-started_month-title">' in html
    # The chart's table beside it: September 7, October 4.
    started = html[html.index('id="trend-started_month-title"') :]
    assert re.search(r"Sep 21</th><td[^>]*>7<", started)
    assert re.search(r"Oct 21</th><td[^>]*>4<", started)


def test_the_coordinator_alone_may_see_the_figures_computed_afresh(client, personas):
    url = reverse("national:hub", kwargs={"hub": "hub-a"})
    client.force_login(personas.coordinator)
    html = client.get(url, {"month": "2021-10", "live": "1"}).content.decode()
    assert "app-live-figures" in html
    client.force_login(personas.funder)
    html = client.get(url, {"month": "2021-10", "live": "1"}).content.decode()
    assert "app-live-figures" not in html and "Computed afresh" not in html


def test_month_parameter(personas):
    months = national.programme_months(personas.programme)
    assert len(months) == 12 and months[0] == dt.date(2021, 4, 1)
    now = local("2021-11-10T12:00")
    assert national.parse_month("2021-07", months, now) == dt.date(2021, 7, 1)
    # Outside the window, malformed or absent: the latest month that has ended.
    for value in ("2020-01", "2021-13", "July", "", None, "2021-07-01"):
        assert national.parse_month(value, months, now) == OCTOBER
    # At midnight on 1 November (London) October has just ended.
    assert national.default_month(months, local("2021-11-01T00:00")) == OCTOBER
    assert national.default_month(months, local("2021-10-31T23:59:59")) == dt.date(2021, 9, 1)


def test_a_column_chart_is_accessible_scaled_and_escaped():
    chart = ColumnChart(
        ident="c",
        title="Started <b>",
        description="Per month",
        items=[("Apr", 10), ("May <i>", 5), ("Jun", None), ("Jul", 0)],
    )
    svg = chart.svg()
    assert 'role="img"' in svg and 'aria-labelledby="c-title" aria-describedby="c-desc"' in svg
    assert '<title id="c-title">Started &lt;b&gt;</title>' in svg
    assert "May &lt;i&gt;" in svg and "<i>" not in svg
    apr, may, jun, jul = chart.columns
    assert apr.height == 2 * may.height == Decimal("196.0")  # 260 - 24 - 40
    assert jul.height == 0 and svg.count("<rect") == 3  # nothing drawn for June's None
    assert jun.text == "–"


def test_the_due_day_is_a_london_day_in_summer_time(personas):
    """September's return is due by 23:59:59 BST on 7 October, which is 22:59:59 UTC."""
    september = dt.date(2021, 9, 1)
    utc = dt.UTC
    make_return_version(personas.hub_a, september, dt.datetime(2021, 10, 7, 22, 59, 59, tzinfo=utc))
    make_return_version(personas.hub_b, september, dt.datetime(2021, 10, 7, 23, 0, 0, tzinfo=utc))
    rows = national.return_table(
        [personas.hub_a, personas.hub_b], september, local("2021-10-20T12:00")
    )
    statuses = {r.hub.key: r.status for r in rows if r.hub}
    assert statuses == {"hub-a": "on_time", "hub-b": "late"}  # 00:00:00 BST on the 8th


def test_progress_against_the_national_target_names_the_hubs_not_yet_in(client, personas):
    """BEIS reads 6,000 beside the nation's count; a hub whose return is not in is named,
    as its participants are not counted yet."""
    hub_c = make_hub("hub-c", cluster=personas.hub_a.cluster, name="Hub C Growth Hub")
    make_return_version(
        personas.hub_a, OCTOBER, local("2021-11-05T10:00"), figures={"started_cumulative": 90}
    )
    make_return_version(
        personas.hub_b, OCTOBER, local("2021-11-06T10:00"), figures={"started_cumulative": 60}
    )
    client.force_login(personas.funder)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        html = client.get(reverse("national:home") + "?month=2021-10").content.decode()
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
        assert (
            "150 participants started by the end of October 2021, against the national "
            "target of 6000 (2.5%)"
        ) in text
        assert f"Not yet submitted for the month, so not counted: {hub_c.name}." in text
        # A cluster reads its hubs' targets (150 each: hub-a and hub-c).
        cluster = reverse("national:cluster", kwargs={"cluster": personas.hub_a.cluster.key})
        text = re.sub(
            r"\s+",
            " ",
            re.sub(r"<[^>]+>", " ", client.get(cluster + "?month=2021-10").content.decode()),
        )
        assert (
            "90 participants started by the end of October 2021, against the hubs' targets of "
            "300 (30.0%)"
        ) in text
