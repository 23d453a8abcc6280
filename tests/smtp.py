"""A real SMTP server on this machine for the tests that run the service as in
production (aiosmtpd, in a thread of the test process): it accepts every message (but
for the addresses it is told to refuse) and keeps it, parsed, for the test to read. It
can be stopped and started again on the same port, as a mail relay that goes away for a
while."""

from __future__ import annotations

import email
import time
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

from tests.processes import free_port


class _Keep:
    def __init__(self, received: list[EmailMessage], refused: set[str]) -> None:
        self.received = received
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address.lower() in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.received.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[EmailMessage] = []
        self.refused: set[str] = set()  # addresses it answers 550, as for a mistyped one
        self._controller: Controller | None = None

    def start(self) -> None:
        handler = _Keep(self.received, self.refused)
        self._controller = Controller(handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, matches, what: str, seconds: float = 60) -> EmailMessage:
        """The first message `matches(message)` accepts, waiting for it to arrive."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for m in self.received if matches(m)]
            if found:
                return found[0]
            time.sleep(0.25)
        seen = [(m["To"], m["Subject"]) for m in self.received]
        raise AssertionError(f"no email {what} reached the SMTP server in {seconds}s: {seen}")


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
