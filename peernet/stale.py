"""No silent lost update: a page that edits a record carries what the record said when it
was opened (signed, so it cannot be forged), and the service that saves compares it with
the record as it is now, under the record's lock. If someone else saved in between, the
save is refused and the person is told what changed, field by field; the page then shows
the form again with their answers, ready to save once they have checked. Part of the
ground floor."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

_SALT = "peernet.stale"


class _Serializer:
    def dumps(self, value: Any) -> bytes:
        return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True).encode()

    def loads(self, data: bytes) -> Any:
        return json.loads(data)


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as they read back from the signed form (dates and numbers as text)."""
    return json.loads(json.dumps(dict(values), cls=DjangoJSONEncoder))


def seen(values: Mapping[str, Any]) -> str:
    """The record's values as the page shows them, signed, for a hidden field."""
    return signing.dumps(dict(values), salt=_SALT, serializer=_Serializer, compress=True)


def check_unchanged(
    token: str | None, now: Mapping[str, Any], labels: Mapping[str, str], *, what: str
) -> None:
    """Raise ValidationError, naming each change, if the record (`now`, its values as the
    page shows them) is not what the page showed (`token`, from `seen`). No token (a page
    opened before this check existed) checks nothing."""
    if not token:
        return
    try:
        before = signing.loads(token, salt=_SALT, serializer=_Serializer)
    except signing.BadSignature as exc:
        raise ValidationError(f"The page was changed on its way back: open {what} again.") from exc
    current = _plain(now)
    changes = [
        f"{labels.get(key, key)}: “{_words(before.get(key))}” is now “{_words(current.get(key))}”"
        for key in sorted(set(before) | set(current), key=lambda k: str(labels.get(k, k)))
        if before.get(key) != current.get(key)
    ]
    if changes:
        raise ValidationError(
            f"Someone else saved {what} while you were editing it, so your changes were not "
            f"saved. What they changed: {'; '.join(changes)}. Check your answers against "
            "theirs, then save again."
        )


def _words(value: Any) -> str:
    if value in (None, ""):
        return "(blank)"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
