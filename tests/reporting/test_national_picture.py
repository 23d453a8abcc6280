"""BEIS's and the national coordinator's picture (issue 18): the timeliness grid's cells
at the M1 boundaries (on time at 23:59 on the 7th, late at 00:00 on the 8th, missing,
due), the hubs ranked by started against target, cluster subtotals that are the sums of
their hubs, progress to the target month by month (a line chart with its table), each
chart's figures as CSV, the queries of the pages with the data doubled, no name on any
of them for BEIS, and the PDF report's tables inside the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peernet.models import Cluster
from reporting import exports, kpi, national
from reporting.charts import line_chart
from reporting.models import ExportFile, MonthlyReturn
from reporting.returns import submit_return
from tests.factories import local, make_hub, make_return_version
from tests.pdfs import assert_accessible_pdf, lay_out

pytestmark = pytest.mark.django_db

SEPTEMBER = dt.date(2021, 9, 1)
OCTOBER = dt.date(2021, 10, 1)


def grid_cells(html: str, hub_key: str) -> list[tuple[str, str]]:
    """(status, the words shown) in each month's cell of one hub's row of the grid."""
    row = re.search(rf'<tr class="govuk-table__row" data-hub="{hub_key}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {hub_key}"
    return re.findall(r'data-status="(\w+)"><strong class="govuk-tag [\w-]+">([^<]+)<', row[1])


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def chart_csv(client, chart: str, **query: str):
    return client.get(reverse("national:chart-csv", kwargs={"chart": chart}), query)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the timeliness grid ------------------------------------------------------------------


@pytest.fixture
def october_submissions(personas):
    """hub-a submits October at 23:59 on 7 November, hub-b at 00:00 on the 8th, hub-c
    (in hub-a's cluster) never."""
    hub_c = make_hub("hub-c", cluster=personas.hub_a.cluster)
    for hub, admin, when in (
        (personas.hub_a, personas.hub_a_admin, "2021-11-07T23:59"),
        (personas.hub_b, personas.hub_b_admin, "2021-11-08T00:00"),
    ):
        monthly_return = MonthlyReturn.objects.create(hub=hub, month=OCTOBER)
        submit_return(monthly_return, admin, "October went well.", now=local(when))
    return hub_c


def test_the_grid_says_on_time_late_missing_and_due_in_words(client, personas, october_submissions):
    client.force_login(personas.funder)
    url = reverse("national:timeliness")

    # Noon on the 7th: hub-a has not submitted yet either; October is due for both.
    with time_machine.travel(local("2021-11-07T12:00"), tick=False):
        html = client.get(url).content.decode()
    assert grid_cells(html, "hub-c")[6] == ("due", "Due")  # October, the 7th month
    assert grid_cells(html, "hub-c")[7] == ("not_yet_due", "Not yet due")

    # 00:00:01 on the 8th: hub-a's 23:59 on the 7th is on time, hub-b's 00:00 on the 8th
    # late, hub-c's nothing missing. (Signed in afresh: the hours between are past the
    # session's idle limit.)
    with time_machine.travel(local("2021-11-08T00:00:01"), tick=False):
        client.force_login(personas.funder)
        html = client.get(url).content.decode()
        rows = csv_rows(chart_csv(client, "timeliness"))
    assert grid_cells(html, "hub-a")[6] == ("on_time", "Submitted on time")
    assert grid_cells(html, "hub-b")[6] == ("late", "Submitted late")
    assert grid_cells(html, "hub-c")[6] == ("missing", "Missing")
    assert grid_cells(html, "hub-c")[5] == ("missing", "Missing")  # September too
    # Colour and words: each status has its own tag colour, and the key says each in words.
    assert 'class="govuk-tag govuk-tag--green">Submitted on time<' in html
    assert 'class="govuk-tag govuk-tag--orange">Submitted late<' in html
    assert 'class="govuk-tag govuk-tag--red">Missing<' in html
    key = re.search(r'<dl class="[^"]*app-status-key">(.*?)</dl>', html, re.S)[1]
    assert "The first version was submitted after the due date." in key
    # The grid's download: the same words, a row per hub with its cluster.
    assert rows[0][:3] == ["Hub", "Cluster", "2021-04"] and rows[0][-1] == "2022-03"
    by_hub = {row[0]: row for row in rows[1:]}
    assert by_hub["HUB-A Growth Hub"][1] == "North West"
    assert by_hub["HUB-A Growth Hub"][2 + 6] == "Submitted on time"
    assert by_hub["HUB-B Growth Hub"][2 + 6] == "Submitted late"
    assert by_hub["HUB-C Growth Hub"][2 + 6] == "Missing"
    assert by_hub["HUB-C Growth Hub"][2 + 7] == "Not yet due"


# --- hubs ranked, cluster subtotals, progress -------------------------------------------


@pytest.fixture
def four_hubs(personas):
    """October: hub-a 30 of 150 started (20.0%), hub-b 45 of 150 (30.0%), hub-c 18 of 60
    (30.0%, level with hub-b), hub-d no return. September: hub-a 7, hub-b 5."""
    hub_c = make_hub("hub-c", cluster=personas.hub_b.cluster, target=60)
    hub_d = make_hub("hub-d", cluster=personas.hub_a.cluster)
    for hub, started, completed, registrations in (
        (personas.hub_a, 30, 4, 11),
        (personas.hub_b, 45, 6, 13),
        (hub_c, 18, 1, 5),
    ):
        make_return_version(
            hub,
            OCTOBER,
            local("2021-11-05T10:00"),
            figures={
                "started_cumulative": started,
                "participants_completed_cumulative": completed,
                "registrations_month": registrations,
                "started_month": started // 3,
            },
        )
    make_return_version(
        personas.hub_a, SEPTEMBER, local("2021-10-05T10:00"), figures={"started_cumulative": 7}
    )
    make_return_version(
        personas.hub_b, SEPTEMBER, local("2021-10-05T10:00"), figures={"started_cumulative": 5}
    )
    return personas, hub_c, hub_d


def test_hubs_are_ranked_by_started_against_their_target(client, four_hubs):
    personas, hub_c, hub_d = four_hubs
    rows = national.return_table(
        [personas.hub_a, personas.hub_b, hub_c, hub_d], OCTOBER, local("2021-11-10T12:00")
    )
    ranked = [
        (entry.rank, entry.row.hub.key, entry.started, entry.percent)
        for entry in national.hubs_ranked(rows)
    ]
    assert ranked == [
        (1, "hub-b", 45, Decimal("30.0")),  # level with hub-c: the same rank, by name
        (1, "hub-c", 18, Decimal("30.0")),
        (3, "hub-a", 30, Decimal("20.0")),
        (None, "hub-d", None, None),  # no return: last, unranked
    ]

    client.force_login(personas.funder)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        html = client.get(reverse("national:home"), {"month": "2021-10"}).content.decode()
        rows_csv = csv_rows(chart_csv(client, "ranking", month="2021-10"))
    table = re.search(r'<table class="govuk-table app-ranking">(.*?)</table>', html, re.S)[1]
    assert re.findall(r'data-hub="([\w-]+)"', table) == ["hub-b", "hub-c", "hub-a", "hub-d"]
    assert "Midlands" in table and "No return" in table
    assert rows_csv == [
        ["Rank", "Hub", "Cluster", "Started so far", "Target", "Started vs target (%)"],
        ["1", "HUB-B Growth Hub", "Midlands", "45", "150", "30.0"],
        ["1", "HUB-C Growth Hub", "Midlands", "18", "60", "30.0"],
        ["3", "HUB-A Growth Hub", "North West", "30", "150", "20.0"],
        ["", "HUB-D Growth Hub", "North West", "", "150", ""],
    ]


def test_each_cluster_subtotal_is_the_sum_of_its_hubs(client, four_hubs):
    personas, hub_c, hub_d = four_hubs
    client.force_login(personas.coordinator)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        html = client.get(reverse("national:home"), {"month": "2021-10"}).content.decode()
    table = re.search(r'<table class="govuk-table app-return-table">(.*?)</table>', html, re.S)[1]
    rows = re.findall(r'data-level="(\w+)">(.*?)</tr>', table, re.S)

    def numbers(cells: str) -> list[int]:
        return [int(n) for n in re.findall(r"--numeric\">(\d+)<", cells)][:3]

    # Midlands: hub-b and hub-c; North West: hub-a and hub-d (no return).
    levels = [level for level, _ in rows]
    assert levels == ["hub", "hub", "cluster", "hub", "hub", "cluster", "national"]
    midlands, north_west, total = numbers(rows[2][1]), numbers(rows[5][1]), numbers(rows[6][1])
    assert midlands == [
        a + b for a, b in zip(numbers(rows[0][1]), numbers(rows[1][1]), strict=True)
    ]
    assert midlands == [13 + 5, 15 + 6, 45 + 18]  # registrations, started month, so far
    assert north_west == numbers(rows[3][1]) == [11, 10, 30]  # hub-d adds nothing
    assert total == [m + n for m, n in zip(midlands, north_west, strict=True)]
    assert "1 of 2 hubs submitted" in text_of(rows[5][1])


def test_progress_to_the_target_month_by_month(client, four_hubs):
    personas, *_ = four_hubs
    client.force_login(personas.evaluator)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        html = client.get(reverse("national:home"), {"month": "2021-10"}).content.decode()
        rows = csv_rows(chart_csv(client, "progress"))
    # The chart: accessible, its three lines named in its legend, with its table.
    svg = re.search(r'<svg[^>]*aria-labelledby="progress-title".*?</svg>', html, re.S)[0]
    assert 'role="img"' in svg and '<desc id="progress-desc">' in svg
    assert "Started so far" in svg and "Completed so far" in svg and "Target" in svg
    table = re.search(r'data-chart="progress">(.*?)</table>', html, re.S)[1]
    assert re.search(r"Sep 21</th><td[^>]*>12</td><td[^>]*>0</td><td[^>]*>6000<", table)
    assert re.search(r"Oct 21</th><td[^>]*>93</td><td[^>]*>11</td><td[^>]*>6000<", table)
    assert re.search(r"Nov 21</th><td[^>]*>–</td><td[^>]*>–</td><td[^>]*>6000<", table)
    # The download: the same figures, the month as YYYY-MM, nothing where nothing is in.
    assert rows[0] == ["Month", "Started so far", "Completed so far", "Target"]
    by_month = {row[0]: row[1:] for row in rows[1:]}
    assert by_month["2021-09"] == ["12", "0", "6000"]  # 7 + 5
    assert by_month["2021-10"] == ["93", "11", "6000"]  # 30 + 45 + 18; 4 + 6 + 1
    assert by_month["2021-11"] == ["", "", "6000"]
    # A cluster's progress is against its hubs' targets: Midlands 150 + 60.
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        rows = csv_rows(chart_csv(client, "progress", area="cluster", key="midlands"))
    assert {row[0]: row[1:] for row in rows[1:]}["2021-10"] == ["63", "7", "210"]


def test_every_chart_on_the_page_links_to_its_figures(client, four_hubs):
    personas, *_ = four_hubs
    client.force_login(personas.funder)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        html = client.get(reverse("national:home"), {"month": "2021-10"}).content.decode()
        links = re.findall(r'href="(/national/charts/[^"]+)"', html)
        assert len(links) == 6  # progress, ranking, three trends, completeness
        assert html.count('role="img"') == 5
        for link in links:
            response = client.get(link.replace("&amp;", "&"))
            assert len(csv_rows(response)) > 1, link
        started = csv_rows(chart_csv(client, "started_month"))
        completeness = csv_rows(chart_csv(client, "completeness"))
    assert dict(started[1:])["2021-10"] == str(10 + 15 + 6)
    assert completeness[0] == [
        "Month",
        "Expected",
        "Not yet due",
        "Due",
        "Submitted on time",
        "Submitted late",
        "Missing",
        "Completeness (%)",
        "Timeliness (%)",
    ]
    # October: 3 of 4 hubs on time.
    assert {r[0]: r[1:] for r in completeness[1:]}["2021-10"] == [
        "4",
        "0",
        "0",
        "3",
        "0",
        "1",
        "75.0",
        "75.0",
    ]


def test_a_hubs_page_links_to_its_own_figures(client, four_hubs):
    personas, *_ = four_hubs
    client.force_login(personas.funder)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        html = client.get(reverse("national:hub", kwargs={"hub": "hub-b"})).content.decode()
        links = [
            link.replace("&amp;", "&")
            for link in re.findall(r'href="(/national/charts/[^"]+)"', html)
        ]
        assert len(links) == 3 and all("area=hub&key=hub-b" in link for link in links)
        started = csv_rows(client.get(next(link for link in links if "started_month" in link)))
    assert dict(started[1:])["2021-10"] == "15"  # hub-b's own: 45 // 3


def test_a_chart_that_does_not_exist_or_an_area_not_theirs_is_a_404(client, personas):
    client.force_login(personas.funder)
    assert chart_csv(client, "nothing").status_code == 404
    assert chart_csv(client, "progress", area="cluster", key="nowhere").status_code == 404
    assert chart_csv(client, "progress", area="everywhere").status_code == 404
    client.force_login(personas.hub_a_admin)
    assert chart_csv(client, "progress").status_code == 404


def test_a_line_chart_is_accessible_scaled_broken_where_nothing_is_in_and_escaped():
    chart = line_chart(
        ident="p",
        title="Progress <b>",
        description="Each month",
        labels=["Apr", "May <i>", "Jun", "Jul"],
        series=[("Started", [10, None, 30, 40]), ("Target", [80, 80, 80, 80])],
    )
    svg = chart.svg()
    assert 'role="img"' in svg and 'aria-labelledby="p-title" aria-describedby="p-desc"' in svg
    assert '<title id="p-title">Progress &lt;b&gt;</title>' in svg
    assert "May &lt;i&gt;" in svg and "<i>" not in svg
    started, target = chart.lines
    # May's None breaks the line in two; the target is one line, drawn dashed.
    assert len(started.segments) == 2 and len(target.segments) == 1
    assert target.dash and not started.dash
    # Scaled to the largest value (80) over a plot of 260 - 24 - 22 - 40 = 174.
    (apr, _, jul), top = started.points, target.points[0]
    assert top.y == Decimal(46)  # 24 + 22: the top of the plot
    assert apr.y == Decimal("198.2")  # 220 - 174 / 8 = 198.25, to the tenth
    assert jul.y == Decimal("133.0")  # 220 - 174 / 2
    assert chart.rows[1] == ("May <i>", ["–", "80"])


# --- queries, names and the PDF -------------------------------------------------------------


def _national_pages() -> list[str]:
    cluster = {"area": "cluster", "key": "north-west", "month": "2021-10"}
    return [
        reverse("national:home") + "?month=2021-10",
        reverse("national:cluster", kwargs={"cluster": "north-west"}) + "?month=2021-10",
        reverse("national:timeliness"),
        *(
            reverse("national:chart-csv", kwargs={"chart": chart})
            + "?"
            + "&".join(f"{k}={v}" for k, v in cluster.items())
            for chart in ("progress", "ranking", "timeliness", "completeness", "started_month")
        ),
    ]


def _returns_for(hubs, months) -> None:
    for hub in hubs:
        for month in months:
            after = dt.date(month.year + month.month // 12, month.month % 12 + 1, 3)
            make_return_version(
                hub, month, local(f"{after:%Y-%m-%d}T10:00"), figures={"started_cumulative": 3}
            )


def test_the_pages_ask_as_many_queries_with_twice_the_hubs_and_returns(client, personas):
    client.force_login(personas.coordinator)

    def counts() -> list[int]:
        result = []
        with time_machine.travel(local("2021-11-10T12:00"), tick=False):
            for url in _national_pages():
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200, url
                result.append(len(queries))
        return result

    north_west = personas.hub_a.cluster
    _returns_for([personas.hub_a, personas.hub_b], [SEPTEMBER, OCTOBER])
    small = counts()
    more = [make_hub(f"more-{n}", cluster=north_west) for n in range(2)]
    more += [
        make_hub(f"south-{n}", cluster=Cluster.objects.create(key=f"s{n}", name=f"South {n}"))
        for n in range(2)
    ]
    _returns_for(more, [SEPTEMBER, OCTOBER])
    _returns_for([personas.hub_a, personas.hub_b, *more], [dt.date(2021, 7, 1)])
    assert counts() == small
    assert max(small) <= 16, small


def test_beis_sees_no_name_on_the_national_pages(client, personas):
    """BEIS (and the evaluator) read aggregates only: no participant's or staff member's
    name or email on any page or download of the picture."""
    for hub, admin in (
        (personas.hub_a, personas.hub_a_admin),
        (personas.hub_b, personas.hub_b_admin),
    ):
        make_return_version(hub, OCTOBER, local("2021-11-05T10:00"), by=admin)
    people = [
        personas.participant_a,
        personas.participant_a2,
        personas.participant_b,
        personas.participant_b_same_business,
    ]
    names = [p.last_name for p in people] + [p.email for p in people]
    staff = [personas.hub_a_admin, personas.hub_b_admin, personas.facilitator, personas.provider]
    names += [u.name for u in staff] + [u.email for u in staff]
    for role in ("funder", "evaluator"):
        client.force_login(getattr(personas, role))
        with time_machine.travel(local("2021-11-10T12:00"), tick=False):
            for url in _national_pages():
                response = client.get(url)
                content = response.content.decode("utf-8-sig")
                assert response.status_code == 200, url
                shown = [name for name in names if name and name in content]
                assert not shown, (role, url, shown)


def test_the_pdf_report_titles_its_charts_and_keeps_every_table_on_the_page(four_hubs):
    personas, hub_c, _ = four_hubs
    hub_c.name = "The Greater Lincolnshire and Rutland Business Growth Hub (Zoë’s)"
    hub_c.save()
    params = {"area": "national", "key": "", "month": "2021-10"}
    export = ExportFile.objects.create(
        kind="return-pdf", params=params, requested_by=personas.funder
    )
    exporter = exports.ReturnPdf(export)
    with time_machine.travel(local("2021-11-10T12:00"), tick=False):
        exporter.load()
        html = exporter.html()
        content = exporter.render(lambda percent: None)

    reader = assert_accessible_pdf(content, "Peer Networks return: National, October 2021")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    for title in (
        "Progress to the target over the programme year, National",
        "Participants started over the programme year",
        "Returns submitted over the programme year",
        "Hubs ranked by participants started against their targets",
        "The figures, hub by hub, with cluster subtotals",
    ):
        assert title in text, title
    # Each chart's figures beneath it, the months across: Sep 21 to Mar 22 in one row.
    assert "Started so far – – – – – 12 93 – – – – –" in text
    # The hub table's last column (participants dropped out) is on the page, its heading
    # and the national total's cell, and no cell or its text lies beyond the page's edge.
    hub_page = next(page for page in pages if "with cluster subtotals" in page)
    assert kpi.LABELS["dropped_out_cumulative"] in hub_page
    assert "Zoë’s" in text
    layout = lay_out(html)
    assert layout.cells > 120
    assert layout.beyond == []
    assert layout.warnings == []
