"""A real SMTP server (aiosmtpd) for tests: what the product sends arrives here, no mocked mail."""

import asyncio
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """The messages the server accepted, plus switches to make it refuse or stall."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0  # refuse this many messages with a temporary error
        self.hold_at: int | None = None  # stall the n-th message (1-based) until released
        self.holding = threading.Event()
        self.release: asyncio.Event | None = None
        self.seen = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen += 1
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        if self.hold_at is not None and self.seen == self.hold_at:
            self.release = asyncio.Event()
            self.holding.set()
            await self.release.wait()
            # The sender is gone by now: nothing was accepted.
            return "421 4.3.0 Closing"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.messages)


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        if self.inbox.release is not None:
            self.controller.loop.call_soon_threadsafe(self.inbox.release.set)
        self.controller.stop()

    def unblock(self) -> None:
        if self.inbox.release is not None:
            self.controller.loop.call_soon_threadsafe(self.inbox.release.set)

    def mailers(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 10},
            }
        }


def running_server(settings):  # type: ignore[no-untyped-def]
    """For a fixture: a real SMTP server on a free port, with the mailer (EMAIL_HOST/PORT) pointed at it."""
    server = SmtpServer()
    server.start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()
