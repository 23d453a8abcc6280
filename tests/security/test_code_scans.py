"""Properties of the source itself, checked by reading it (SECURITY.md 4, 16, 27). Each
scan has a test showing it finds what it looks for, so it cannot pass by matching nothing.

- 16: no template turns escaping off (`|safe`, `|safeseq`, `{% autoescape off %}`), and
  Python marks text safe only where it is not user data (ALLOWED_MARK_SAFE).
- 4: forms list their fields: no `fields = "__all__"` and no `exclude` (a new model field
  would silently become editable), and every ModelForm in the project names its fields.
- 27: Celery tasks are enqueued after commit: `delay_on_commit`, or `.delay(` /
  `.apply_async(` inside `transaction.on_commit(...)` on the same line.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

APPS = ("peernet", "participants", "cohorts", "sessions", "reporting")
ROOT = Path(settings.BASE_DIR)

UNESCAPED_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}")
MARK_SAFE = re.compile(r"\b(mark_safe|SafeString|SafeText)\(")
# peernet/account_views.py: the enrolment QR code, an SVG drawn by segno from the TOTP
# secret's provisioning URI, which holds no user-typed text.
ALLOWED_MARK_SAFE = {"peernet/account_views.py"}
ALL_FIELDS = re.compile(r"""\bfields\s*=\s*["']__all__["']|^\s*exclude\s*=""")
ENQUEUE = re.compile(r"\.(delay|apply_async)\(")
AFTER_COMMIT = re.compile(r"on_commit\(.*\.(delay|apply_async)\(")


def _python_sources() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def _lines(paths: list[Path]) -> list[tuple[str, int, str]]:
    return [
        (str(path.relative_to(ROOT)), number, line)
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), start=1)
    ]


def test_the_scans_read_the_whole_project():
    assert len(_python_sources()) > 50
    assert len(list((ROOT / "templates").rglob("*.html"))) > 50


# --- 16: escaping ----------------------------------------------------------------------------


def test_no_template_turns_escaping_off():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    found = [
        f"{where}:{n}: {line.strip()}"
        for where, n, line in _lines(templates)
        if UNESCAPED_TEMPLATE.search(line)
    ]
    assert not found, found


def test_text_is_marked_safe_only_where_it_holds_no_user_data():
    found = [
        f"{where}:{n}: {line.strip()}"
        for where, n, line in _lines(_python_sources())
        if MARK_SAFE.search(line) and where not in ALLOWED_MARK_SAFE
    ]
    assert not found, found


@pytest.mark.parametrize(
    "line",
    ["{{ note.text|safe }}", "{{ items|safeseq }}", "{% autoescape off %}", "{{ x | safe }}"],
)
def test_the_template_scan_finds_unescaped_output(line):
    assert UNESCAPED_TEMPLATE.search(line)


def test_the_python_scan_finds_text_marked_safe():
    assert MARK_SAFE.search("return mark_safe(note.text)")
    assert MARK_SAFE.search("SafeString(f'<b>{name}</b>')")
    assert not MARK_SAFE.search("def svg(self) -> SafeString:")


def test_the_template_scan_leaves_ordinary_output_alone():
    assert not UNESCAPED_TEMPLATE.search("{{ note.text|linebreaksbr }} {{ safe_word }}")


# --- 4: forms list their fields ----------------------------------------------------------------


def test_no_form_takes_every_field():
    found = [
        f"{where}:{n}: {line.strip()}"
        for where, n, line in _lines(_python_sources())
        if ALL_FIELDS.search(line)
    ]
    assert not found, found


@pytest.mark.parametrize("line", ['    fields = "__all__"', "        exclude = ['hub']"])
def test_the_fields_scan_finds_every_field(line):
    assert ALL_FIELDS.search(line)


def _model_forms() -> list[type[forms.ModelForm]]:
    for path in _python_sources():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if "forms" in module:
            importlib.import_module(module)
    found: list[type[forms.ModelForm]] = []
    pending = list(forms.ModelForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending += form.__subclasses__()
        if inspect.getmodule(form).__name__.split(".")[0] in APPS:
            found.append(form)
    return found


def test_every_model_form_names_its_fields():
    for form in _model_forms():
        fields = getattr(form._meta, "fields", None)
        assert isinstance(fields, list | tuple), f"{form.__name__} must list Meta.fields"
        assert not getattr(form._meta, "exclude", None), f"{form.__name__} uses exclude"


# --- 27: tasks enqueued after commit ------------------------------------------------------------


def test_tasks_are_enqueued_after_commit():
    found = [
        f"{where}:{n}: {line.strip()}"
        for where, n, line in _lines(_python_sources())
        if ENQUEUE.search(line) and not AFTER_COMMIT.search(line)
    ]
    assert not found, (
        "Enqueue with .delay_on_commit(...), or inside transaction.on_commit(...), so a "
        f"worker never reads a row that is not committed (or never will be): {found}"
    )


def test_the_enqueue_scan_tells_the_two_apart():
    assert ENQUEUE.search("export_build.delay(export.pk)")
    assert ENQUEUE.search("task.apply_async(args=[1])")
    assert not ENQUEUE.search("task.delay_on_commit(1)")
    assert AFTER_COMMIT.search("transaction.on_commit(lambda: export_build.delay(export.pk))")
