"""Every email the service sends is built here, so each one reads well in any mail client,
and goes through the outbox (peernet.outbox), so none is lost to a mail server that is away.

- From: the hub's name with the service's, `"Greater Manchester Growth Hub via Peer
  Networks" <peer-networks@…>`, the address being DEFAULT_FROM_EMAIL's: people see who
  wrote to them, and the address stays the one the service's mail domain vouches for.
- Reply-To: the people who answer, where the words ask the reader to reply (the
  one-to-one provider, the hub's administrators); without it a reply would go to the
  service's own address, which nobody reads.
- The words once, as plain text from the email's template, and the same words as a small
  HTML part (paragraphs, lists and links; a language and a title), which clients show
  in the reader's own font and size and screen readers read as a document.
- A calendar invite for one event (a session's instructions, its update or its
  cancellation) as the iMIP clients expect (RFC 6047): a `text/calendar; method=REQUEST`
  (or `CANCEL`) alternative part, which puts the accept, update or remove buttons on the
  message, and the same calendar as the `.ics` attachment for the clients that only
  import files. A calendar of several events (a cohort's whole schedule) is not one iTIP
  request (RFC 5546: one event, or the instances of one, per message): it goes as the
  attachment alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape

from peernet import outbox
from peernet.models import Hub, OutboundEmail, Role, RoleAssignment


@dataclass(frozen=True)
class Calendar:
    """An iCalendar document (sessions.ics) to send with a message."""

    text: str
    method: str  # REQUEST or CANCEL: the METHOD inside, repeated on the MIME part
    filename: str = "invite.ics"
    invitation: bool = True  # one event: also offered as the message's calendar part


def address() -> str:
    """The bare address everything is sent from (DEFAULT_FROM_EMAIL's, without any
    display name it may carry): also the calendar organiser's when no person is."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def sender(hub: Hub | None = None) -> str:
    """`"<hub> via Peer Networks" <address>`, or the service's name alone."""
    name = f"{hub.name} via {settings.SERVICE_NAME}" if hub is not None else settings.SERVICE_NAME
    return str(Address(display_name=name, addr_spec=address()))


def hub_administrator_addresses(hub: Hub) -> list[str]:
    """The addresses of the hub's active administrators: who answers for the hub."""
    return sorted(
        set(
            RoleAssignment.objects.filter(
                hub=hub, role=Role.HUB_ADMIN, user__is_active=True
            ).values_list("user__email", flat=True)
        )
    )


# --- the HTML part: the text's words, as a small accessible document -------------------

_URL = re.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)'"


def _inline(text: str) -> str:
    """A line of text, escaped, its web addresses as links (without the full stop or
    bracket that may follow one in a sentence)."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def _block(lines: list[str]) -> str:
    """A block of lines (between blank lines): runs of "- " lines as a list, the other
    lines as a paragraph with line breaks."""
    parts: list[str] = []
    items: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            parts.append("<p>" + "<br>\n".join(_inline(w) for w in words) + "</p>")
            words.clear()
        if items:
            parts.append("<ul>\n" + "".join(f"<li>{_inline(i)}</li>\n" for i in items) + "</ul>")
            items.clear()

    for line in lines:
        if line.startswith("- "):
            if words:
                flush()
            items.append(line[2:])
        else:
            if items:
                flush()
            words.append(line)
    flush()
    return "\n".join(parts)


def html_from_text(text: str, *, title: str) -> str:
    """The plain text's words as an HTML document: the same template, so the two parts
    never say different things."""
    blocks = [b.splitlines() for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]
    body = "\n".join(_block([line.rstrip() for line in block]) for block in blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n</head>\n"
        '<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; '
        'color: #0b0c0c;">\n'
        f"{body}\n</body>\n</html>\n"
    )


# --- the message -------------------------------------------------------------------------


def message(
    *,
    subject: str,
    body: str,
    to: Sequence[str],
    hub: Hub | None = None,
    cc: Iterable[str] = (),
    reply_to: Iterable[str] = (),
    calendar: Calendar | None = None,
) -> EmailMultiAlternatives:
    """One email as every sender makes it (see the module's docstring): `body` is the
    plain text, rendered from the email's template."""
    email = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=sender(hub),
        to=list(to),
        cc=list(cc),
        reply_to=list(reply_to),
    )
    email.attach_alternative(html_from_text(body, title=subject), "text/html")
    if calendar is not None:
        if calendar.invitation:
            # RFC 6047 2.4: the method on the part, as in the calendar, marks it iTIP.
            email.attach_alternative(calendar.text, f"text/calendar; method={calendar.method}")
        email.attach(calendar.filename, calendar.text, "text/calendar")
    return email


def send(*, kind: str, **kwargs: Any) -> OutboundEmail:
    """Build one email (`message`'s arguments) and put it in the outbox, to go when the
    current transaction commits (peernet.outbox). `kind` is an EmailKind."""
    return outbox.enqueue(message(**kwargs), kind=kind, hub=kwargs.get("hub"))


def send_to_participant(
    participant: Any, *, kind: str, subject: str, template: str, context: dict[str, Any]
) -> OutboundEmail:
    """Email one participant from their hub (`send`): the subject ends with the hub's
    name, the body is `template` rendered with `context`."""
    return send(
        kind=kind,
        subject=f"{subject} – {participant.hub.name}",
        body=render_to_string(template, context),
        to=[participant.email],
        hub=participant.hub,
    )
