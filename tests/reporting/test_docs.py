"""The documentation the product carries (issue 17): docs/rules.md and docs/returns.md are
generated from the code and must be what the code generates now, so a rule or a figure
changed without `manage.py docs_generate` fails here; every link in the docs reaches a
file in the repository; nothing the product shows or the docs say sends a reader to a
file outside it."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class

from reporting import kpi
from reporting.docs import GENERATED, generated
from reporting.scenario import SCHEMA, SCHEMA_PATH, import_document

ROOT = Path(settings.BASE_DIR).resolve()
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
# What a reader does not have: the team's brief beside the checkout, its folder or any
# of its files, however a text names them. One pattern for every test below.
BRIEF = re.compile(
    r"\.\./shared\b|\bshared/|"
    r"\b(?:SECURITY|DESIGN|STYLE|KPI|RECIPES)\.md\b|\b(?:PROGRAMME-RULES|SCENARIO-FORMAT)\b"
)
# The apps whose commands are ours (the sessions app's label is "delivery").
OUR_APPS = ("peernet", "participants", "cohorts", "sessions", "reporting", "demo")


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- generated pages ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GENERATED))
def test_the_generated_page_is_what_the_code_generates(name):
    on_disk = (ROOT / name).read_text(encoding="utf-8")

    assert on_disk == generated([name])[name], (
        f"{name} is out of date: run `python manage.py docs_generate` and commit it"
    )


def test_a_changed_definition_makes_the_page_stale(monkeypatch):
    monkeypatch.setitem(kpi.LABELS, "registrations_month", "Enquiries, month")

    text = generated(["docs/returns.md"])["docs/returns.md"]

    assert "Enquiries, month" in text
    assert text != (ROOT / "docs" / "returns.md").read_text(encoding="utf-8")


def test_docs_generate_writes_the_pages_and_check_names_a_stale_one(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    with pytest.raises(CommandError) as raised:
        call_command("docs_generate", "--check", stdout=StringIO())
    assert raised.value.returncode == 1
    assert "docs/rules.md, docs/returns.md" in str(raised.value)
    assert not (tmp_path / "docs").exists(), "--check writes nothing"

    out = StringIO()
    call_command("docs_generate", stdout=out)

    assert "docs/rules.md written." in out.getvalue()
    for name, text in generated().items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    call_command("docs_generate", "--check", stdout=StringIO())  # up to date: no error


def test_every_rule_and_figure_is_on_its_page():
    rules_page, returns_page = generated().values()
    from rules import CHECKS, FEATURES

    for rule in [*CHECKS, *FEATURES]:
        assert f"\n| {rule} |" in rules_page, rule
    for figure in kpi.FIGURE_IDS:
        assert f"| `{figure}` | {kpi.LABELS[figure]} |" in returns_page, figure
    for breakdown in kpi.BREAKDOWN_IDS:
        assert f"| `{breakdown}` |" in returns_page, breakdown


# --- links and files ------------------------------------------------------------------------


def anchors(markdown: str) -> set[str]:
    """The anchors a Markdown renderer (GitHub's) gives the headings."""
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in HEADING.findall(markdown)
    }


@pytest.mark.parametrize("doc", DOCS, ids=relative)
def test_every_link_in_the_docs_reaches_a_file_in_the_repository(doc):
    text = doc.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{relative(doc)} links to {target}, which is not there"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved.read_text(encoding="utf-8")), target


@pytest.mark.parametrize("doc", DOCS, ids=relative)
def test_every_file_a_doc_names_in_code_style_is_in_the_repository(doc):
    """docs/security.md names the tests that prove each property: they must exist."""
    text = doc.read_text(encoding="utf-8")
    named = re.findall(
        r"`((?:tests|docs|peernet|participants|cohorts|sessions|reporting)/[\w/.-]+\.(?:py|md))`",
        text,
    )
    assert [name for name in named if not (ROOT / name).exists()] == []


