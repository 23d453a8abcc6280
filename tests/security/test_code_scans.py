"""Properties of the source itself, checked by reading it (docs/security.md §4, §16, §27). Each
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

APPS = ("peernet", "participants", "cohorts", "sessions", "reporting", "rules", "demo")
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


# The one place that publishes: a task held by `delay_on_commit` (every task's), sent
# from the commit's callback or, if the broker was away, by beat's sweep of committed rows.
PUBLISHES_HELD_TASKS = "peernet/outbox.py"


def test_tasks_are_enqueued_after_commit():
    found = [
        f"{where}:{n}: {line.strip()}"
        for where, n, line in _lines(_python_sources())
        if ENQUEUE.search(line)
        and not AFTER_COMMIT.search(line)
        and not str(where).endswith(PUBLISHES_HELD_TASKS)
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


# --- 21: every writing service leaves an audit event ------------------------------------------

# The modules of services that write (`@transaction.atomic`, public): each must call
# `audit.record(...)`, or be named here with why it need not.
SERVICE_MODULES = (
    "cohorts/services.py",
    "participants/services.py",
    "participants/surveys/services.py",
    "sessions/services.py",
    "sessions/quality.py",
    "sessions/attendance/services.py",
    "sessions/one_to_one/services.py",
    "sessions/action_cards.py",
    "sessions/action_card_links.py",
    "reporting/returns.py",
    "reporting/services.py",
    "reporting/exports.py",
    "peernet/privacy/erasure.py",
    "peernet/privacy/retention.py",
    "peernet/services.py",
    "peernet/staff.py",
    "peernet/breaches.py",
    "peernet/second_factor.py",
    "rules/services.py",
)
NOT_AUDITED = {
    # The system's own bookkeeping, run by the scheduler: no one changes anything.
    "reporting/returns.py:compile_draft": "a draft, recomputed from the records; never frozen",
    "reporting/returns.py:compile_drafts": "the same, for every hub on the 1st",
    "reporting/returns.py:return_draft_create": "an empty draft; submit_return audits",
    "peernet/second_factor.py:second_factor_device_pending": "unconfirmed: opens nothing",
    "reporting/services.py:risk_scan_run": "the daily scan's findings, recomputed",
    "reporting/services.py:findings_judge": "findings recomputed from the records",
    "reporting/services.py:risk_digest_send": "an email of the scan's findings",
    "peernet/services.py:worker_heartbeat_record": "a timestamp for /health/",
    "rules/services.py:rule_warnings_record": "called by audited services",
    "rules/services.py:judge_and_record": "called by audited services, which audit the action",
    "participants/surveys/services.py:survey_invitation_send": "an email; sent_at only",
    "sessions/quality.py:observation_book_and_notify": "observation_book records it",
    "participants/services.py:participant_sign_charter_by_link": "participant_sign_charter audits",
    "participants/surveys/services.py:survey_invitation_remind": "an email; reminded_at only",
    "participants/surveys/services.py:survey_save_page": "a draft of answers; audited when sent",
    "reporting/exports.py:export_request": "aggregates; a personal-data download is audited",
}


def _writing_services() -> dict[str, str]:
    """ "module:function" -> its source, for every public @transaction.atomic function.

    A private helper of the same module that records the event (``_audit_given`` in
    peernet/staff.py) counts as the service recording it: its call is replaced by
    ``audit.record(`` in the source the scan reads."""
    import ast
    import re

    found = {}
    for module in SERVICE_MODULES:
        tree = ast.parse((ROOT / module).read_text())
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        recorders = [
            node.name
            for node in functions
            if node.name.startswith("_") and "audit.record(" in ast.unparse(node)
        ]
        for node in functions:
            if node.name.startswith("_"):
                continue
            if any("atomic" in ast.unparse(d) for d in node.decorator_list):
                source = ast.unparse(node)
                for helper in recorders:
                    source = re.sub(rf"\b{helper}\(", "audit.record(", source)
                found[f"{module}:{node.name}"] = source
    return found


def test_every_writing_service_records_an_audit_event():
    services = _writing_services()
    assert len(services) > 30
    silent = sorted(
        name
        for name, source in services.items()
        if "audit.record(" not in source and name not in NOT_AUDITED
    )
    assert not silent, f"Record an audit event (peernet.audit.record) in: {silent}"
    assert not sorted(set(NOT_AUDITED) - set(services)), "NOT_AUDITED names a stale service"
