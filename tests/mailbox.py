"""What the mail server received, for tests: Django's test outbox, read after a worker's
pass over the service's outbox (peernet.outbox).

Every email is a row first and leaves when a worker delivers it after the commit. In a
test the commit never comes (the test's transaction is rolled back) and no worker runs,
so `Mailbox` delivers whatever is queued each time the test reads the mail, as a worker
would have by then: each email at the moment it was queued (the service's `now`, which a
test may set), as if the worker took it at once. `deliver_queued` does the same for a test
that reads no mail but needs what follows delivery (K7 counts instructions once the mail
server has them). Tests about delivery itself (the server away, a refusal) call
`peernet.outbox.deliver` and read the rows directly instead.
"""

from __future__ import annotations

from typing import Any

from peernet import outbox
from peernet.models import EmailStatus, OutboundEmail


def deliver_queued() -> int:
    """Deliver every queued email, each at the moment it was queued; returns how many the
    mail server accepted."""
    queued = OutboundEmail.objects.filter(status=EmailStatus.QUEUED).order_by("pk")
    done = [outbox.deliver(email.pk, now=email.next_attempt_at) for email in queued]
    return done.count(EmailStatus.SENT)


class Mailbox(list):
    """`django.core.mail.outbox` during tests (see the module's docstring)."""

    _delivering = False

    def _deliver(self) -> None:
        if Mailbox._delivering:
            return
        Mailbox._delivering = True
        try:
            deliver_queued()
        except RuntimeError as exc:  # a test without the database has no outbox to read
            if "Database access not allowed" not in str(exc):
                raise
        finally:
            Mailbox._delivering = False

    def __len__(self) -> int:
        self._deliver()
        return super().__len__()

    def __iter__(self) -> Any:
        self._deliver()
        return super().__iter__()

    def __getitem__(self, index: Any) -> Any:
        self._deliver()
        return super().__getitem__(index)

    def __eq__(self, other: object) -> bool:
        self._deliver()
        return super().__eq__(other)

    def clear(self) -> None:
        """Forget what was delivered so far: what is queued is delivered first (it was
        sent before the test cleared the mailbox)."""
        self._deliver()
        super().clear()

    __hash__ = None  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return len(self) > 0
