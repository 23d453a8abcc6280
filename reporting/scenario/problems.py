"""What an import reports: every problem at its JSON path, in a plain sentence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (`cohorts[0].sessions[1].hours`) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(Exception):
    """A document that cannot be imported (or a hub that cannot be exported); nothing was
    written. Carries every problem found, not only the first (docs/security.md §20)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def join_path(*parts: str | int) -> str:
    """`join_path("cohorts", 0, "sessions", 1)` → `cohorts[0].sessions[1]`."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif path:
            path += f".{part}"
        else:
            path = part
    return path


def format_path(parts: Iterable[str | int]) -> str:
    return join_path(*parts)
