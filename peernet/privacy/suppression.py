"""Small-count suppression: the one home of the rule that no count of 1 to 4 people is
shown where it could pick someone out (equality answers above all), and of how a
breakdown table is made safe to show (`suppress_breakdown`, which also hides the counts
that would let a small one be worked back).

Every page, download and panel that shows such counts goes through `suppress_breakdown`
(a table of areas) or `suppress_counts` (one area's counts on their own).
`tests/security/test_code_scans.py` fails when a second suppression is written
elsewhere.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

SMALL_COUNT = 5
SUPPRESSED = "suppressed"  # a count of a breakdown table that is not shown

Area = TypeVar("Area", bound=Hashable)
Cell = tuple[Any, str]  # (area, category)


def _small(count: int) -> bool:
    """The primary rule, the one place it is written: 1 to 4 people pick someone out."""
    return 0 < count < SMALL_COUNT


def suppress_small(count: int) -> int | str:
    """A count shown on its own: 1 to 4 is shown as "fewer than 5", so nobody can be
    picked out; 0 and 5 or more as they are.

    Only for a count that nothing shown beside it can give away. A breakdown shown with
    its total, or beside a cluster's or the nation's sum, goes through
    `suppress_breakdown`: there a lone "fewer than 5" is the total less the others."""
    return f"fewer than {SMALL_COUNT}" if _small(count) else count


def suppress_breakdown(
    counts: Mapping[Area, Mapping[str, int]],
    parts: Mapping[Area, Sequence[Area]] | None = None,
    *,
    totals_shown: bool = True,
) -> dict[Area, dict[str, int | str]]:
    """A breakdown table as it may be shown: `counts` has a row per area
    (a hub, a cluster, the nation), each row its categories' counts; `parts` says which
    rows add up to which (a cluster's row is the sum of its hubs' rows, the nation's of
    its clusters'); `totals_shown` says whether a reader knows each row's total (the
    returns show it: participants started). Every row comes back with its categories in
    their order, each count as it is or as SUPPRESSED.

    Why more than "fewer than 5" cell by cell: whoever sees a row's total and every other
    count in it gets a lone suppressed count back by subtraction (19 - 9 - 9 - 0 - 0 = 1),
    and a lone suppressed hub count in a category is the cluster's count less the other
    hubs'. So the method, in plain words:

    1. Primary suppression: every count from 1 to 4 is suppressed.
    2. Secondary suppression: each suppressed count is given company, so that the counts
       shown, the totals and the sums still fit another table. We pick a second category
       of the row and a partner row in the sum above it: another hub of the same cluster
       (or, further out, another cluster of the nation, or the whole line up to the
       nation); an area that is itself a sum takes one of its parts with it, down to a
       hub. All the corners (both categories, in every row on the way) are suppressed.
       Moving one person from the first category to the second in one row, and back in
       the partner row, changes no total and no sum, so a reader cannot tell the real
       table from the moved one, however they combine the sums (one at a time, all of
       them at once, or knowing that no count is below 0): every suppressed count could
       be at least two numbers.
    3. Which corners, in this order of preference: no zero corner (a zero is suppressed
       only when nothing else will do, and never on the side a person would be moved
       from, where it would make the move impossible); a partner near at hand before a
       wider area; the fewest people newly hidden (a count already suppressed costs
       nothing, so small counts protect each other; so, in a row alone, the smallest
       non-zero count goes with the small one); the fewest counts; the order of rows and
       categories. A count already among suppressed corners needs nothing more.

    Every suppressed count reads the same, SUPPRESSED, never "fewer than 5": a count hidden
    for company is not fewer than 5, and labels telling the two apart would say which
    hidden count is small and bound it (a total of 6 shown as "fewer than 5" and "5 or
    more" can only be 1 and 5).

    With no total shown, the second category is not needed: a partner row alone (and
    nothing at all for a row that is part of no sum). A row of one category, with its
    total shown, cannot be protected: its count is its total.

    Deterministic: the same table is always suppressed the same way, so a count hidden on
    one page is hidden on every page and in every download built from the same table."""
    return _SuppressionTable(counts, parts or {}, totals_shown).suppressed()


def suppress_counts(counts: Mapping[str, int], *, total_shown: bool = True) -> dict[str, int | str]:
    """One area's counts shown on their own, as a table of one row that is part of no sum
    (a hub's survey answers, a cohort's genders): `suppress_breakdown` for that row.
    `total_shown` says whether the row's total is shown beside it (a cohort's size)."""
    (shown,) = suppress_breakdown({0: counts}, totals_shown=total_shown).values()
    return shown


@dataclass(frozen=True)
class _Choice:
    """A candidate set of corners: each cell with the way it moves (+1 or -1)."""

    moves: dict[Cell, int]
    strength: int  # 0: every corner non-zero; 1: the side that loses a person non-zero
    level: int  # 0: a partner in the same sum; 1: a wider area; ...
    hidden_people: int  # the counts it newly suppresses, added up
    hidden_cells: int  # how many counts it newly suppresses

    @property
    def rank(self) -> tuple[int, int, int, int]:
        return (self.strength, self.level, self.hidden_people, self.hidden_cells)


class _SuppressionTable(Generic[Area]):
    """suppress_breakdown's working state (its docstring says the method)."""

    def __init__(
        self,
        counts: Mapping[Area, Mapping[str, int]],
        parts: Mapping[Area, Sequence[Area]],
        totals_shown: bool,
    ) -> None:
        self.given = counts
        # Only whole numbers take part; anything else is passed through as it is.
        self.counts: dict[Area, dict[str, int]] = {
            area: {c: n for c, n in row.items() if type(n) is int} for area, row in counts.items()
        }
        self.totals_shown = totals_shown
        self.parent: dict[Area, Area] = {}
        self.children: dict[Area, list[Area]] = {area: [] for area in counts}
        for whole, areas in parts.items():
            for area in areas:
                if whole not in counts or area not in counts:
                    continue
                if area in self.parent:
                    raise ValueError(f"{area!r} is a part of two sums.")
                self.parent[area] = whole
                self.children[whole].append(area)
        self.hidden: set[Cell] = {
            (area, c) for area, row in self.counts.items() for c, n in row.items() if _small(n)
        }
        self.protected: set[Cell] = set()

    def suppressed(self) -> dict[Area, dict[str, int | str]]:
        for area, row in self.counts.items():
            for category, count in row.items():
                if _small(count) and (area, category) not in self.protected:
                    self._protect(area, category)
        return {
            area: {
                c: SUPPRESSED if (area, c) in self.hidden else n
                for c, n in self.given[area].items()
            }
            for area in self.given
        }

    def _protect(self, area: Area, category: str) -> None:
        best: _Choice | None = None
        for choice in self._choices(area, category):
            if best is not None and best.strength == 0 and choice.level > best.level:
                break  # nothing wider can beat a choice with no zero corner
            if best is None or choice.rank < best.rank:
                best = choice
        if best is None:  # a row of one category: nothing can keep it from its total
            self.protected.add((area, category))
            return
        self.hidden |= best.moves.keys()
        self.protected |= best.moves.keys()

    def _choices(self, area: Area, category: str) -> Iterator[_Choice]:
        """Every valid set of corners for one suppressed count, nearest areas first."""
        line = [area]  # the area and the sums above it, up to the nation
        while line[-1] in self.parent:
            line.append(self.parent[line[-1]])
        others: list[str | None] = (
            [c for c in self.counts[area] if c != category] if self.totals_shown else [None]
        )
        for level, top in enumerate(line):
            if top in self.parent:  # a partner beside `top` in the sum above it
                partners: list[Area | None] = [
                    a for a in self.children[self.parent[top]] if a != top
                ]
            else:  # the top of the table: the whole line moves
                partners = [None]
            for other in others:
                gaining = line[: level + 1] + self._down(area, category, other, 1)
                for partner in partners:
                    losing = []
                    if partner is not None:
                        losing = [partner, *self._down(partner, category, other, -1)]
                    choice = self._judge(gaining, losing, category, other, level)
                    if choice is not None:
                        yield choice

    def _corners(self, area: Area, category: str, other: str | None, sign: int) -> dict[Cell, int]:
        corners = {(area, category): sign}
        if other is not None:
            corners[(area, other)] = -sign
        return corners

    def _down(self, area: Area, category: str, other: str | None, sign: int) -> list[Area]:
        """A sum moves only if one of its parts moves with it: the best part at each level
        down to a hub (every corner non-zero, else the side losing a person non-zero, then
        the fewest people newly hidden, then the order)."""
        path: list[Area] = []
        while self.children[area]:

            def rank(part: Area) -> tuple[int, int]:
                corners = self._corners(part, category, other, sign)
                if any(c not in self.counts[a] for a, c in corners):
                    return (3, 0)
                values = [self.counts[a][c] for a, c in corners]
                if all(v >= 1 for v in values):
                    strength = 0
                elif all(self.counts[a][c] >= 1 for (a, c), k in corners.items() if k > 0):
                    strength = 1
                else:
                    strength = 2
                return (
                    strength,
                    sum(self.counts[a][c] for a, c in corners if (a, c) not in self.hidden),
                )

            area = min(self.children[area], key=rank)
            path.append(area)
        return path

    def _judge(
        self,
        gaining: list[Area],
        losing: list[Area],
        category: str,
        other: str | None,
        level: int,
    ) -> _Choice | None:
        moves: dict[Cell, int] = {}
        for areas, sign in ((gaining, 1), (losing, -1)):
            for area in areas:
                moves |= self._corners(area, category, other, sign)
        values: dict[Cell, int] = {}
        for area, c in moves:
            value = self.counts[area].get(c)
            if value is None:  # a category the row does not have
                return None
            values[(area, c)] = value
        if all(v >= 1 for v in values.values()):
            strength = 0
        elif all(values[cell] >= 1 for cell, k in moves.items() if k > 0):
            strength = 1  # the move can be made: one person less in each + corner
        else:
            return None
        new = [cell for cell in moves if cell not in self.hidden]
        return _Choice(moves, strength, level, sum(values[c] for c in new), len(new))
