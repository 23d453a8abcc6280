"""Registrations written by a hub's own system through the API (docs/api.md "Writing
registrations"): the public form's questions and checks (the hub's staff form,
`participants.forms.StaffRegistrationForm`, C2 included), its messages word for word, the
same service (`participants.services.participant_register`), and nothing half-written:
one transaction each. Idempotent by the client's key: the same key again answers as the
first time and writes nothing; the same key with other details is refused."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from api.models import ApiRegistration
from participants.forms import StaffRegistrationForm, posted_answers
from participants.services import participant_register
from peernet.calendar import local_date
from peernet.models import Hub, User

DATES = ("acknowledged_on", "trading_since")
CHECKBOXES = (
    "exporter",
    "scale_up_potential",
    "senior_decision_maker",
    "aspiration_to_improve",
    "previous_year_participant",
)
ISO_DATE = re.compile(r"^(\d{1,6})-(\d{1,2})-(\d{1,2})$")


class RegistrationRefused(Exception):
    """The details broke the form's rules: its messages, by field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))


class KeyReused(Exception):
    """The idempotency key was used before for other details."""


def body_sha256(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def form_data(body: dict[str, Any]) -> dict[str, str]:
    """The JSON body as the staff form's fields would post it: a date (YYYY-MM-DD) as its
    day, month and year boxes, each yes/no question answered (true as yes, false or
    missing as no), everything else as text."""
    data: dict[str, str] = {}
    for name, value in body.items():
        if name in DATES:
            text = str(value or "").strip()
            match = ISO_DATE.match(text)
            year, month, day = match.groups() if match else ("", "", text)
            data.update({f"{name}_0": day, f"{name}_1": month, f"{name}_2": year})
        elif value is not None and name not in CHECKBOXES:
            data[name] = str(value)
    return posted_answers(data, yes={name for name in CHECKBOXES if body.get(name)})


def _previous(hub: Hub, key: str, digest: str) -> ApiRegistration | None:
    previous = (
        ApiRegistration.objects.filter(hub=hub, key=key).select_related("participant").first()
    )
    if previous is not None and previous.body_sha256 != digest:
        raise KeyReused(
            "Idempotency-Key: this key was used for another registration; use a new key "
            "for each registration."
        )
    return previous


@transaction.atomic
def api_registration_create(
    *, hub: Hub, user: User, key: str, body: dict[str, Any], now: Any
) -> tuple[ApiRegistration, bool]:
    """Record the registration, or find the one this key recorded: (it, whether new).
    `RegistrationRefused` with the form's messages, `KeyReused`, or (two calls with the
    same key at once) the database's IntegrityError, after which nothing is written."""
    digest = body_sha256(body)
    previous = _previous(hub, key, digest)
    if previous is not None:
        return previous, False
    form = StaffRegistrationForm(form_data(body), hub=hub)
    if not form.is_valid():
        raise RegistrationRefused({name: list(errors) for name, errors in form.errors.items()})
    try:
        registration = participant_register(
            hub=hub,
            privacy_notice_acknowledged_on=form.cleaned_data["acknowledged_on"],
            registered_on=local_date(now),
            by=user,
            **form.service_arguments(),
        )
    except ValidationError as refusal:  # C2, as the staff form shows it
        raise RegistrationRefused({"acknowledged_on": list(refusal.messages)}) from refusal
    row = ApiRegistration.objects.create(
        hub=hub,
        key=key,
        body_sha256=digest,
        participant=registration.participant,
        e9=registration.e9.sentence[:300] if registration.e9 is not None else "",
        created_by=user,
    )
    return row, True


def registration_answer(row: ApiRegistration, *, replayed: bool) -> dict[str, Any]:
    return {
        "participant": row.participant.code,
        "eligibility_status": row.participant.eligibility_status,
        "e9": row.e9 or None,
        "replayed": replayed,
    }
