"""docs/security.md §7 against someone who does the arithmetic: no equality count that is
suppressed on one page or in one download can be worked out from what the national
area shows elsewhere (peernet.privacy.suppress_breakdown).

The attacker signs in as BEIS and as the evaluator, reads every national, cluster and hub
page and every download they may ask for, and keeps every count any of them shows. Then
they try to recover each suppressed count:

(a) a row's total (participants started so far: every breakdown adds up to it) minus
    the row's shown counts;
(b) a cluster's (or the nation's) count minus its other hubs' (clusters') shown counts
    in the same category;

again and again, each recovered count helping the next; and, stronger than that,
(c) by solving all those sums together (linear algebra), and
(d) by bounds: no count is below 0, so a sum of suppressed counts that must be 0, or a
    count squeezed between what the others leave, gives them away.

`test_the_attacker_recovers_counts_from_the_old_cell_by_cell_display` shows that the same
attacker, given the display as it was before (each count of 1 to 4 alone shown as
"fewer than 5"), does recover counts: so the attack tests something.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from peernet.access import may_export_baseline
from peernet.privacy import SUPPRESSED, suppress_breakdown, suppress_small
from reporting import exports
from reporting.models import ExportFile, ExportStatus
from tests.factories import local, make_hub, make_return_version

OCTOBER = "2021-10"
EQUALITY = ("gender", "ethnic_group", "age_band", "disability")

# --- the attacker ----------------------------------------------------------------------------

Area = tuple[str, str]  # ("hub", key), ("cluster", key) or ("national", "")
Cell = tuple[Area, str, str]  # area, breakdown, category
NATIONAL: Area = ("national", "")


@dataclass
class Knowledge:
    """Everything the attacker has read."""

    shown: dict[Cell, int] = field(default_factory=dict)  # a count some page or file shows
    seen: set[Cell] = field(default_factory=set)  # every cell met, shown or not
    withheld: set[Cell] = field(default_factory=set)  # met somewhere without its count
    totals: dict[Area, int] = field(default_factory=dict)  # started so far, per area
    children: dict[Area, list[Area]] = field(default_factory=dict)  # the areas a sum adds up

    def see(self, cell: Cell, text: object) -> None:
        """One cell as a page or a file shows it: a number, or words instead of one."""
        self.seen.add(cell)
        value = str(text).strip() if text is not None else ""
        if value.isdigit():
            assert self.shown.setdefault(cell, int(value)) == int(value), cell
        else:
            assert value, f"{cell} is blank"  # something is always shown
            self.withheld.add(cell)

    def total(self, area: Area, text: object) -> None:
        value = str(text).strip()
        if value.isdigit():
            assert self.totals.setdefault(area, int(value)) == int(value), area

    @property
    def hidden(self) -> set[Cell]:
        return self.seen - set(self.shown)

    def equations(self) -> list[tuple[str, dict[Cell, int], int]]:
        """(kind, {cell: coefficient}, constant): every sum the attacker knows holds.
        (a) a row: its categories add up to the area's total; (b) a column: a parent's
        count less its children's is 0."""
        rows: dict[tuple[Area, str], list[Cell]] = {}
        for cell in sorted(self.seen):
            rows.setdefault(cell[:2], []).append(cell)
        found: list[tuple[str, dict[Cell, int], int]] = []
        for (area, _), cells in rows.items():
            if area in self.totals:
                found.append(("row", dict.fromkeys(cells, 1), self.totals[area]))
        for parent, children in self.children.items():
            for (area, breakdown), cells in rows.items():
                if area != parent:
                    continue
                for _, _, category in cells:
                    terms = {(parent, breakdown, category): 1}
                    for child in children:
                        if (child, breakdown, category) in self.seen:
                            terms[(child, breakdown, category)] = -1
                    found.append(("column", terms, 0))
        return found


