"""Monthly returns: compiling drafts, submitting and freezing versions, their status
(docs/returns.md; M1, M2; docs/security.md §26).

- A draft is the figures of `reporting.kpi` for one hub and month, stored on the
  `MonthlyReturn`; it is compiled on the 1st for the month just ended (a scheduled task)
  and can be recompiled until the return is submitted.
- Submitting freezes the draft as `ReturnVersion` 1: figures, breakdowns, the parts of
  the rates and the narrative, with the SHA-256 of their canonical JSON. It is never
  recomputed. A resubmission needs a reason, recompiles the figures as the records now
  stand and makes version N+1; earlier versions stay as they were.
- Two submissions at once make one version: the `MonthlyReturn` row is locked
  (select_for_update), the submitter says which version they saw (`expected_version`),
  and the (return, version) unique constraint is the last word.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone

from peernet import audit, mail
from peernet.addresses import site_url
from peernet.calendar import Month, local_date, month_start
from peernet.db import save_fields
from peernet.models import EmailKind, Hub, Programme, Role, User
from peernet.words import date_words
from reporting import kpi
from reporting.models import MonthlyReturn, ReturnVersion
from rules.monthly_return import return_due_at

logger = logging.getLogger(__name__)

NOT_YET_DUE = "not_yet_due"
DUE = "due"
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
STATUSES = [NOT_YET_DUE, DUE, ON_TIME, LATE, MISSING]
STATUS_WORDS = {
    NOT_YET_DUE: "Not yet due",
    DUE: "Due",
    ON_TIME: "Submitted on time",
    LATE: "Submitted late",
    MISSING: "Missing",
}
# What each status means, in a sentence (the generated docs/returns.md, the national
# timeliness grid's key).
STATUS_MEANINGS = {
    NOT_YET_DUE: "The month has not ended yet.",
    DUE: "The month has ended and the due date has not passed; nothing is submitted.",
    ON_TIME: "The first version was submitted by the due date.",
    LATE: "The first version was submitted after the due date.",
    MISSING: "The due date has passed and nothing is submitted.",
}


class ReturnProblem(Exception):
    """A submission refused, with a sentence per problem (GOV.UK error messages), keyed
    by the form field they belong to."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems.values()))


# --- dates and status ----------------------------------------------------------------------


def month_has_ended(month: dt.date, now: dt.datetime) -> bool:
    """Whether the London calendar month is over at `now`."""
    return now >= Month.of(month).end


def _status(
    month: dt.date, first_submitted: dt.datetime | None, due_at: dt.datetime, now: dt.datetime
) -> str:
    # M1: on time means on or before the due day in London, to its last fraction of a second.
    if first_submitted is not None:
        return ON_TIME if local_date(first_submitted) <= due_at.date() else LATE
    if not month_has_ended(month, now):
        return NOT_YET_DUE
    return DUE if local_date(now) <= due_at.date() else MISSING


def return_statuses(
    hubs: Iterable[Hub], months: Iterable[dt.date], now: dt.datetime | None = None
) -> dict[tuple[int, dt.date], str]:
    """{(hub id, month): status} for every hub and month, in two queries: not yet due,
    due, on time, late or missing (docs/returns.md; M1 judges by the first version submitted)."""
    now = now or timezone.now()
    hub_ids = [hub.pk for hub in hubs]
    months = [month_start(month) for month in months]
    programmes = list(Programme.objects.order_by("-delivery_start"))
    firsts = {
        (row["monthly_return__hub"], row["monthly_return__month"]): row["first"]
        for row in ReturnVersion.objects.filter(
            monthly_return__hub__in=hub_ids, monthly_return__month__in=months
        )
        .order_by()
        .values("monthly_return__hub", "monthly_return__month")
        .annotate(first=Min("submitted_at"))
    }
    result = {}
    for month in months:
        due_at = return_due_at(month, Programme.for_month(month, programmes))
        for hub_id in hub_ids:
            result[(hub_id, month)] = _status(month, firsts.get((hub_id, month)), due_at, now)
    return result


def return_status(hub: Hub, month: dt.date, now: dt.datetime | None = None) -> str:
    """The status of one hub's return for one month (see `return_statuses`)."""
    month = month_start(month)
    return return_statuses([hub], [month], now=now)[(hub.pk, month)]


