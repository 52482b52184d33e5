"""The one way a message becomes a report or a reply: `receive(raw bytes, ...)`.

Both ways in call it: the SMTP listener (`inbound.listener`, `manage.py receive_mail`) and
the mailbox fetch (`inbound.fetching`). In one transaction it claims the message by its
Message-ID (a second delivery or a second worker finds the claim and does nothing), refuses
what must not be answered (`reading.refusal`), then either adds a reply to the incident it
answers or stores a new report through the web form's own service (`intake.services`),
files through the evidence store's checks. The sender's acknowledgement is written to the
outbox by the report's notifications job (who is told: `notifications.audiences`), after the
report is stored; nothing here sends mail. Every outcome is an event on the record.
"""

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from audit.log import record
from core.exceptions import StepRefused, StorageFull
from evidence import checks
from evidence.models import Evidence
from evidence.services import Upload, add_files, inspect
from incidents import lifecycle
from incidents.models import Channel, Incident
from incidents.registry import publish
from intake.services import ADDED_BY_REPORTER, submit_report
from lib import clock
from notifications.audiences import Occasion, tell
from notifications.models import Outbox
from organisations.models import Membership, Organisation

from .models import InboundMail, IntakeAddress
from .reading import Reading, read, refusal

log = logging.getLogger("inbound")
# The key a report's form would have: the same message stored twice is one report.
NAMESPACE = uuid.UUID("0f6b2a57-4c1e-4d89-9a8e-6f1d2c3b4a50")
NO_TEXT = "(The email had no message, only the files attached to it.)"
QUOTE_START = re.compile(
    r"^(?:On .{4,200} wrote:|-{2,} ?Original Message ?-{2,}|From: .+|_{10,})\s*$", re.IGNORECASE | re.MULTILINE
)


class TryLater(Exception):
    """Nothing was stored; the message should be offered again later (scanner down, store full)."""


@dataclass
class Result:
    outcome: str  # an InboundMail.Outcome, or "duplicate" when the message was handled before
    mail: InboundMail | None = None
    incident: Incident | None = None
    refusal: str = ""
    files_not_added: list[str] = field(default_factory=list)


def own_domain() -> str:
    """The domain of the Message-IDs the outbox writes (notifications.delivery.message_for)."""
    return str(settings.SITE_URL).split("://")[-1].split("/")[0].split(":")[0].lower()


def own_addresses() -> set[str]:
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return {sender, *IntakeAddress.objects.values_list("address", flat=True)}


def intake_for(recipients: list[str]) -> IntakeAddress | None:
    addresses = [r.strip().lower() for r in recipients]
    return IntakeAddress.objects.select_related("organisation").filter(address__in=addresses).first()


def accepts(recipient: str) -> bool:
    """Whether the SMTP listener takes mail for `recipient`: an intake address, or the address
    Incident Desk sends from (replies to an acknowledgement go there)."""
    address = recipient.strip().lower()
    return address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower() or (
        IntakeAddress.objects.filter(address=address).exists()
    )


