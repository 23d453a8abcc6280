"""The scenario reader's bookkeeping (reporting/scenario/reader.py reads the records):
the problems found, the keys each kind defines and the references to check, values
converted from the document's text, uniqueness across the document, and the keys made
for items that have none."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

from reporting.scenario.plan import KEYED_KINDS, Plan, Ref, Row
from reporting.scenario.problems import Problem, join_path
from reporting.scenario.validation import Unreadable
from reporting.scenario.values import parse_date, parse_datetime, parse_decimal

T = TypeVar("T")
MAX_KEY_LENGTH = 60


class Bookkeeping:
    """What a `Reader` keeps while it reads, and the helpers every reader of a record uses."""

    def __init__(
        self, document: dict[str, Any], *, update: bool, faulty: frozenset[str] = frozenset()
    ) -> None:
        self.document = document
        self.update = update
        self.faulty = faulty  # paths of values the schema refused: unknown here
        self.problems: list[Problem] = []
        self.refs: list[Ref] = []
        self.defined: dict[str, dict[str, str]] = defaultdict(dict)  # kind → key → path
        self.plan = Plan(programme={}, rules={}, update=update)
        self.generated_keys: dict[str, str] = {}  # item path → generated key
        self.seen: dict[str, dict[Hashable, str]] = defaultdict(dict)  # for _unique
        # Gathered while reading, for the checks across records.
        self.members: dict[str, set[str]] = defaultdict(set)  # cohort key → participants
        self.current_spells: dict[str, list[str]] = defaultdict(list)  # participant → paths
        self.session_cohort: dict[str, str] = {}  # session key → cohort key
        self.eligible: dict[str, list[tuple[str, str]]] = defaultdict(list)  # business → (p, path)
        self.feedback_on_other_sessions: list[tuple[str, str, str]] = []  # (session, p, path)
        self.unread_cohorts: set[str] = set()  # skipped as unreadable: members unknown

    # -- helpers -----------------------------------------------------------------------

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def _convert(self, parse: Callable[[Any], T], value: Any, path: str) -> T | None:
        if value is None or path in self.faulty:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problem(path, str(exc))
            return None

    def _date(self, item: dict[str, Any], name: str, path: str) -> dt.date | None:
        return self._convert(parse_date, item.get(name), f"{path}.{name}")

    def _datetime(self, item: dict[str, Any], name: str, path: str) -> dt.datetime | None:
        return self._convert(parse_datetime, item.get(name), f"{path}.{name}")

    def _decimal(self, item: dict[str, Any], name: str, path: str) -> Decimal | None:
        return self._convert(parse_decimal, item.get(name), f"{path}.{name}")

    def _ref(self, kind: str, key: str | None, path: str) -> Ref | None:
        """A reference to check: it must name a record in the document or the database."""
        if key is None or path in self.faulty:
            return None
        ref = Ref(kind, key, path)
        self.refs.append(ref)
        return ref

    def _programme_ref(self, path: str) -> Ref | None:
        name = self.plan.programme.get("name")
        return None if name is None else Ref("programme", name, path)

    def _add(self, kind: str, row: Row) -> None:
        if row.key is not None:
            self._define(kind, row.key, row.path)
        self.plan.rows[kind].append(row)

    def _define(self, kind: str, key: str, path: str) -> None:
        first = self.defined[kind].get(key)
        if first is not None:
            noun = KEYED_KINDS[kind]
            self.problem(f"{path}.key", f'the {noun} key "{key}" is also used at {first}')
        else:
            self.defined[kind][key] = path

    def _items(
        self, items: list[Any] | None, path: str, kind: str | None = None, cohort: str | None = None
    ) -> Iterator[tuple[str, Any]]:
        """(path, item) for each item of a list the reader can read. One the schema found
        too malformed is skipped, but its key (for a keyed `kind`) still counts as defined,
        so references to it are not reported as faults of their own."""
        for index, item in enumerate(items or []):
            item_path = join_path(path, index)
            if isinstance(item, Unreadable):
                self._salvage(kind, item.raw, item_path, cohort)
            else:
                yield item_path, item

    def _salvage(self, kind: str | None, raw: Any, path: str, cohort: str | None = None) -> None:
        """The keys of an unreadable item (a cohort's: its sessions' too), as far as they
        can be read."""
        key = raw.get("key") if isinstance(raw, dict) else None
        if kind not in KEYED_KINDS or not isinstance(key, str):
            return
        self._define(kind, key, path)
        if kind == "sessions" and cohort is not None:
            self.session_cohort[key] = cohort
        if kind == "cohorts":
            self.unread_cohorts.add(key)
            sessions = raw.get("sessions")
            for index, session in enumerate(sessions if isinstance(sessions, list) else []):
                self._salvage("sessions", session, join_path(path, "sessions", index), key)

    def _unique(self, scope: str, value: Hashable, path: str, message: str) -> None:
        """A value the database holds unique, e.g. a cluster's name; `message` may name
        the `{first}` path that used it."""
        first = self.seen[scope].get(value)
        if first is not None:
            self.problem(path, message.format(first=first))
        else:
            self.seen[scope][value] = path

    def _not_before(self, earlier: Any, later: Any, path: str, message: str) -> None:
        if earlier is not None and later is not None and later < earlier:
            self.problem(path, message)

    def _generate_keys(self) -> None:
        """`<participant>-o<n>` and `<hub>-c<n>` for one-to-ones and complaints without a
        key, numbered in the document's order and skipping keys the document uses."""
        for section, owner, letter in (
            ("one_to_ones", "participant", "o"),
            ("complaints", "hub", "c"),
        ):
            items = self.document.get(section) or []
            taken = {item["key"] for item in items if isinstance(item, dict) and "key" in item}
            counters: Counter[str] = Counter()
            for index, item in enumerate(items):
                if not isinstance(item, dict) or "key" in item:
                    continue
                while True:
                    counters[item[owner]] += 1
                    key = f"{item[owner]}-{letter}{counters[item[owner]]}"
                    if key not in taken:
                        break
                taken.add(key)
                path = join_path(section, index)
                self.generated_keys[path] = key
                if len(key) > MAX_KEY_LENGTH:
                    self.problem(
                        f"{path}.key",
                        f'the generated key "{key}" is longer than {MAX_KEY_LENGTH} characters; '
                        "give this record a key",
                    )

    # -- programme and structure -------------------------------------------------------