def test_security_properties_are_numbered_one_to_twenty_seven():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r"^(\d+)\. \*\*", text, re.M)]
    assert numbers == list(range(1, 28))


def test_each_guide_shows_its_role_s_screenshots():
    guides = ROOT / "docs" / "guides"
    for role in (
        "hub-administrator",
        "facilitator",
        "one-to-one-provider",
        "national-coordinator",
        "beis",
        "evaluator",
    ):
        text = (guides / f"{role}.md").read_text(encoding="utf-8")
        shots = [t for t in LINK.findall(text) if t.endswith(".png")]
        assert len(shots) >= 3, role


@pytest.mark.parametrize("doc", DOCS, ids=relative)
def test_no_doc_sends_a_reader_outside_the_repository(doc):
    text = doc.read_text(encoding="utf-8")

    assert not BRIEF.findall(text)


def test_no_page_names_a_file_its_reader_does_not_have():
    """What a page renders (its comments aside) names no Markdown file."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.*")):
        text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"{% comment %}.*?{% endcomment %}", "", text, flags=re.S)
        if re.search(r"\b[\w-]+\.md\b", text) or BRIEF.search(text):
            found.append(relative(path))
    assert not found


def test_no_command_s_help_names_a_file_its_reader_does_not_have():
    """Whoever runs a command has the checkout: its help may name docs in it, only."""
    found = []
    for name, app in sorted(get_commands().items()):
        if app not in OUR_APPS:
            continue
        parser = load_command_class(app, name).create_parser("manage.py", name)
        for file in re.findall(r"[\w./-]+\.md\b", parser.format_help()):
            if not (ROOT / file).is_file():
                found.append(f"{name}: {file}")
    assert not found


BRIEF_NAMED_ON_PURPOSE = {
    "tests/reporting/test_docs.py",  # its patterns describe what to look for
}


def test_no_source_names_a_file_of_the_team_s_brief():
    """Code, comments, templates, scripts and tests cite the repository's own docs
    (docs/security.md §N, docs/returns.md ...), never a file a reader does not have."""
    found = [
        relative(path)
        for path in sorted(ROOT.rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".html", ".txt", ".scss", ".mjs", ".toml", ".sh", ""}
        and not {".venv", ".venv-load", "node_modules", ".git", "var", "staticfiles", "docs"}
        & set(path.relative_to(ROOT).parts)
        and relative(path) not in BRIEF_NAMED_ON_PURPOSE
        and BRIEF.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not found


def test_no_test_or_script_reads_outside_the_repository():
    """The tests and scripts run from the checkout alone (the brief beside it is the
    team's, not the product's)."""
    outside = re.compile(r"BASE_DIR\)?\.parent\b|\.\./shared|/work/shared|\"shared\" /")
    found = [
        relative(path)
        for folder in ("tests", "scripts", "benchmarks", ".ci")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".sh", ""}
        and outside.search(path.read_text(encoding="utf-8", errors="replace"))
        and path != Path(__file__).resolve()
    ]
    assert not found


def test_the_published_schema_names_no_file():
    assert not re.search(r"\b[\w-]+\.md\b", SCHEMA_PATH.read_text(encoding="utf-8"))


# --- the scenario format's page -------------------------------------------------------------

SCENARIO_PAGE = ROOT / "docs" / "scenario-format.md"


def test_the_scenario_page_describes_every_section_of_the_schema():
    text = SCENARIO_PAGE.read_text(encoding="utf-8")

    missing = [name for name in SCHEMA["properties"] if f"`{name}`" not in text]

    assert not missing
    assert "../reporting/scenario/schema.json" in text and "/scenario/schema.json" in text


@pytest.mark.django_db
def test_the_scenario_page_s_example_imports():
    [example] = re.findall(r"```json\n(.*?)```", SCENARIO_PAGE.read_text(encoding="utf-8"), re.S)

    summary = import_document(json.loads(example))

    assert summary.created["participants"] == 1
    assert summary.created["surveys"] == 1
