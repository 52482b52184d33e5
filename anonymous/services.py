"""Anonymous reports, receipts, messages with the reporter, identity requests.

Nothing here takes a request: what the sender is (address, browser, account) never
reaches these functions. Every event about the reporter has no actor and no request id.

What the anonymous reporter does (the report, a reply, opening the receipt) is stored at
the organisation's time precision (`reporters_clock`: every row it writes, events included,
is stamped with the coarse time), and the handlers are told after a random delay
(`alert_later`), so neither a stored time nor an email's arrival points to who was there.
"""

import hmac
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task
from django.urls import reverse
from django.utils import timezone

from audit.log import record
from core.exceptions import StepRefused
from evidence.models import Evidence
from evidence.services import Upload, add_evidence, add_files, inspect
from incidents import lifecycle
from incidents.models import Channel, Incident, ReporterMessage, report_incident
from lib import clock
from lib.request_context import request_id
from notifications.api import email
from notifications.audiences import Occasion, tell
from notifications.tasks import send_report_notifications, tell_of_reporter_reply
from organisations.models import Organisation

from .keys import new_receipt, receipt_digest
from .models import IdentityRequest, PublicReportPage, Receipt
from .scrub import clean

# A digest no receipt can have, compared against when nothing is found, so a wrong
# receipt costs the same constant-time comparison as a right one.
NO_DIGEST = "0" * 64
REPEAT = timedelta(minutes=10)


@contextmanager
def without_request_id() -> Iterator[None]:
    token = request_id.set("")
    try:
        yield
    finally:
        request_id.reset(token)


@contextmanager
def reporters_clock(organisation_id: int) -> Iterator[datetime]:
    """Everything written inside is stamped with now, cut to the organisation's precision."""
    stamp = clock.coarse(clock.now(), clock.organisation_precision(organisation_id))
    with clock.frozen_at(stamp):
        yield stamp


def alert_delay() -> timedelta:
    """A random delay within settings.ANONYMOUS_ALERT_DELAY_SECONDS (min, max)."""
    low, high = (int(s) for s in settings.ANONYMOUS_ALERT_DELAY_SECONDS)
    return timedelta(seconds=low + secrets.randbelow(max(high - low, 0) + 1))


def alert_later(task: Task, incident: Incident) -> None:
    """Queue `task` to tell the handlers after a random delay (inside `reporters_clock`).

    The job's row keeps the coarse stamp, not the moment it was queued; when it runs is
    the delay's business, and the delay is what hides the moment.
    """
    delay = alert_delay()
    clock.enqueue(task, incident.pk, run_after=timezone.now() + delay if delay else None)


def cleaned_uploads(uploads: Sequence[Upload]) -> list[Upload]:
    """Each upload with its metadata removed (StepRefused for a type that is not accepted)."""
    result = []
    for upload in uploads:
        cleaned = clean(upload.content, upload.name)
        result.append(Upload(cleaned.name, cleaned.content))
    return result


def issue_receipt(incident: Incident) -> str:
    """A new receipt for an anonymous report: only its keyed hash is kept, so it is shown once."""
    receipt = new_receipt()
    Receipt.objects.create(incident=incident, digest=receipt_digest(receipt))
    return receipt


def submit_anonymous_report(
    *,
    organisation: Organisation,
    submission_key: uuid.UUID | None,
    fields: dict[str, Any],
    uploads: Sequence[Upload] = (),
) -> tuple[Incident, str | None]:
    """Store an anonymous report with its files and receipt; queue who must be told.

    Returns (incident, receipt). The receipt is None when this form was already sent
    (same submission key): it was shown then and cannot be shown again.
    """
    files = cleaned_uploads(uploads)  # before anything is stored
    with without_request_id(), reporters_clock(organisation.pk) as stamp, transaction.atomic():
        incident, created = report_incident(
            organisation=organisation, reported_by=None, submission_key=submission_key, fields=fields
        )
        if not created:
            return incident, None
        # updated_on is stamped by Django itself (auto_now), not through lib.clock.
        Incident.objects.filter(pk=incident.pk).update(reporter_anonymous=True, updated_on=stamp)
        incident.reporter_anonymous = True
        incident.updated_on = stamp
        receipt = issue_receipt(incident)
        record(
            organisation_id=organisation.pk,
            action="incident.reporter_anonymous",
            record=incident,
            after={"reporter_anonymous": True, "follow_up": "receipt"},
        )
        for upload in files:
            add_evidence(
                incident=incident,
                content=upload.content,
                original_name=upload.name,
                actor=None,
                source=Evidence.Source.ANONYMOUS_REPORTER,
                description="Sent by the anonymous reporter (metadata removed)",
            )
        alert_later(send_report_notifications, incident)
    return incident, receipt