def by_subtraction(knowledge: Knowledge) -> dict[Cell, tuple[int, str]]:
    """(a) and (b), over and over: a sum with one count left unknown gives it away."""
    known: dict[Cell, int] = dict(knowledge.shown)
    recovered: dict[Cell, tuple[int, str]] = {}
    equations = knowledge.equations()
    progress = True
    while progress:
        progress = False
        for kind, terms, constant in equations:
            unknown = [cell for cell in terms if cell not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            rest = sum(terms[c] * known[c] for c in terms if c != cell)
            value = (constant - rest) // terms[cell]
            known[cell] = value
            recovered[cell] = (value, kind)
            progress = True
    return recovered


def by_algebra(knowledge: Knowledge) -> dict[Cell, Fraction]:
    """(c) Every suppressed count the sums fix, solving them all at once (exact
    Gauss-Jordan elimination over the rationals)."""
    hidden = sorted(knowledge.hidden)
    column = {cell: n for n, cell in enumerate(hidden)}
    matrix: list[list[Fraction]] = []
    for _, terms, constant in knowledge.equations():
        row = [Fraction(0)] * (len(hidden) + 1)
        rhs = Fraction(constant)
        for cell, coefficient in terms.items():
            if cell in column:
                row[column[cell]] += coefficient
            else:
                rhs -= coefficient * knowledge.shown.get(cell, 0)
        row[-1] = rhs
        if any(row[:-1]):
            matrix.append(row)
    pivots: list[int] = []
    r = 0
    for c in range(len(hidden)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c]), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [v / lead for v in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c]:
                factor = matrix[i][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append(c)
        r += 1
    fixed: dict[Cell, Fraction] = {}
    for i, c in enumerate(pivots):
        if not any(matrix[i][j] for j in range(len(hidden)) if j != c):
            fixed[hidden[c]] = matrix[i][-1]
    return fixed


def by_bounds(knowledge: Knowledge) -> dict[Cell, int]:
    """(d) No count is below 0: narrow each suppressed count's least and most possible
    value from every sum until nothing changes; a count left with one value is known."""
    low = dict.fromkeys(knowledge.hidden, 0)
    high: dict[Cell, float] = dict.fromkeys(knowledge.hidden, float("inf"))
    equations = knowledge.equations()
    for _ in range(200):
        changed = False
        for _, terms, constant in equations:
            unknown = [c for c in terms if c in low]
            rest = constant - sum(
                terms[c] * knowledge.shown.get(c, 0) for c in terms if c not in low
            )
            for cell in unknown:
                others = [(terms[c], low[c], high[c]) for c in unknown if c != cell]
                most = sum(k * (hi if k > 0 else lo) for k, lo, hi in others)
                least = sum(k * (lo if k > 0 else hi) for k, lo, hi in others)
                k = terms[cell]
                # k * cell = rest - others: between rest - most and rest - least.
                lo_new, hi_new = sorted(((rest - most) / k, (rest - least) / k))
                if lo_new > low[cell]:
                    low[cell], changed = int(lo_new), True
                if hi_new < high[cell]:
                    high[cell], changed = int(hi_new), True
        if not changed:
            break
    return {cell: low[cell] for cell in low if low[cell] == high[cell]}


def knowledge_of(
    counts: dict[Area, dict[str, int]],
    parts: dict[Area, list[Area]],
    shown: dict[Area, dict[str, int | str]],
    *,
    totals: bool = True,
) -> Knowledge:
    """What a reader of `shown` knows: its counts, each row's total (if shown) and which
    rows add up to which."""
    knowledge = Knowledge(children={whole: list(areas) for whole, areas in parts.items()})
    for area, row in shown.items():
        for category, count in row.items():
            knowledge.see((area, "b", category), count)
        if totals:
            knowledge.total(area, sum(counts[area].values()))
    return knowledge


def assert_safe(counts, parts, shown, *, totals: bool = True) -> None:
    """Nothing of 1 to 4 shown, nothing suppressed recoverable."""
    for area, row in shown.items():
        for category, count in row.items():
            assert count == SUPPRESSED or count == counts[area][category]
            assert count == SUPPRESSED or not 0 < count < 5, (area, category)
    knowledge = knowledge_of(counts, parts, shown, totals=totals)
    assert by_subtraction(knowledge) == {}
    assert by_algebra(knowledge) == {}
    assert by_bounds(knowledge) == {}


S = SUPPRESSED
HUB: Area = ("hub", "h")
G6 = ("female", "male", "non-binary", "other", "prefer-not-to-say", "not known")


def test_a_lone_small_count_takes_the_smallest_non_zero_count_of_its_row_with_it():
    """19 = 9 + 9 + 0 + 0 + 1 + 0: the 1 alone would be 19 less the rest. With the
    first 9 (the smallest non-zero count; the first of two) suppressed too, 19 - 9 = 10 is
    shared between two unknowns; the zeros stay."""
    counts = {HUB: dict(zip(G6, (9, 9, 0, 0, 1, 0), strict=True))}
    shown = suppress_breakdown(counts)
    assert shown == {HUB: dict(zip(G6, (S, 9, 0, 0, S, 0), strict=True))}
    assert_safe(counts, {}, shown)


def test_disability():
    counts = {HUB: {"yes": 1, "no": 18, "prefer-not-to-say": 0, "not known": 0}}
    shown = suppress_breakdown(counts)
    assert shown == {HUB: {"yes": S, "no": S, "prefer-not-to-say": 0, "not known": 0}}
    assert_safe(counts, {}, shown)


def test_two_small_counts_protect_each_other():
    """3 and 2 are both suppressed: 12 - 7 = 5 between them, so the 7 stays."""
    counts = {HUB: dict(zip(G6, (3, 7, 2, 0, 0, 0), strict=True))}
    shown = suppress_breakdown(counts)
    assert shown == {HUB: dict(zip(G6, (S, 7, S, 0, 0, 0), strict=True))}
    assert_safe(counts, {}, shown)


def test_a_row_of_zeros_is_shown_as_it_is():
    counts = {HUB: dict.fromkeys(G6, 0)}
    assert suppress_breakdown(counts) == counts


def test_a_small_count_with_only_zeros_beside_it_hides_a_zero():
    """3 = 3 + 0 + 0: no non-zero count is left to hide, so a zero goes with it."""
    counts = {HUB: {"yes": 3, "no": 0, "prefer-not-to-say": 0}}
    shown = suppress_breakdown(counts)
    assert shown == {HUB: {"yes": S, "no": S, "prefer-not-to-say": 0}}
    assert_safe(counts, {}, shown)


CLUSTER: Area = ("cluster", "k")
A, B, C = ("hub", "a"), ("hub", "b"), ("hub", "c")


def test_a_cluster_of_three_hubs_with_one_small_count():
    """Hub a's 2 women: from its own row (the total less its men) and from the cluster's
    column (21 women less hub b's and hub c's) it would be known. So a second hub's count
    in that column goes too (hub b's 7, the cheaper corner), and the men of both hubs so
    neither row gives its count away: 21 - 12 = 9 women between hubs a and b, 10 people
    in each row between women and men. Hub c and the cluster are shown in full."""
    counts = {
        A: {"female": 2, "male": 8, "not known": 0},
        B: {"female": 7, "male": 6, "not known": 5},
        C: {"female": 12, "male": 9, "not known": 6},
    }
    counts[CLUSTER] = {c: sum(counts[h][c] for h in (A, B, C)) for c in counts[A]}
    parts = {CLUSTER: [A, B, C]}
    shown = suppress_breakdown(counts, parts)
    assert shown == {
        A: {"female": S, "male": S, "not known": 0},
        B: {"female": S, "male": S, "not known": 5},
        C: counts[C],
        CLUSTER: counts[CLUSTER],
    }
    assert_safe(counts, parts, shown)
    # Without the cluster's sum shown, hub a's row alone needs one more count.
    alone = suppress_breakdown({A: counts[A]})
    assert alone == {A: {"female": S, "male": S, "not known": 0}}


def test_a_hub_alone_in_its_cluster_is_protected_up_the_line():
    """Hub a is the cluster's only hub (the cluster's row is the hub's own), and the
    cluster the nation's only one: the same counts are suppressed in all three rows."""
    national: Area = ("national", "")
    row = {"female": 4, "male": 5, "non-binary": 0, "not known": 1}
    counts = {A: dict(row), CLUSTER: dict(row), national: dict(row)}
    parts = {CLUSTER: [A], national: [CLUSTER]}
    shown = suppress_breakdown(counts, parts)
    hidden = {"female": S, "male": 5, "non-binary": 0, "not known": S}
    assert shown == {A: hidden, CLUSTER: hidden, national: hidden}
    assert_safe(counts, parts, shown)


def test_without_totals_a_partner_hub_is_enough():
    counts = {A: {"female": 2, "male": 8}, B: {"female": 7, "male": 6}}
    counts[CLUSTER] = {"female": 9, "male": 14}
    parts = {CLUSTER: [A, B]}
    shown = suppress_breakdown(counts, parts, totals_shown=False)
    assert shown == {
        A: {"female": S, "male": 8},
        B: {"female": S, "male": 6},
        CLUSTER: counts[CLUSTER],
    }
    assert_safe(counts, parts, shown, totals=False)
    # Nothing adds up to anything: a small count alone is all there is to hide.
    assert suppress_breakdown({A: counts[A]}, totals_shown=False) == {A: {"female": S, "male": 8}}


def test_a_breakdown_of_one_category_is_its_total():
    """Documented limit: with the total shown, nothing can protect a row's only count."""
    assert suppress_breakdown({HUB: {"female": 3}}) == {HUB: {"female": S}}


@st.composite
def tables(draw) -> tuple[dict, dict, bool]:
    """A nation of 1 to 3 clusters of 1 to 4 hubs, 2 to 6 categories, the counts mostly
    small (where suppression is hard)."""
    categories = [f"c{n}" for n in range(draw(st.integers(2, 6)))]
    count = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9, 30])
    national: Area = ("national", "")
    counts: dict[Area, dict[str, int]] = {}
    parts: dict[Area, list[Area]] = {national: []}
    for k, size in enumerate(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))):
        cluster: Area = ("cluster", f"k{k}")
        parts[national].append(cluster)
        parts[cluster] = [("hub", f"k{k}h{h}") for h in range(size)]
        for hub in parts[cluster]:
            counts[hub] = {c: draw(count) for c in categories}
        counts[cluster] = {c: sum(counts[h][c] for h in parts[cluster]) for c in categories}
    counts[national] = {c: sum(counts[k][c] for k in parts[national]) for c in categories}
    return counts, parts, draw(st.booleans())