def latest_versions(hubs: Iterable[Hub], month: dt.date) -> dict[int, ReturnVersion]:
    """{hub id: its latest submitted version} for the month, hubs with none left out; one
    query."""
    newer = ReturnVersion.objects.filter(
        monthly_return=OuterRef("monthly_return"), version__gt=OuterRef("version")
    )
    versions = (
        ReturnVersion.objects.filter(
            monthly_return__hub__in=[hub.pk for hub in hubs],
            monthly_return__month=month_start(month),
        )
        .filter(~Exists(newer))
        .select_related("monthly_return__hub", "submitted_by")
    )
    return {version.monthly_return.hub_id: version for version in versions}


def version_result(version: ReturnVersion) -> dict[str, Any]:
    """A frozen version as a result of `reporting.kpi` (Decimals restored, with its parts),
    to display or `kpi.combine` exactly like a fresh computation."""
    return kpi.from_stored(version.figures, version.breakdowns, version.parts)


def return_document(
    scope: dict[str, Any], hubs: Sequence[Hub], month: dt.date, *, submitted: bool
) -> dict[str, Any]:
    """The return of one hub (`scope` from `kpi.hub_scope`), a cluster or the nation as
    JSON (docs/returns.md "Outputs"): computed afresh, or, with `submitted`, from the
    latest submitted version of each hub (a hub's with its version; a cluster's and the
    nation's naming the hubs submitted and not). `manage.py monthly_return` prints it and
    the API (/api/v1/returns/) serves it. A hub with no submitted version is a
    `ReturnProblem`."""
    if scope["level"] == "hub":
        (hub,) = hubs
        if not submitted:
            return kpi.return_json(scope, month, kpi.compute_hub(hub, month))
        version = latest_versions([hub], month).get(hub.pk)
        if version is None:
            raise ReturnProblem({"month": f"{hub.name} has no submitted return for {month:%B %Y}."})
        document = kpi.return_json(scope, month, version_result(version))
        document["version"] = {
            "version": version.version,
            "submitted_at": version.submitted_at.isoformat(),
            "sha256": version.sha256,
            "reason": version.reason,
            "narrative": version.narrative,
        }
        return document
    if not submitted:
        return kpi.return_json(
            scope, month, kpi.combine(list(kpi.compute_hubs(hubs, month).values()))
        )
    versions = latest_versions(hubs, month)
    scope = {
        **scope,
        "submitted": [hub.key for hub in hubs if hub.pk in versions],
        "not_submitted": [hub.key for hub in hubs if hub.pk not in versions],
    }
    results = [version_result(versions[hub.pk]) for hub in hubs if hub.pk in versions]
    return kpi.return_json(scope, month, kpi.combine(results))


def draft_result(monthly_return: MonthlyReturn) -> dict[str, Any] | None:
    """The stored draft as a result, or None before it was first compiled."""
    if monthly_return.draft_compiled_at is None:
        return None
    return kpi.from_stored(
        monthly_return.draft_figures, monthly_return.draft_breakdowns, monthly_return.draft_parts
    )


# --- freezing ----------------------------------------------------------------------------


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text as is: the same data always gives the same text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def frozen_content(
    *,
    hub_key: str,
    month: dt.date,
    figures: dict[str, Any],
    breakdowns: dict[str, Any],
    parts: dict[str, Any],
    narrative: str,
) -> dict[str, Any]:
    """What a version's SHA-256 is of."""
    return {
        "hub": hub_key,
        "month": f"{month:%Y-%m}",
        "figures": figures,
        "breakdowns": breakdowns,
        "parts": parts,
        "narrative": narrative,
    }


def version_sha256(version: ReturnVersion) -> str:
    """The SHA-256 of a stored version's canonical JSON, computed afresh (to check it)."""
    content = frozen_content(
        hub_key=version.monthly_return.hub.key,
        month=version.monthly_return.month,
        figures=version.figures,
        breakdowns=version.breakdowns,
        parts=version.parts,
        narrative=version.narrative,
    )
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


# --- compiling ----------------------------------------------------------------------------


def _store_draft(
    monthly_return: MonthlyReturn,
    hub: Hub,
    now: dt.datetime,
    result: dict[str, Any] | None = None,
) -> None:
    """The draft as the records stand: `result` when computed already (`compile_drafts`
    computes every hub's at once), else computed now."""
    if result is None:
        result = kpi.compute_hub(hub, monthly_return.month)
    figures, breakdowns, parts = kpi.stored(result)
    save_fields(
        monthly_return,
        draft_figures=figures,
        draft_breakdowns=breakdowns,
        draft_parts=parts,
        draft_compiled_at=now,
    )


