"""The audit trail (docs/security.md §21): who changed what, and who viewed or exported
personal data. One function writes it: `record`.

    from peernet import audit
    audit.record(request.user, "export", obj=None, hub=hub, summary="Return for May (XLSX)")

Every event is also written to the `peernet.audit` log (as before this module), with
`user_id`, `action`, `object_type`, `object_id`, `hub_id` and any `log_extra` on the
log record. Events hold ids and the names of what changed, never free text about a
participant: erasure (docs/security.md §23) then has nothing to rewrite in an append-only
table.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from peernet import logs
from peernet.addresses import client_ip
from peernet.models import AuditAction, AuditEvent, Hub

log = logging.getLogger("peernet.audit")


def _hub_id(obj: Model | None, hub: Hub | int | None) -> int | None:
    if isinstance(hub, Hub):
        return hub.pk
    if hub is not None:
        return int(hub)
    if obj is None:
        return None
    # The object's own hub when it has one directly (participant, cohort, complaint...).
    for name in ("hub_id",):
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def record(
    actor: Any,
    action: str,
    obj: Model | None = None,
    *,
    hub: Hub | int | None = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    object_type: str = "",
    object_id: Any = "",
    request: Any = None,
    log_extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user (or None for the system, e.g. a scheduled
    task); `action` one of AuditAction; `obj` the record acted on (its type and key are
    taken from it) or `object_type`/`object_id` given directly."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    user = actor if getattr(actor, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id in ("", None) else object_id
    event = AuditEvent.objects.create(
        actor=user,
        actor_email=getattr(user, "email", "") or "",
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        hub_id=_hub_id(obj, hub),
        summary=summary[:300],
        before=before,
        after=after,
        # The client as the sign-in lockout sees it (peernet.addresses.client_ip): behind
        # a trusted proxy, the address the proxy reports, never a forged X-Forwarded-For.
        ip_address=(client_ip(request) or None) if request is not None else None,
        request_id=logs.request_id.get(),
    )
    extra = {
        "user_id": getattr(user, "pk", None),
        "action": action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "hub_id": event.hub_id,
        **(log_extra or {}),
    }
    log.info(
        "%s: %s (user=%s %s %s)",
        action,
        summary,
        extra["user_id"],
        event.object_type,
        event.object_id,
        extra=extra,
    )
    return event


def changed_fields(
    before: Model | dict[str, Any], after: Model | dict[str, Any], fields: list[str]
) -> list[str]:
    """The names of `fields` whose values differ (for before/after without free text)."""

    def value(source: Model | dict[str, Any], name: str) -> Any:
        return source[name] if isinstance(source, dict) else getattr(source, name)

    return [name for name in fields if value(before, name) != value(after, name)]


@transaction.atomic
def purge_expired(*, older_than: dt.datetime) -> int:
    """docs/security.md §24: delete audit events recorded before `older_than` (the retention
    job's only path; the ORM refuses deletes, and the PostgreSQL trigger lets a DELETE
    through only inside this transaction)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL peernet.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [older_than])  # noqa: S608
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL peernet.audit_purge = 'off'")
    return deleted


# --- who viewed a named person (docs/security.md §21) -----------------------------------------

# Every page about one named participant, by URL name, with the URL argument that names
# them (their `code`; the admin's change form, their `pk`). PersonalDataViewMiddleware
# records each time such a page is shown; tests/security/test_audit_views.py walks every
# page and fails on one that shows a person and is neither here nor a list of people.
PERSON_PAGES: dict[str, str] = {
    "hub:participant": "code",
    "hub:participant-edit": "code",
    "hub:eligibility": "code",
    "hub:charter": "code",
    "hub:survey-participant": "code",
    "hub:one-to-one": "code",
    "hub:one-to-one-referral": "code",
    "hub:one-to-one-decline": "code",
    "hub:one-to-one-external-hours": "code",
    "hub:one-to-one-action-record": "code",
    "hub:referral": "code",
    "facilitation:member": "participant",
    "one_to_one:participant": "code",
    "one_to_one:log": "code",
    "one_to_one:session": "code",
    "one_to_one:action-plan": "code",
    "one_to_one:declaration": "code",
    "one_to_one:check": "code",
    "one_to_one:action-record": "code",
    "privacy:participant": "code",
    "privacy:export-json": "code",
    "privacy:export-pdf": "code",
    "privacy:erase": "code",
    "admin:participants_participant_change": "object_id",
}


class PersonalDataViewMiddleware:
    """Records a `view` event each time a signed-in user is shown a page of PERSON_PAGES
    (a 200, whatever the method: a form shown again with its errors shows the person too).
    One place, so no page about a person can forget to."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            response.status_code != 200
            or match is None
            or match.view_name not in PERSON_PAGES
            or user is None
            or not user.is_authenticated
        ):
            return response
        argument = PERSON_PAGES[match.view_name]
        value = match.kwargs.get(argument)
        participants = apps.get_model("participants", "Participant").objects
        lookup = {"pk": value} if argument == "object_id" else {"code": value}
        person = participants.filter(**lookup).only("pk", "hub_id").first()
        if person is not None:
            record(user, "view", person, summary=f"Viewed: {match.view_name}", request=request)
        return response