@settings(max_examples=300, deadline=None, database=None)
@given(tables())
def test_no_table_gives_a_suppressed_count_away(table):
    counts, parts, totals = table
    shown = suppress_breakdown(counts, parts, totals_shown=totals)
    assert shown == suppress_breakdown(counts, parts, totals_shown=totals)  # deterministic
    assert_safe(counts, parts, shown, totals=totals)


# --- reading what the national area shows -----------------------------------------------------


def _read_return_table(html: str, knowledge: Knowledge, national_row: Area) -> None:
    """A national or cluster page's table: 'Started so far' of every row."""
    for level, row in re.findall(r'data-level="(\w+)">(.*?)</tr>', html, re.S):
        if level == "hub":
            area: Area = ("hub", re.search(r"/national/hub/([\w-]+)/", row)[1])
        elif level == "cluster":
            area = ("cluster", re.search(r"/national/cluster/([\w-]+)/", row)[1])
        else:
            area = national_row
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        knowledge.total(area, cells[3])  # status, registrations, started, started so far


def _read_hub_page(html: str, hub: str, knowledge: Knowledge) -> None:
    area: Area = ("hub", hub)
    knowledge.total(area, re.search(r'data-figure="started_cumulative">([^<]*)<', html)[1])
    for name, table in re.findall(r'data-breakdown="(\w+)">(.*?)</table>', html, re.S):
        if name in EQUALITY:
            for category, count in re.findall(r">([\w -]+)</th><td[^>]*>([^<]*)</td>", table):
                knowledge.see((area, name, category), count)


