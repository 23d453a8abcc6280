"""Two ideas about people's data are each written once, and a scan of the source keeps
them so: small-count suppression (peernet/privacy/suppression.py) and the evaluator's
pseudonym (peernet/privacy/pseudonyms.py). Each scan has a test showing it finds what it
looks for, so it cannot pass by matching nothing.

- Suppression: outside its home, a function whose name speaks of suppressing must hand
  the counts to the home (directly or through a helper of its module), and no module
  states the small-count threshold again.
- Pseudonyms: only the evaluator's pseudonym is called a pseudonym, and its key is
  derived in one place. What replaces an erased participant's identifiers is their
  erased identity, built in one place too (peernet/privacy/erasure.py).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from django.conf import settings

from peernet.privacy import suppression

ROOT = Path(settings.BASE_DIR)
SUPPRESSION_HOME = "peernet/privacy/suppression.py"
PSEUDONYM_HOME = "peernet/privacy/pseudonyms.py"
ERASURE_HOME = "peernet/privacy/erasure.py"
# What the rest of the code calls to suppress counts.
SUPPRESSION_API = {"suppress_breakdown", "suppress_counts", "suppress_small"}
NOT_RUNTIME = {
    "tests",
    "migrations",
    ".venv",
    ".venv-load",
    "node_modules",
    ".git",
    "var",
    "static",
}


def _runtime_sources() -> dict[str, str]:
    """Every Python file that runs in the product: path -> source (tests excluded)."""
    found = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in NOT_RUNTIME and not d.startswith("."))
        for name in files:
            if name.endswith(".py"):
                path = Path(folder, name)
                found[str(path.relative_to(ROOT))] = path.read_text()
    return found


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def second_suppressions(path: str, source: str) -> list[str]:
    """The suppressions a module writes for itself: functions named for suppressing that
    never reach the home, and the threshold stated again."""
    if path == SUPPRESSION_HOME:
        return []
    tree = ast.parse(source)
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    reaching = {name for name, node in functions.items() if _calls(node) & SUPPRESSION_API}
    grown = True
    while grown:  # through the module's own helpers
        more = {n for n, node in functions.items() if _calls(node) & reaching} - reaching
        reaching |= more
        grown = bool(more)
    found = [
        f"{path}:{name}"
        for name, node in functions.items()
        if "suppress" in name.lower() and name not in reaching
    ]
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        found += [
            f"{path}:{target.id}"
            for target in targets
            if isinstance(target, ast.Name) and target.id in ("SMALL_COUNT", "SUPPRESSED")
        ]
    return found


def second_pseudonyms(path: str, source: str) -> list[str]:
    """Functions, classes or module names called pseudonyms, and pseudonym keys derived,
    outside the home; erased identities built outside erasure."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        named = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if named and "pseudonym" in node.name.lower() and path != PSEUDONYM_HOME:
            found.append(f"{path}:{node.name}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and path != PSEUDONYM_HOME
            and node.value.startswith("peernet.")
            and "pseudonym" in node.value
        ):
            found.append(f"{path}: a pseudonym's key ({node.value})")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("erased-")
            and path != ERASURE_HOME
        ):
            found.append(f"{path}: an erased identity ({node.value!r})")
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        found += [
            f"{path}:{target.id}"
            for target in targets
            if isinstance(target, ast.Name)
            and "pseudonym" in target.id.lower()
            and path != PSEUDONYM_HOME
        ]
    return found


def test_the_scans_read_the_whole_product():
    sources = _runtime_sources()
    assert len(sources) > 80
    assert {SUPPRESSION_HOME, PSEUDONYM_HOME, ERASURE_HOME} <= set(sources)
    assert not [path for path in sources if path.startswith("tests/")]


def test_small_count_suppression_has_one_home():
    found = [f for path, src in _runtime_sources().items() for f in second_suppressions(path, src)]
    assert not found, f"Suppress through peernet.privacy.suppression instead: {found}"
    assert set(vars(suppression)) >= SUPPRESSION_API


def test_the_suppression_scan_finds_a_second_suppression():
    written_again = (
        "SMALL_COUNT = 5\n"
        "def suppress_few(count):\n"
        "    return 'fewer than 5' if 0 < count < 5 else count\n"
    )
    assert sorted(second_suppressions("cohorts/x.py", written_again)) == [
        "cohorts/x.py:SMALL_COUNT",
        "cohorts/x.py:suppress_few",
    ]
    delegating = (
        "def suppressed(rows):\n"
        "    return _suppressed(rows)\n"
        "def _suppressed(rows):\n"
        "    return suppress_breakdown(rows)\n"
    )
    assert second_suppressions("reporting/x.py", delegating) == []


def test_the_evaluators_pseudonym_has_one_home():
    found = [f for path, src in _runtime_sources().items() for f in second_pseudonyms(path, src)]
    assert not found, f"One pseudonym (peernet.privacy.pseudonyms), one erased identity: {found}"


def test_the_pseudonym_scan_finds_a_second_pseudonym():
    written_again = (
        "def participant_pseudonym(code):\n"
        "    return salted_hmac('peernet.pseudonym', str(code)).hexdigest()\n"
        "def erased_key(participant):\n"
        "    return 'erased-' + participant.code.hex\n"
    )
    assert sorted(second_pseudonyms("participants/x.py", written_again)) == [
        "participants/x.py: a pseudonym's key (peernet.pseudonym)",
        "participants/x.py: an erased identity ('erased-')",
        "participants/x.py:participant_pseudonym",
    ]