def _locked_return(hub: Hub, month: dt.date) -> MonthlyReturn:
    """The hub's return for the month, created if need be, locked for this transaction."""
    MonthlyReturn.objects.get_or_create(hub=hub, month=month)
    return MonthlyReturn.objects.select_for_update().select_related("hub").get(hub=hub, month=month)


@transaction.atomic
def compile_draft(
    hub_id: int, month: dt.date | str, *, now: dt.datetime | None = None
) -> MonthlyReturn:
    """Compile (or recompile) the hub's draft for the month from the records as they stand.

    Idempotent: run twice, the draft is the same. A submitted return is left alone (docs/returns.md:
    recompiled until it is submitted; its versions are frozen)."""
    month = month_start(month)
    hub = Hub.objects.select_related("cluster").get(pk=hub_id)
    monthly_return = _locked_return(hub, month)
    if monthly_return.versions.exists():
        return monthly_return
    _store_draft(monthly_return, hub, now or timezone.now())
    return monthly_return


@transaction.atomic
def compile_drafts(
    hub_ids: Sequence[int], month: dt.date | str, *, now: dt.datetime | None = None
) -> list[MonthlyReturn]:
    """`compile_draft` for many hubs, their figures computed together: `kpi.compute_hubs`
    asks a fixed number of queries for any number of hubs, so every hub's draft on the
    1st costs about as much as one hub's (issue 10: the benchmark's budget). Submitted
    returns are left alone; idempotent."""
    month = month_start(month)
    now = now or timezone.now()
    hubs = list(Hub.objects.select_related("cluster").filter(pk__in=hub_ids).order_by("pk"))
    locked = [_locked_return(hub, month) for hub in hubs]
    open_ = [(hub, r) for hub, r in zip(hubs, locked, strict=True) if not r.versions.exists()]
    results = kpi.compute_hubs([hub for hub, _ in open_], month) if open_ else {}
    for hub, monthly_return in open_:
        _store_draft(monthly_return, hub, now, results[hub.pk])
    return locked


# --- submitting ---------------------------------------------------------------------------


@transaction.atomic
def return_draft_create(*, hub: Hub, month: dt.date) -> MonthlyReturn:
    """The hub's return for the month to submit into: the compiled draft, or an empty one
    when none was compiled yet (submit_return computes the figures it freezes)."""
    monthly_return, _ = MonthlyReturn.objects.get_or_create(hub=hub, month=month)
    return monthly_return