def submit_named_public_report(
    *,
    organisation: Organisation,
    submission_key: uuid.UUID | None,
    fields: dict[str, Any],
    reporter: dict[str, str],
    uploads: Sequence[Upload] = (),
) -> tuple[Incident, str | None]:
    """A report through the public page from someone outside the organisation who gave their
    name (a parent, a supplier): stored with who they are, emailed the reference, and given a
    receipt to follow it up like an anonymous reporter. Nothing hides when it was sent.

    Returns (incident, receipt); the receipt is None when this form was already sent.
    """
    files = cleaned_uploads(uploads)  # before anything is stored
    with transaction.atomic():
        # Who they are goes on the incident's own reporter fields, with the report (and in
        # its "incident.reported" event, which has no actor): the one home for a reporter
        # without an account, shared with reports taken down for someone and by email.
        incident, created = report_incident(
            organisation=organisation,
            reported_by=None,
            submission_key=submission_key,
            fields=fields,
            reporter={
                "name": reporter["name"],
                "contact": reporter["email"],
                "relationship": reporter["relationship"],
            },
        )
        if not created:
            return incident, None
        receipt = new_receipt()
        Receipt.objects.create(incident=incident, digest=receipt_digest(receipt))
        for upload in files:
            add_evidence(
                incident=incident,
                content=upload.content,
                original_name=upload.name,
                actor=None,
                source=Evidence.Source.REPORTER,
                description=f"Sent with the report by {incident.reporter_name} (metadata removed)",
            )
        email(
            addresses=[reporter["email"]],
            kind="external_report_received",
            incident=incident,
            organisation=organisation,
            link=reverse("anonymous:receipt"),
            context={"reporter_name": incident.reporter_name},
        )
        send_report_notifications.enqueue(incident.pk)
    return incident, receipt


def submit_confidential_report(
    *,
    organisation: Organisation,
    reported_by: Any,
    submission_key: uuid.UUID | None,
    fields: dict[str, Any],
    uploads: Sequence[Upload] = (),
    channel: str = Channel.WEB,
) -> tuple[Incident, bool]:
    """A named report whose reporter is shown only to the DPO and the SIRO.

    The events carry no actor: the event log is read by everyone who handles the
    incident, so the name is kept only in `Incident.reported_by`, which pages, PDFs,
    exports and emails show through `Incident.reporter_display(viewer)`. Its files, likewise,
    have no uploader. Every file is checked before anything is stored.
    """
    for upload in uploads:
        inspect(upload)
    with transaction.atomic():
        incident, created = report_incident(
            organisation=organisation,
            reported_by=None,
            submission_key=submission_key,
            fields=fields,
            channel=channel,
        )
        if created:
            Incident.objects.filter(pk=incident.pk).update(reported_by=reported_by, reporter_confidential=True)
            incident.reported_by = reported_by
            incident.reporter_confidential = True
            record(
                organisation_id=organisation.pk,
                action="incident.reporter_confidential",
                record=incident,
                after={"reporter_confidential": True},
            )
            add_files(
                incident=incident,
                uploads=uploads,
                actor=None,
                source=Evidence.Source.REPORTER,
                description="Sent with the report by the person who reported it",
            )
            send_report_notifications.enqueue(incident.pk)
    return incident, created


def find_by_receipt(digits: str) -> Incident | None:
    """The incident a receipt opens, or None.

    The same work whatever the input: one HMAC, one query on the unique index, one
    constant-time comparison. No early exit for a malformed or unknown receipt.
    """
    digest = receipt_digest(digits)
    found = Receipt.objects.filter(digest=digest).select_related("incident", "incident__organisation").first()
    stored = found.digest if found is not None else NO_DIGEST
    matches = hmac.compare_digest(stored, digest)
    return found.incident if (found is not None and matches) else None


def mark_messages_read(incident: Incident) -> None:
    """The reporter opened their receipt page: messages to them are now read."""
    with without_request_id(), reporters_clock(incident.organisation_id), transaction.atomic():
        unread = list(
            incident.reporter_messages.select_for_update().filter(
                direction=ReporterMessage.Direction.TO_REPORTER, read_on__isnull=True
            )
        )
        if not unread:
            return
        now = clock.now()
        ReporterMessage.objects.filter(pk__in=[m.pk for m in unread]).update(read_on=now)
        record(
            organisation_id=incident.organisation_id,
            action="reporter_message.read",
            record=incident,
            after={"messages": [m.pk for m in unread]},
            at=now,
        )


def reporter_reply(*, incident: Incident, body: str, uploads: Sequence[Upload] = ()) -> ReporterMessage | None:
    """The anonymous reporter answers or adds information and files, through their receipt.

    Returns the message (None when only files were sent). A repeat of the reporter's last
    message within ten minutes, or within the same stored day (a page sent twice), is not
    stored again.
    """
    body = body.strip()
    if not body and not uploads:
        raise StepRefused("Write a message or choose a file to send.")
    files = cleaned_uploads(uploads)
    with without_request_id(), reporters_clock(incident.organisation_id) as stamp, transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        message = None
        if body:
            last = locked.reporter_messages.filter(direction=ReporterMessage.Direction.FROM_REPORTER).last()
            # The same text again within ten minutes (or within the same stored period, since
            # stored times are coarse): a page sent twice.
            if last is not None and last.body == body and last.sent_on >= min(stamp, timezone.now() - REPEAT):
                return last
            message = lifecycle.receive_from_reporter(locked, body=body, via="receipt", at=clock.now())
        for upload in files:
            add_evidence(
                incident=locked,
                content=upload.content,
                original_name=upload.name,
                actor=None,
                source=Evidence.Source.ANONYMOUS_REPORTER,
                description="Added by the anonymous reporter (metadata removed)",
            )
        alert_later(tell_of_reporter_reply, locked)
    return message


