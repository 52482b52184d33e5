"""The SMTP listener: `manage.py receive_mail` runs it as its own process (aiosmtpd).

It advertises the size limit (EHLO `SIZE`) and enforces it (a declared `SIZE=` over it is
refused at MAIL FROM, a longer message at the end of DATA, 552), refuses at RCPT TO any
address that is not an intake address or the address Incident Desk sends from (550), and
hands each message to `receiving.receive`. It answers 250 only once the report or reply is
stored; a loop, automatic reply or bounce is accepted and dropped (a 5xx would make the
sender's server write back: how loops start), and `TryLater` (the virus scanner down, the
store full) is 451, so the sending server tries again later.
"""

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from . import receiving

log = logging.getLogger("inbound")


# Each runs in asgiref's worker thread, and leaves no database connection open there: a
# listener waits for mail far longer than a connection should be held.
def _receive(content: bytes, recipients: list[str], mail_from: str) -> receiving.Result:
    try:
        return receiving.receive(content, recipients=recipients, mail_from=mail_from, via="smtp")
    finally:
        connections.close_all()


def _accepts(address: str) -> bool:
    try:
        return receiving.accepts(address)
    finally:
        connections.close_all()


class IntakeHandler:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if not await sync_to_async(_accepts)(address):
            log.warning("Mail refused at RCPT TO: %s is not an intake address", address)
            return "550 5.1.1 This address does not take reports"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or b""
        try:
            result = await sync_to_async(_receive)(content, list(envelope.rcpt_tos), envelope.mail_from or "")
        except receiving.TryLater as later:
            log.warning("Mail from %s not taken for now: %s", envelope.mail_from, later)
            return "451 4.3.0 Not taken for now: try again later"
        except Exception:
            log.exception("Mail from %s could not be received", envelope.mail_from)
            return "451 4.3.0 Not taken for now: try again later"
        if result.incident is not None:
            return f"250 2.0.0 Received as {result.incident.reference}"
        return "250 2.0.0 OK"


class IntakeServer(SMTP):
    async def push(self, status: Any) -> None:
        if str(status).startswith("552"):
            envelope = getattr(self, "envelope", None)
            log.warning(
                "Mail refused: over the size limit of %s bytes (from %s, to %s)",
                settings.INBOUND_MAX_BYTES,
                getattr(envelope, "mail_from", None),
                getattr(envelope, "rcpt_tos", None),
            )
        await super().push(status)


class IntakeController(Controller):
    def factory(self) -> SMTP:
        return IntakeServer(
            self.handler,
            data_size_limit=settings.INBOUND_MAX_BYTES,
            hostname=own_hostname(),
            ident="Incident Desk",
        )


def own_hostname() -> str:
    return receiving.own_domain() or "localhost"


def listener(host: str | None = None, port: int | None = None) -> IntakeController:
    """The listener, not yet started (`.start()` runs it in a thread; `.stop()` ends it)."""
    return IntakeController(
        IntakeHandler(),
        hostname=host or settings.INBOUND_SMTP_HOST,
        port=port if port is not None else settings.INBOUND_SMTP_PORT,
    )