def submit_return(
    monthly_return: MonthlyReturn,
    user: User,
    narrative: str,
    reason: str = "",
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ReturnVersion:
    """Freeze the return as its next version. `expected_version` is the latest version the
    submitter saw (0 for none): if someone else submitted meanwhile, nothing is made.

    Refused (ReturnProblem, nothing written) when the month has not ended, without a
    narrative (M2), or, for a resubmission, without a reason (docs/returns.md)."""
    now = now or timezone.now()
    narrative, reason = narrative.strip(), reason.strip()
    try:
        with transaction.atomic():
            return _submit(monthly_return, user, narrative, reason, expected_version, now)
    except IntegrityError as exc:
        # The unique (return, version) constraint: another submission made this version.
        raise ReturnProblem(
            {"narrative": "The return was submitted by someone else meanwhile. Check it again."}
        ) from exc
    except OperationalError as exc:
        # Another submission held the database's lock past its wait (SQLite's "database
        # is locked", PostgreSQL's lock timeout): nothing was written here.
        if "lock" not in str(exc).lower():
            raise
        raise ReturnProblem(
            {
                "narrative": "Someone else is submitting this return at the same moment. "
                "Check it again before you submit"
            }
        ) from exc


def _submit(
    monthly_return: MonthlyReturn,
    user: User,
    narrative: str,
    reason: str,
    expected_version: int | None,
    now: dt.datetime,
) -> ReturnVersion:
    locked = (
        MonthlyReturn.objects.select_for_update().select_related("hub").get(pk=monthly_return.pk)
    )
    latest = locked.versions.order_by("-version").values_list("version", flat=True).first() or 0
    month_words = f"{locked.month:%B %Y}"
    if expected_version is not None and expected_version != latest:
        raise ReturnProblem(
            {
                "narrative": f"The return for {month_words} was submitted by someone else "
                f"meanwhile (version {latest}). Check it again before you submit"
            }
        )
    problems: dict[str, str] = {}
    if not month_has_ended(locked.month, now):
        first_day = Month.of(locked.month).next().first_day
        problems["narrative"] = (
            f"You can submit the return for {month_words} from {date_words(first_day)}, "
            "once the month has ended"
        )
    elif not narrative:
        problems["narrative"] = "Enter the supporting narrative"  # M2
    if latest and not reason:
        problems["reason"] = "Enter why you are resubmitting the return"
    if problems:
        raise ReturnProblem(problems)
    compiled = locked.draft_compiled_at
    if latest or compiled is None or not month_has_ended(locked.month, compiled):
        # A resubmission reports the records as they now stand; a first submission the
        # draft the hub reviewed, compiled now if it never was, or was compiled before
        # the month ended (it would freeze part of a month).
        _store_draft(locked, locked.hub, now)
    locked.narrative = narrative
    locked.save(update_fields=["narrative"])
    content = frozen_content(
        hub_key=locked.hub.key,
        month=locked.month,
        figures=locked.draft_figures,
        breakdowns=locked.draft_breakdowns,
        parts=locked.draft_parts,
        narrative=narrative,
    )
    version = ReturnVersion.objects.create(
        monthly_return=locked,
        version=latest + 1,
        figures=content["figures"],
        breakdowns=content["breakdowns"],
        parts=content["parts"],
        narrative=narrative,
        sha256=hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest(),
        submitted_at=now,
        submitted_by=user,
        reason=reason if latest else "",
    )
    audit.record(
        user,
        "create",
        version,
        hub=locked.hub_id,
        summary=f"Return for {month_words} submitted (version {version.version})",
        after={"sha256": version.sha256, "reason": version.reason},
    )
    logger.info("Return %s v%d submitted by user %s", locked, version.version, user.pk)
    return version


# --- differences between versions ----------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    figure: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    """Figure by figure, in the return's order (kpi.FIGURE_IDS), between two results'
    figures."""
    return [Difference(f, before.get(f), after.get(f)) for f in kpi.FIGURE_IDS]


# --- reminders ----------------------------------------------------------------------------


def _hub_administrators(hub: Hub) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role_assignments__role=Role.HUB_ADMIN, role_assignments__hub=hub
        )
        .distinct()
        .order_by("pk")
    )


def send_reminder(hub_id: int, month: dt.date | str, *, now: dt.datetime | None = None) -> int:
    """Email the hub's administrators that the month's return is not submitted yet; once per
    hub and month (the `reminder_sent_at` mark is written in the same transaction, under
    the row lock, so a second run sends nothing). Returns the number of emails sent."""
    now = now or timezone.now()
    month = month_start(month)
    with transaction.atomic():
        hub = Hub.objects.get(pk=hub_id)
        monthly_return = _locked_return(hub, month)
        if monthly_return.reminder_sent_at is not None or monthly_return.versions.exists():
            return 0
        recipients = _hub_administrators(hub)
        if not recipients:
            return 0
        due_at = return_due_at(month, Programme.for_month(month, list(Programme.objects.all())))
        monthly_return.reminder_sent_at = now
        monthly_return.save(update_fields=["reminder_sent_at"])
        link = site_url() + reverse(
            "hub:return", kwargs={"hub": hub.key, "month": f"{month:%Y-%m}"}
        )
        for user in recipients:
            mail.send(
                kind=EmailKind.RETURN,
                subject=f"{hub.name}: the return for {month:%B %Y} is due by "
                f"{date_words(due_at.date())}",
                body=(
                    f"Dear {user.get_short_name()},\n\n"
                    f"{hub.name}'s monthly return for {month:%B %Y} has not been submitted "
                    f"yet. It is due by 23:59 on {date_words(due_at.date())} (M1).\n\n"
                    f"Review the draft, write the supporting narrative and submit it here:\n"
                    f"{link}\n"
                ),
                to=[user.email],
                hub=hub,
            )
    return len(recipients)


def month_just_ended(now: dt.datetime) -> dt.date:
    """The month before the London month of `now`."""
    return Month.of(local_date(now)).previous().first_day


def return_months(programme: Programme, now: dt.datetime) -> list[dt.date]:
    """The months of the delivery window up to the current London month, newest first."""
    this_month = Month.of(local_date(now))
    return [month.first_day for month in reversed(programme.months()) if month <= this_month]
