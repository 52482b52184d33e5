"""Reading a message: what it says, what it carries, what it answers, and whether it must be
refused. Plain Python over the standard library's email parser: no database.

Refused, never answered (an answer to an automatic message is how mail loops start):
- a loop: our own X-Loop, a Message-ID we made, or From one of our own addresses;
- an automatic reply: Auto-Submitted other than "no" (RFC 3834), X-Autoreply / X-Autorespond,
  Precedence bulk, junk or list, a mailing list's List-Id, or an out-of-office subject;
- a bounce: the null sender (MAIL FROM:<>), From MAILER-DAEMON or postmaster, or a
  multipart/report of delivery status (RFC 3464).
"""

import email
import re
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses, parseaddr

# Incident references as `Incident.make_reference` writes them ("INC-2026-00012").
REFERENCE = re.compile(r"\bINC-\d{4}-\d{5,}\b")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
OUT_OF_OFFICE = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|auto:|"
    r"away from (?:the )?office|on holiday|on leave)",
    re.IGNORECASE,
)
BOUNCERS = {"mailer-daemon", "postmaster"}
LOOP_HEADER = "X-Loop"


@dataclass
class Attachment:
    name: str
    content: bytes


@dataclass
class Reading:
    """What a message says, once parsed."""

    message: EmailMessage
    sender: str  # the From address, lower case
    sender_name: str
    subject: str
    message_id: str  # without angle brackets; empty when the message had none
    answers: list[str] = field(default_factory=list)  # In-Reply-To and References, without brackets
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def references(self) -> list[str]:
        """Incident references written in the subject (a reply to an acknowledgement keeps it)."""
        return REFERENCE.findall(self.subject)


def read(raw: bytes) -> Reading:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    name, address = parseaddr(str(message.get("From", "")))
    answers: list[str] = []
    for header in ("In-Reply-To", "References"):
        answers += MESSAGE_ID.findall(str(message.get(header, "")))
    ids = MESSAGE_ID.findall(str(message.get("Message-ID", "")))
    reading = Reading(
        message=message,
        sender=address.strip().lower(),
        sender_name=name.strip()[:200],
        subject=" ".join(str(message.get("Subject", "")).split())[:300],
        message_id=ids[0][:300] if ids else "",
        answers=answers,
    )
    reading.text, reading.attachments = contents(message)
    return reading


def contents(message: EmailMessage) -> tuple[str, list[Attachment]]:
    """The message's text (plain, else HTML turned to text) and its attached files."""
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            text = str(body.get_content())
        except (LookupError, UnicodeError, AssertionError):
            text = ""
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
    attachments = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        if part.get_content_maintype() == "multipart":
            continue
        try:
            payload = part.get_payload(decode=True)
        except (LookupError, ValueError):
            continue
        if isinstance(payload, bytes) and payload:
            attachments.append(Attachment(part.get_filename() or "attachment", payload))
        elif part.get_content_type() == "message/rfc822":
            # A forwarded message (a phishing email passed on): kept whole, as evidence.
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, EmailMessage):
                attachments.append(Attachment(part.get_filename() or "forwarded.eml", inner.as_bytes()))
    return text.strip(), attachments


TAG = re.compile(r"<[^>]*>")
BLOCK = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def html_to_text(html: str) -> str:
    """Just the words of an HTML-only message: never stored or shown as HTML."""
    import html as entities

    text = HIDDEN.sub("", html)
    text = BLOCK.sub("\n", text)
    text = TAG.sub("", text)
    return "\n".join(line.strip() for line in entities.unescape(text).splitlines()).strip()


def refusal(reading: Reading, *, mail_from: str | None, own_addresses: set[str], own_domain: str) -> str:
    """Why the message must be refused ("loop", "auto_reply", "bounce"), or "" to take it.

    `mail_from`: the envelope sender when it came over SMTP ("" is the null sender of a
    bounce), None when fetched from a mailbox (its Return-Path stands in for it).
    `own_addresses`: every address Incident Desk sends from or takes reports at.
    """
    message = reading.message
    loop = str(message.get(LOOP_HEADER, "")).strip().lower()
    if loop and loop in own_addresses | {own_domain}:
        return "loop"
    if own_domain and ours(reading.message_id, own_domain):
        return "loop"
    if reading.sender in own_addresses:
        return "loop"
    if mail_from is None:
        path = str(message.get("Return-Path", "")).strip()
        mail_from = path.strip("<>") if path else None
    if mail_from == "" or reading.sender.split("@")[0] in BOUNCERS or not reading.sender:
        return "bounce"
    if message.get_content_type() == "multipart/report" and (
        str(message.get_param("report-type", "")).lower() in {"delivery-status", "disposition-notification"}
    ):
        return "bounce"
    submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if submitted and not submitted.startswith("no"):
        return "auto_reply"
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Autoresponder"):
        return "auto_reply"
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return "auto_reply"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "auto_reply"
    if OUT_OF_OFFICE.match(reading.subject):
        return "auto_reply"
    return ""


def ours(message_id: str, own_domain: str) -> bool:
    """A Message-ID the outbox wrote (`<uuid@site domain>`, notifications.delivery.message_for)."""
    local, _, host = message_id.rpartition("@")
    if host.lower() != own_domain:
        return False
    try:
        uuid.UUID(local)
    except ValueError:
        return False
    return True


def recipients_of(message: EmailMessage) -> list[str]:
    """The addresses a fetched message was sent to (no envelope to read them from)."""
    values = [str(v) for h in ("Delivered-To", "X-Original-To", "To", "Cc") for v in message.get_all(h, [])]
    return [address.strip().lower() for _, address in getaddresses(values) if address]
