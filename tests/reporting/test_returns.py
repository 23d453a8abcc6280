"""Monthly returns (docs/returns.md "Submission"; M1, M2; docs/security.md §26): compiling,
submitting and freezing, resubmission, the status and its deadline, reminders and the schedule."""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction

from peernet.calendar import LONDON
from peernet.celery import app as celery_app
from peernet.models import Hub, User
from reporting import kpi, returns, tasks
from reporting.models import FrozenReturn, MonthlyReturn, ReturnVersion
from reporting.scenario import import_document
from sessions.models import Complaint, GroupSession
from tests.reporting.test_kpi_scenario import HA_OCTOBER, document

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2021, 10, 1)


def london(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def hubs() -> dict[str, Hub]:
    import_document(document())
    return {hub.key: hub for hub in Hub.objects.select_related("cluster")}


@pytest.fixture
def admin() -> User:
    return User.objects.get(key="ha-admin")


def _submit(hub: Hub, admin: User, at: str = "2021-11-03T10:00", **kwargs) -> ReturnVersion:
    monthly_return = returns.compile_draft(hub.pk, OCTOBER, now=london("2021-11-01T01:00"))
    return returns.submit_return(
        monthly_return, admin, kwargs.pop("narrative", "A good month."), now=london(at), **kwargs
    )


# --- compiling ----------------------------------------------------------------------------


def test_compiling_stores_the_figures_and_is_idempotent(hubs):
    first = returns.compile_draft(hubs["ha"].pk, "2021-10", now=london("2021-11-01T01:00"))
    assert first.draft_figures == HA_OCTOBER
    assert first.draft_parts["attendance_rate_month"] == {"numerator": 5, "denominator": 6}
    again = returns.compile_draft(hubs["ha"].pk, "2021-10", now=london("2021-11-01T02:00"))
    assert again.pk == first.pk
    assert again.draft_figures == first.draft_figures
    assert again.draft_breakdowns == first.draft_breakdowns
    assert MonthlyReturn.objects.count() == 1


# --- submitting and freezing --------------------------------------------------------------


def test_submitting_freezes_the_figures_whatever_later_edits_do(hubs, admin):
    version = _submit(hubs["ha"], admin)
    assert (version.version, version.reason, version.narrative) == (1, "", "A good month.")
    assert version.figures == HA_OCTOBER
    assert version.submitted_at == london("2021-11-03T10:00")
    content = {
        "breakdowns": version.breakdowns,
        "figures": version.figures,
        "hub": "ha",
        "month": "2021-10",
        "narrative": "A good month.",
        "parts": version.parts,
    }
    canonical = returns.canonical_json(content)
    assert canonical.startswith('{"breakdowns":{"age_band":{"16-24":0,')  # sorted, no spaces
    assert '": ' not in canonical and ', "' not in canonical
    assert version.sha256 == hashlib.sha256(canonical.encode()).hexdigest()

    # Records edited afterwards: a fresh computation changes, the version does not.
    GroupSession.objects.filter(key="c1-s7").update(status="cancelled")
    Complaint.objects.create(hub=hubs["ha"], key="k9", received=OCTOBER, summary="Late.")
    fresh = kpi.figures_json(kpi.compute_hub(hubs["ha"], OCTOBER)["figures"])
    assert fresh["sessions_delivered_month"] == 2
    assert fresh["complaints_month"] == 2
    version.refresh_from_db()
    assert version.figures == HA_OCTOBER
    assert returns.version_sha256(version) == version.sha256
    # Recompiling a submitted return leaves it alone.
    monthly_return = returns.compile_draft(hubs["ha"].pk, OCTOBER)
    assert monthly_return.draft_figures == HA_OCTOBER
    assert returns.latest_versions([hubs["ha"]], OCTOBER)[hubs["ha"].pk] == version


def test_a_draft_compiled_before_the_month_ended_is_compiled_again_at_submission(hubs, admin):
    """A draft compiled on 20 October holds part of the month: submitted on 3 November,
    the frozen figures are the whole month's, not the part's."""
    early = returns.compile_draft(hubs["ha"].pk, OCTOBER, now=london("2021-10-20T12:00"))
    complaints = early.draft_figures["complaints_month"]
    Complaint.objects.create(
        hub=hubs["ha"], key="k-late-october", received=dt.date(2021, 10, 29), summary="Cold."
    )
    version = returns.submit_return(early, admin, "A good month.", now=london("2021-11-03T10:00"))
    assert version.figures["complaints_month"] == complaints + 1
    early.refresh_from_db()
    assert early.draft_compiled_at == london("2021-11-03T10:00")


def test_a_resubmission_needs_a_reason_and_makes_version_2(hubs, admin):
    first = _submit(hubs["ha"], admin)
    GroupSession.objects.filter(key="c1-s7").update(status="cancelled")
    monthly_return = first.monthly_return
    with pytest.raises(returns.ReturnProblem) as problem:
        returns.submit_return(monthly_return, admin, "Corrected.", "", now=london("2021-11-04"))
    assert problem.value.problems == {"reason": "Enter why you are resubmitting the return"}
    assert ReturnVersion.objects.count() == 1

    second = returns.submit_return(
        monthly_return,
        admin,
        "Corrected.",
        "  c1-s7 was cancelled, not delivered.  ",
        expected_version=1,
        now=london("2021-11-10T09:00"),
    )
    assert (second.version, second.reason) == (2, "c1-s7 was cancelled, not delivered.")
    assert second.figures["sessions_delivered_month"] == 2
    assert second.figures["late_joining_instructions_month"] == 2
    first.refresh_from_db()
    assert first.figures == HA_OCTOBER  # earlier versions stay readable, unchanged
    changed = [d.figure for d in returns.differences(first.figures, second.figures) if d.changed]
    assert changed == [
        "sessions_delivered_month",
        "sessions_delivered_cumulative",
        "group_hours_delivered_month",
        "group_hours_delivered_cumulative",
        "late_joining_instructions_month",
        "sessions_missing_attendance",
    ]
    assert returns.latest_versions([hubs["ha"]], OCTOBER)[hubs["ha"].pk] == second
    # On time is judged by the first version (M1): still on time.
    assert returns.return_status(hubs["ha"], OCTOBER, now=london("2021-12-01")) == "on_time"


def test_refused_without_a_narrative_or_before_the_month_ends(hubs, admin):
    monthly_return = returns.compile_draft(hubs["ha"].pk, OCTOBER)
    with pytest.raises(returns.ReturnProblem) as problem:
        returns.submit_return(monthly_return, admin, "   ", now=london("2021-11-02"))
    assert problem.value.problems == {"narrative": "Enter the supporting narrative"}
    with pytest.raises(returns.ReturnProblem) as problem:
        returns.submit_return(monthly_return, admin, "Early.", now=london("2021-10-31T23:59:59"))
    assert problem.value.problems == {
        "narrative": "You can submit the return for October 2021 from 1 November 2021, once "
        "the month has ended"
    }
    monthly_return.refresh_from_db()
    assert monthly_return.narrative == ""
    assert not ReturnVersion.objects.exists()
    # 00:00:00 on the 1st, London: the month has ended.
    version = returns.submit_return(monthly_return, admin, "Done.", now=london("2021-11-01"))
    assert version.version == 1


def test_a_stale_page_cannot_submit_over_someone_else(hubs, admin):
    version = _submit(hubs["ha"], admin, expected_version=0)
    with pytest.raises(returns.ReturnProblem, match="submitted by someone else meanwhile"):
        returns.submit_return(version.monthly_return, admin, "Mine.", "Reason.", expected_version=0)
    assert ReturnVersion.objects.count() == 1


# --- docs/security.md §26: a submitted version never changes ------------------------------------


def test_a_submitted_version_never_changes(hubs, admin):
    version = _submit(hubs["ha"], admin)
    version.narrative = "Rewritten."
    with pytest.raises(FrozenReturn):
        version.save()
    with pytest.raises(FrozenReturn):
        ReturnVersion.objects.filter(pk=version.pk).update(narrative="Rewritten.")
    with pytest.raises(FrozenReturn):
        ReturnVersion.objects.bulk_update([version], ["narrative"])
    with pytest.raises(FrozenReturn):
        version.delete()
    with pytest.raises(FrozenReturn):
        ReturnVersion.objects.filter(pk=version.pk).delete()
    # The database refuses too, whatever goes round the model.
    table = ReturnVersion._meta.db_table
    for statement in (
        f"UPDATE {table} SET narrative = 'Rewritten.' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with (
            pytest.raises(IntegrityError, match="never changes"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [version.pk])
    stored = ReturnVersion.objects.get(pk=version.pk)
    assert (stored.narrative, stored.figures) == ("A good month.", HA_OCTOBER)


def test_the_admin_cannot_change_or_delete_a_version(client, hubs, admin):
    version = _submit(hubs["ha"], admin)
    superuser = User.objects.create_superuser("root@example.org", "a long password 1", name="R")
    client.force_login(superuser)
    change = f"/admin/reporting/returnversion/{version.pk}/change/"
    assert client.get(change).status_code == 200  # to read
    assert client.post(change, {"narrative": "Rewritten."}).status_code == 403
    delete = f"/admin/reporting/returnversion/{version.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ReturnVersion.objects.get(pk=version.pk).narrative == "A good month."


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_make_one_version(hubs, admin):
    """The first holds the return's row lock while the second asks: the second waits,
    then finds version 1 made and makes nothing (PostgreSQL row locks, two connections)."""
    monthly_return = returns.compile_draft(hubs["ha"].pk, OCTOBER)
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            returns.submit_return(
                monthly_return, admin, "Second.", expected_version=0, now=london("2021-11-03")
            )
            outcome["second"] = "submitted"
        except returns.ReturnProblem as exc:
            outcome["second"] = exc.problems
        finally:
            connection.close()

    # The thread runs in a copy of this context: the same hub scope as the test.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(second,))
    with transaction.atomic():
        returns.submit_return(
            monthly_return, admin, "First.", expected_version=0, now=london("2021-11-03")
        )
        thread.start()
        time.sleep(1)
        assert thread.is_alive(), "the second submission should wait for the first's lock"
    thread.join(timeout=30)
    assert outcome["second"] == {
        "narrative": "The return for October 2021 was submitted by someone else meanwhile "
        "(version 1). Check it again before you submit"
    }
    assert list(ReturnVersion.objects.values_list("version", "narrative")) == [(1, "First.")]


def test_the_unique_constraint_is_the_last_word(hubs, admin):
    version = _submit(hubs["ha"], admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnVersion.objects.create(
            monthly_return=version.monthly_return,
            version=1,
            figures={},
            breakdowns={},
            sha256="0" * 64,
            submitted_at=version.submitted_at,
            submitted_by=admin,
        )


# --- status and the deadline (M1) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "due_day"),
    [
        # October 2021 is due on 7 November, in Greenwich Mean Time (UTC+0).
        (dt.date(2021, 10, 1), "2021-11-07"),
        # March 2022 is due on 7 April, in British Summer Time (UTC+1).
        (dt.date(2022, 3, 1), "2022-04-07"),
    ],
)
@pytest.mark.parametrize(
    ("at", "submitted_status", "unsubmitted_status"),
    [
        ("T23:59:59", "on_time", "due"),
        ("T23:59:59.999999", "on_time", "due"),
        ("+1T00:00:00", "late", "missing"),
    ],
)
def test_the_deadline_in_london(
    hubs, admin, month, due_day, at, submitted_status, unsubmitted_status
):
    day = dt.date.fromisoformat(due_day)
    if at.startswith("+1"):
        moment = london(f"{day + dt.timedelta(days=1)}{at[2:]}")
    else:
        moment = london(f"{day}{at}")
    assert returns.return_status(hubs["hb"], month, now=moment) == unsubmitted_status
    monthly_return = returns.compile_draft(hubs["hb"].pk, month)
    returns.submit_return(monthly_return, admin, "In.", now=moment)
    assert returns.return_status(hubs["hb"], month, now=moment) == submitted_status
    assert returns.return_status(hubs["hb"], month, now=london("2023-01-01")) == submitted_status


def test_not_yet_due_until_the_month_ends(hubs):
    hub = hubs["hc"]
    assert returns.return_status(hub, OCTOBER, now=london("2021-10-31T23:59:59")) == "not_yet_due"
    assert returns.return_status(hub, OCTOBER, now=london("2021-11-01T00:00:00")) == "due"


def test_statuses_for_many_hubs_and_months_in_two_queries(hubs, admin, django_assert_num_queries):
    _submit(hubs["ha"], admin, at="2021-11-09T09:00")
    months = [dt.date(2021, m, 1) for m in range(4, 13)]
    with django_assert_num_queries(2):  # programmes, first submissions
        statuses = returns.return_statuses(hubs.values(), months, now=london("2021-11-20"))
    assert len(statuses) == 27
    assert statuses[(hubs["ha"].pk, OCTOBER)] == "late"
    assert statuses[(hubs["hb"].pk, OCTOBER)] == "missing"
    assert statuses[(hubs["hb"].pk, dt.date(2021, 11, 1))] == "not_yet_due"
    assert statuses[(hubs["hc"].pk, dt.date(2021, 4, 1))] == "missing"


def test_latest_versions_in_one_query(hubs, admin, django_assert_num_queries):
    first = _submit(hubs["ha"], admin)
    second = returns.submit_return(
        first.monthly_return, admin, "Again.", "A correction.", now=london("2021-11-04")
    )
    with django_assert_num_queries(1):
        latest = returns.latest_versions(hubs.values(), OCTOBER)
        assert latest == {hubs["ha"].pk: second}
        assert latest[hubs["ha"].pk].submitted_by.name == "Ann Admin"


def test_a_version_combines_like_a_fresh_computation(hubs, admin):
    version = _submit(hubs["ha"], admin)
    assert returns.version_result(version) == kpi.compute_hub(hubs["ha"], OCTOBER)


# --- the schedule: drafts on the 1st, reminders on the 5th --------------------------------


@pytest.fixture
def run_now(monkeypatch):
    """Run what a task enqueues at once, in process, recording it."""
    ran: list[tuple[str, tuple]] = []

    def patch(task):
        def delay_on_commit(*args):
            ran.append((task.name, args))
            task.apply(args=args).get()

        monkeypatch.setattr(task, "delay_on_commit", delay_on_commit)

    patch(tasks.return_compile_draft)
    patch(tasks.return_send_reminder)
    return ran


def test_drafts_are_compiled_on_the_first_for_every_hub(hubs, admin, run_now):
    _submit(hubs["hb"], User.objects.get(key="hb-admin"))
    submitted = MonthlyReturn.objects.get(hub=hubs["hb"]).draft_compiled_at
    with time_machine.travel(london("2021-11-01T01:00"), tick=False):
        assert tasks.return_compile_drafts_all.apply().get() == 3
        assert tasks.return_compile_drafts_all.apply().get() == 3  # twice: the same drafts
    drafts = {mr.hub.key: mr for mr in MonthlyReturn.objects.select_related("hub")}
    assert set(drafts) == {"ha", "hb", "hc"}
    assert {mr.month for mr in drafts.values()} == {OCTOBER}
    # Computed together, each hub's draft is what it is computed alone.
    for key in ("ha", "hc"):
        assert drafts[key].draft_figures == kpi.figures_json(
            kpi.compute_hub(hubs[key], OCTOBER)["figures"]
        )
        assert drafts[key].draft_compiled_at == london("2021-11-01T01:00")
    assert drafts["ha"].draft_figures == HA_OCTOBER
    assert drafts["hb"].draft_compiled_at == submitted  # submitted: left alone


def test_every_hubs_draft_in_a_fixed_number_of_queries(hubs, django_assert_num_queries):
    """The figures of every hub in compute_hubs' 14 queries, whatever the records; then a
    few row operations per hub: the transaction (2), the hubs (1), and per hub the return
    made (get_or_create: 4), locked (1), checked for versions (1) and saved (1)."""
    ids = [hub.pk for hub in hubs.values()]
    with django_assert_num_queries(2 + 1 + 14 + 3 * (4 + 1 + 1 + 1)):
        returns.compile_drafts(ids, OCTOBER)
    with django_assert_num_queries(2 + 1 + 14 + 3 * (1 + 1 + 1 + 1)):  # the returns exist
        returns.compile_drafts(ids, OCTOBER)


def test_reminders_on_the_fifth_once_to_hubs_not_submitted(hubs, admin, run_now):
    _submit(hubs["hb"], User.objects.get(key="hb-admin"))
    with time_machine.travel(london("2021-11-05T09:00"), tick=False):
        assert tasks.return_send_reminders_all.apply().get() == 2  # ha, hc (hb submitted)
        assert tasks.return_send_reminders_all.apply().get() == 2
    assert [m.to for m in mail.outbox] == [["admin@ha.example"]]  # hc has no administrator
    message = mail.outbox[0]
    assert message.subject == "Hub A: the return for October 2021 is due by 7 November 2021"
    assert "/hub/ha/returns/2021-10/" in message.body
    assert MonthlyReturn.objects.get(hub=hubs["ha"]).reminder_sent_at == london("2021-11-05T09:00")


def test_the_beat_schedule():
    entries = {entry["task"]: entry for entry in celery_app.conf.beat_schedule.values()}
    compile_ = entries["reporting.tasks.return_compile_drafts_all"]["schedule"]
    remind = entries["reporting.tasks.return_send_reminders_all"]["schedule"]
    assert compile_.day_of_month == {1}
    assert remind.day_of_month == {5}
    assert celery_app.conf.timezone == "Europe/London"