def _area_of(level: str, cluster: str, hub: str, export: dict) -> Area:
    """A download's row as the area it adds up: a cluster's download ends with a
    'national' row that is the cluster's sum, a hub's with cluster and national rows
    that are the hub's own."""
    if export["area"] == "hub":
        return ("hub", export["key"])
    if level == "hub":
        return ("hub", hub)
    if export["area"] == "cluster" or level == "cluster":
        return ("cluster", cluster or export["key"])
    return NATIONAL


def _download(client, kind: str, params: dict) -> bytes:
    response = client.post(reverse("national:export-new"), {"kind": kind, **params})
    assert response.status_code == 302
    export = ExportFile.objects.latest("pk")
    assert (export.kind, export.params) == (kind, params)
    exports.export_run(export.pk)  # what the worker would do
    export.refresh_from_db()
    assert export.status == ExportStatus.COMPLETE, export.error
    response = client.get(reverse("national:export-download", kwargs={"pk": export.pk}))
    assert response.status_code == 200
    return response.content


def _read_xlsx(content: bytes, params: dict, knowledge: Knowledge) -> None:
    book = load_workbook(io.BytesIO(content))
    rows = list(book["Return"].iter_rows(values_only=True))
    header = list(rows[0])
    at = {name: header.index(name) for name in ("level", "cluster", "hub", "started_cumulative")}
    for row in rows[2:]:  # row 2 holds the columns' labels
        area = _area_of(row[at["level"]], row[at["cluster"]], row[at["hub"]], params)
        if row[at["started_cumulative"]] is not None:
            knowledge.total(area, row[at["started_cumulative"]])
    for level, cluster, hub, name, category, count in book["Breakdowns"].iter_rows(
        min_row=2, values_only=True
    ):
        if name in EQUALITY:
            knowledge.see((_area_of(level, cluster, hub, params), name, category), count)