def receive(
    raw: bytes,
    *,
    recipients: list[str],
    via: str,
    mail_from: str | None = None,
    organisation: Organisation | None = None,
    size: int | None = None,
) -> Result:
    """Turn one message into a report or a reply, or refuse it; see the module's docstring.

    `organisation`: the mailbox's organisation when fetched; else found from `recipients`.
    `size`: the whole message's size when `raw` is only its headers (too big to download).
    Raises `TryLater` when nothing could be stored for now (the caller offers it again).
    """
    reading = read(raw)
    intake = intake_for(recipients)
    organisation = organisation or (intake.organisation if intake is not None else None)
    answered = answered_incident(reading, organisation)
    if organisation is None and answered is not None:
        organisation = answered.organisation  # a reply sent to the address we send from
    if organisation is None:
        log.warning("Mail refused: not addressed to an intake address (from %s, to %s)", reading.sender, recipients)
        return Result(InboundMail.Outcome.REFUSED, refusal=InboundMail.Refusal.NOT_FOR_US)
    message_id = reading.message_id or "sha256:" + hashlib.sha256(raw).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                mail = InboundMail.objects.create(
                    organisation=organisation,
                    message_id=message_id,
                    via=via,
                    sender=reading.sender[:254],
                    sender_name=reading.sender_name,
                    subject=reading.subject,
                    size=size if size is not None else len(raw),
                    received_on=clock.now(),
                )
        except IntegrityError:
            log.info("Mail %s was handled before: nothing done", message_id)
            return Result("duplicate", mail=InboundMail.objects.filter(message_id=message_id).first())
        why = ""
        if mail.size > settings.INBOUND_MAX_BYTES:
            why = InboundMail.Refusal.TOO_BIG
        else:
            why = refusal(reading, mail_from=mail_from, own_addresses=own_addresses(), own_domain=own_domain())
        if why:
            return refuse(mail, why)
        uploads, not_added = checked_files(reading)
        if answered is not None and answered.organisation_id == organisation.pk and is_reporter(answered, reading):
            return reply(mail, answered, reading, uploads, not_added)
        if not reading.text and not reading.subject and not uploads:
            return refuse(mail, InboundMail.Refusal.EMPTY)
        return report(mail, reading, uploads, not_added)


def refuse(mail: InboundMail, why: str) -> Result:
    """Kept and put on the record, never answered: answering automatic mail starts loops."""
    mail.outcome = InboundMail.Outcome.REFUSED
    mail.refusal = why
    mail.save(update_fields=["outcome", "refusal"])
    record(
        organisation_id=mail.organisation_id,
        action="mail.refused",
        record=mail,
        after=described(mail) | {"refused": InboundMail.Refusal(why).label},
    )
    log.warning("Mail %s from %s refused: %s", mail.message_id, mail.sender, InboundMail.Refusal(why).label)
    return Result(InboundMail.Outcome.REFUSED, mail=mail, refusal=why)


def described(mail: InboundMail) -> dict[str, Any]:
    return {
        "message_id": mail.message_id,
        "from": mail.sender,
        "subject": mail.subject,
        "size": mail.size,
        "via": mail.via,
    }


def checked_files(reading: Reading) -> tuple[list[Upload], list[str]]:
    """The attachments that pass the evidence store's checks, and a line for each that did not.

    A refused file does not stop the report (the person may not be able to send it again);
    a scanner that cannot answer does: nothing is stored and the message is offered again.
    """
    uploads, not_added = [], []
    for attachment in reading.attachments:
        upload = Upload(attachment.name, attachment.content)
        try:
            inspect(upload)
        except StepRefused as refused:
            if str(refused) == checks.SCANNER_DOWN:
                raise TryLater(str(refused)) from refused
            not_added.append(f"{attachment.name}: {refused}")
            continue
        uploads.append(upload)
    return uploads, not_added


def staff_member(organisation: Organisation, address: str) -> User | None:
    """The sender's account, when they are known staff of the organisation (a role on it)."""
    if not address:
        return None
    member = (
        Membership.objects.filter(organisation=organisation, user__email__iexact=address, user__is_active=True)
        .select_related("user")
        .first()
    )
    return member.user if member is not None else None