# --- Confidential reporters: asking for the identity -------------------------------------


def request_identity(*, incident: Incident, by: Any, reason: str) -> IdentityRequest:
    reason = reason.strip()
    if not incident.reporter_confidential or not incident.has_named_reporter:
        raise StepRefused("Only a confidential report's reporter can be asked for.")
    if incident.powers_of(by).can_see_confidential_reporter:
        raise StepRefused("You can already see who reported this.")
    if not reason:
        raise StepRefused("Say why you need to know who reported this.")
    with transaction.atomic():
        if IdentityRequest.objects.filter(
            incident=incident, requested_by=by, status=IdentityRequest.Status.PENDING
        ).exists():
            raise StepRefused("You have already asked. The DPO will decide.")
        identity_request = IdentityRequest.objects.create(incident=incident, requested_by=by, reason=reason)
        record(
            organisation_id=incident.organisation_id,
            action="identity.requested",
            actor=by,
            record=incident,
            target=identity_request,
            reason=reason,
        )
        tell(Occasion("identity.requested", incident=incident, actor=by))
    return identity_request


def decide_identity_request(*, identity_request: IdentityRequest, by: Any, grant: bool, reason: str) -> None:
    reason = reason.strip()
    with transaction.atomic():
        locked = (
            IdentityRequest.objects.select_for_update()
            .select_related("incident__organisation")
            .get(pk=identity_request.pk)
        )
        if not locked.incident.powers_of(by).can_decide_identity_requests:
            raise StepRefused("Only the DPO can decide this request.")
        if locked.status != IdentityRequest.Status.PENDING:
            raise StepRefused("This request has already been decided.")
        if not grant and not reason:
            raise StepRefused("Say why the request is refused.")
        now = timezone.now()
        locked.status = IdentityRequest.Status.GRANTED if grant else IdentityRequest.Status.REFUSED
        locked.decided_by = by
        locked.decided_on = now
        locked.decision_reason = reason
        locked.expires_on = IdentityRequest.grant_expiry(now) if grant else None
        locked.save()
        record(
            organisation_id=locked.incident.organisation_id,
            action="identity.granted" if grant else "identity.refused",
            actor=by,
            record=locked.incident,
            target=locked,
            before={"status": IdentityRequest.Status.PENDING},
            after={"status": locked.status, "expires_on": locked.expires_on},
            reason=reason,
        )
        tell(Occasion("identity.decided", incident=locked.incident, actor=by, person=locked.requested_by))
    identity_request.refresh_from_db()


def reveal_identity(*, identity_request: IdentityRequest, by: Any) -> str:
    """The reporter's name, for the person granted it; each reveal is an event."""
    incident = identity_request.incident
    if identity_request.requested_by_id != by.pk or not identity_request.is_usable:
        raise StepRefused("You do not have permission to see who reported this.")
    assert incident.has_named_reporter
    with transaction.atomic():
        record(
            organisation_id=incident.organisation_id,
            action="identity.revealed",
            actor=by,
            record=incident,
            target=identity_request,
        )
    if incident.reported_by is None:  # taken down by a handler: the name (and contact) they gave
        return ", ".join(part for part in (incident.reporter_name, incident.reporter_contact) if part)
    return incident.reported_by.full_name or incident.reported_by.email


def page_for(organisation: Organisation, *, by: Any = None) -> PublicReportPage:
    """The organisation's public report page, made (with an event) the first time."""
    with transaction.atomic():
        page, created = PublicReportPage.objects.get_or_create(organisation=organisation)
        if created:
            record(
                organisation_id=organisation.pk,
                action="public_page.created",
                actor=by,
                record=page,
                after={"slug": page.slug},
            )
    return page


def regenerate_page_address(page: PublicReportPage, *, by: Any) -> PublicReportPage:
    from .models import new_slug

    with transaction.atomic():
        before = page.slug
        page.slug = new_slug()
        page.save(update_fields=["slug", "updated_on"])
        record(
            organisation_id=page.organisation_id,
            action="public_page.address_changed",
            actor=by,
            record=page,
            before={"slug": before},
            after={"slug": page.slug},
        )
    return page


def set_exact_times(page: PublicReportPage, *, by: Any, exact: bool) -> None:
    with transaction.atomic():
        before = page.exact_times
        if before == exact:
            return
        page.exact_times = exact
        page.save(update_fields=["exact_times", "updated_on"])
        record(
            organisation_id=page.organisation_id,
            action="public_page.time_precision_changed",
            actor=by,
            record=page,
            before={"exact_times": before},
            after={"exact_times": exact},
        )