def _read_csv(content: bytes, params: dict, knowledge: Knowledge) -> None:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        area = _area_of(row["level"], row["cluster"], row["hub"], params)
        knowledge.total(area, row["started_cumulative"])


def _read_pdf(content: bytes) -> None:
    """The PDF has the return table (totals, as the CSV) and no breakdown at all."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for category in ("non-binary", "prefer-not-to-say", "disability", "gender"):
        assert category not in text.lower()


def read_everything(client, users: Iterable, hubs: dict[str, str]) -> Knowledge:
    """Every page and download of the national area, as each user, into one Knowledge.
    `hubs`: hub key -> cluster key, of the hubs that submitted."""
    knowledge = Knowledge()
    clusters = sorted(set(hubs.values()))
    for hub, cluster in hubs.items():
        knowledge.children.setdefault(("cluster", cluster), []).append(("hub", hub))
    knowledge.children[NATIONAL] = [("cluster", c) for c in clusters]
    month = {"month": OCTOBER}
    for user in users:
        client.force_login(user)
        html = client.get(reverse("national:home"), month).content.decode()
        _read_return_table(html, knowledge, NATIONAL)
        for cluster in clusters:
            url = reverse("national:cluster", kwargs={"cluster": cluster})
            _read_return_table(
                client.get(url, month).content.decode(), knowledge, ("cluster", cluster)
            )
        for hub in hubs:
            url = reverse("national:hub", kwargs={"hub": hub})
            _read_hub_page(client.get(url, month).content.decode(), hub, knowledge)
        areas = [{"area": "national", "key": ""}]
        areas += [{"area": "cluster", "key": c} for c in clusters]
        areas += [{"area": "hub", "key": h} for h in hubs]
        for area in areas:
            params = {**area, "month": OCTOBER}
            _read_xlsx(_download(client, "return-xlsx", params), params, knowledge)
            _read_csv(_download(client, "return-csv", params), params, knowledge)
            _read_pdf(_download(client, "return-pdf", params))
        if may_export_baseline(user):  # the evaluator's one row-level file
            book = load_workbook(io.BytesIO(_download(client, "baseline-xlsx", {})))
            header = [cell.value for cell in book["Baseline"][1]]
            assert not set(header) & set(EQUALITY), header  # no equality data at all
    return knowledge


# --- the returns ------------------------------------------------------------------------------

GENDER = ("female", "male", "non-binary", "other", "prefer-not-to-say", "not known")
DISABILITY = ("yes", "no", "prefer-not-to-say", "not known")

# hub -> (cluster, gender counts, disability counts); the started total is their sum.
RETURNS: dict[str, tuple[str, tuple[int, ...], tuple[int, ...]]] = {
    # 19 = 9 + 9 + 0 + 0 + 1 + 0: the one is 19 less the others; disability likewise.
    "hub-a": ("north-west", (9, 9, 0, 0, 1, 0), (1, 18, 0, 0)),
    # Two small counts (2 and 2) in the row, but the cluster's 'not known' (9) less
    # hub-a's 0 and hub-d's 7 gives this hub's 2 away.
    "hub-c": ("north-west", (12, 14, 2, 0, 0, 2), (3, 25, 2, 0)),
    "hub-d": ("north-west", (10, 8, 0, 0, 0, 7), (6, 19, 0, 0)),
    # 12 = 5 + 6 + 1: the one is given away by the total.
    "hub-b": ("midlands", (5, 6, 0, 0, 0, 1), (0, 12, 0, 0)),
    "hub-e": ("midlands", (8, 12, 0, 0, 0, 0), (5, 15, 0, 0)),
}


def submit_returns(personas) -> dict[str, str]:
    hubs = {"hub-a": personas.hub_a, "hub-b": personas.hub_b}
    for key, (cluster, _, _) in RETURNS.items():
        if key not in hubs:
            same = personas.hub_a if cluster == "north-west" else personas.hub_b
            hubs[key] = make_hub(key, cluster=same.cluster)
    for key, (_, gender, disability) in RETURNS.items():
        assert sum(gender) == sum(disability)
        make_return_version(
            hubs[key],
            dt.date(2021, 10, 1),
            local("2021-11-03T10:00"),
            figures={"started_cumulative": sum(gender)},
            breakdowns={
                "gender": dict(zip(GENDER, gender, strict=True)),
                "disability": dict(zip(DISABILITY, disability, strict=True)),
                "sector": {"C": sum(gender)},
            },
        )
    return {key: cluster for key, (cluster, _, _) in RETURNS.items()}


def true_counts() -> dict[Cell, int]:
    """The real counts of every row: hubs, clusters and the nation."""
    counts: dict[Cell, int] = {}
    for key, (cluster, gender, disability) in RETURNS.items():
        for name, categories, values in (
            ("gender", GENDER, gender),
            ("disability", DISABILITY, disability),
        ):
            for category, value in zip(categories, values, strict=True):
                for area in (("hub", key), ("cluster", cluster), NATIONAL):
                    cell = (area, name, category)
                    counts[cell] = counts.get(cell, 0) + value
    return counts


def _assert_nothing_recovered(knowledge: Knowledge) -> None:
    truth = true_counts()
    assert knowledge.hidden, "nothing was suppressed at all"
    for cell, value in knowledge.shown.items():
        assert truth[cell] == value, cell  # what is shown is true
        assert not 0 < value < 5, f"{cell} shows {value}"  # and never 1 to 4
    assert by_subtraction(knowledge) == {}
    assert by_algebra(knowledge) == {}
    assert by_bounds(knowledge) == {}


@pytest.mark.django_db
def test_nothing_suppressed_can_be_worked_out_from_everything_beis_and_the_evaluator_see(
    client, personas
):
    hubs = submit_returns(personas)
    knowledge = read_everything(client, [personas.funder, personas.evaluator], hubs)
    # Every row was read: five hubs, two clusters and the nation, in both breakdowns.
    assert {cell[0] for cell in knowledge.seen} == {
        *(("hub", h) for h in hubs),
        ("cluster", "north-west"),
        ("cluster", "midlands"),
        NATIONAL,
    }
    assert set(knowledge.totals) == {cell[0] for cell in knowledge.seen}
    # A count suppressed anywhere is suppressed everywhere it appears.
    assert not knowledge.withheld & set(knowledge.shown)
    _assert_nothing_recovered(knowledge)


def test_the_attacker_recovers_counts_from_the_old_cell_by_cell_display():
    """Each count of 1 to 4 alone shown as "fewer than 5", the rest as they are (the
    display before secondary suppression): the attacker gets them back."""
    knowledge = Knowledge()
    truth = true_counts()
    for cell, value in truth.items():
        knowledge.see(cell, suppress_small(value))
    for area in {cell[0] for cell in truth}:
        knowledge.total(area, sum(v for c, v in truth.items() if c[:2] == (area, "gender")))
    for key, (cluster, _, _) in RETURNS.items():
        knowledge.children.setdefault(("cluster", cluster), []).append(("hub", key))
    knowledge.children[NATIONAL] = [("cluster", "midlands"), ("cluster", "north-west")]

    recovered = by_subtraction(knowledge)
    assert recovered[(("hub", "hub-a"), "gender", "prefer-not-to-say")] == (1, "row")
    assert recovered[(("hub", "hub-a"), "disability", "yes")] == (1, "row")
    assert recovered[(("hub", "hub-b"), "gender", "not known")] == (1, "row")
    # Not from its own row (two unknowns there): from the cluster's column.
    assert recovered[(("hub", "hub-c"), "gender", "not known")] == (2, "column")
    assert all(truth[cell] == value for cell, (value, _) in recovered.items())
    assert by_algebra(knowledge)
    assert by_bounds(knowledge)