def report(mail: InboundMail, reading: Reading, uploads: list[Upload], not_added: list[str]) -> Result:
    organisation = mail.organisation
    person = staff_member(organisation, reading.sender)
    description = "\n\n".join(part for part in (reading.subject, reading.text) if part) or NO_TEXT
    try:
        incident, _ = submit_report(
            organisation=organisation,
            reported_by=person,
            submission_key=uuid.uuid5(NAMESPACE, f"{organisation.pk}:{mail.message_id}"),
            fields={"description": description},
            uploads=uploads,
            channel=Channel.EMAIL,
        )
    except StorageFull as full:
        raise TryLater(str(full)) from full
    if person is None:
        # Someone without an account (a parent, a supplier): named as they gave themselves.
        incident.reporter_name = reading.sender_name or reading.sender
        incident.reporter_contact = reading.sender
        # Saved, not update(): both fields are sealed as the row is saved (decision 0038).
        incident.save(update_fields=["reporter_name", "reporter_contact"])
    mail.outcome = InboundMail.Outcome.REPORTED
    mail.incident = incident
    mail.reporter = person
    mail.save(update_fields=["outcome", "incident", "reporter"])
    publish(
        incident,
        "mail.reported",
        person,
        target=mail,
        after=described(mail) | {"reference": incident.reference, "files_not_added": not_added},
    )
    log.info("Mail %s from %s became report %s", mail.message_id, mail.sender, incident.reference)
    return Result(InboundMail.Outcome.REPORTED, mail=mail, incident=incident, files_not_added=not_added)


def answered_incident(reading: Reading, organisation: Organisation | None) -> Incident | None:
    """The incident a message answers: one of our emails about it (In-Reply-To, References),
    the message that reported it, or its reference in the subject."""
    domain = own_domain()
    ours = []
    for message_id in reading.answers:
        local, _, host = message_id.rpartition("@")
        if host.lower() == domain:
            try:
                ours.append(uuid.UUID(local))
            except ValueError:
                continue
    if ours:
        row = Outbox.objects.filter(uuid__in=ours, incident__isnull=False).select_related("incident").first()
        if row is not None and row.incident is not None:
            return row.incident
    if reading.answers:
        mail = InboundMail.objects.filter(message_id__in=reading.answers, incident__isnull=False).first()
        if mail is not None and mail.incident is not None:
            return mail.incident
    references = reading.references
    if references and organisation is not None:
        return Incident.objects.filter(reference__in=references, organisation=organisation).first()
    return None


def is_reporter(incident: Incident, reading: Reading) -> bool:
    """Only the person who reported it may add to an incident by email: anyone else's message,
    whatever it answers, is a report of its own."""
    sender = reading.sender
    if not sender or incident.reporter_anonymous:
        return False
    if incident.reported_by is not None:
        return bool(incident.reported_by.email) and incident.reported_by.email.lower() == sender
    return incident.channel == Channel.EMAIL and incident.reporter_contact.strip().lower() == sender


def without_quote(text: str) -> str:
    """A reply's own words: the quoted message below it, and quoted lines, left out."""
    found = QUOTE_START.search(text)
    if found:
        text = text[: found.start()]
    return "\n".join(line for line in text.splitlines() if not line.startswith(">")).strip()


def reply(
    mail: InboundMail, incident: Incident, reading: Reading, uploads: list[Upload], not_added: list[str]
) -> Result:
    """A message from the reporter on the incident it answers, and its files as theirs."""
    person = incident.reported_by
    named = None if incident.reporter_confidential else person
    text = without_quote(reading.text)
    locked = Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
    if text:
        lifecycle.receive_from_reporter(locked, body=text, via="email", by=named)
    try:
        add_files(
            incident=locked,
            uploads=uploads,
            actor=named,
            source=Evidence.Source.REPORTER,
            description=ADDED_BY_REPORTER,
        )
    except StorageFull as full:
        raise TryLater(str(full)) from full
    mail.outcome = InboundMail.Outcome.REPLIED
    mail.incident = locked
    mail.reporter = person
    mail.save(update_fields=["outcome", "incident", "reporter"])
    publish(
        locked,
        "mail.replied",
        named,
        target=mail,
        after=described(mail) | {"reference": locked.reference, "files_not_added": not_added},
    )
    tell(
        Occasion("reporter.added", incident=locked, actor=person),
        context={"added_text": bool(text), "added_files": len(uploads)},
    )
    log.info("Mail %s from %s added to %s", mail.message_id, mail.sender, locked.reference)
    return Result(InboundMail.Outcome.REPLIED, mail=mail, incident=locked, files_not_added=not_added)
