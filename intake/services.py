"""The front door's actions: submit a report (with its files), and a named reporter adding
information and files to their own report later. Each stores everything and queues who
must be told, in one transaction."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from core.exceptions import StepRefused
from evidence.models import Evidence
from evidence.services import Upload, add_files, inspect
from incidents import lifecycle
from incidents.models import Channel, Incident, ReporterMessage, report_incident
from notifications.audiences import Occasion, tell
from notifications.tasks import send_report_notifications
from organisations.models import Organisation

SENT_WITH_REPORT = "Sent with the report by the person who reported it"
ADDED_BY_REPORTER = "Added by the person who reported it"


def submit_report(
    *,
    organisation: Organisation,
    reported_by: Any,
    submission_key: uuid.UUID | None,
    fields: dict[str, Any],
    uploads: Sequence[Upload] = (),
    channel: str = Channel.WEB,
    recorded_by: Any = None,
) -> tuple[Incident, bool]:
    """Store a report with its files and queue its acknowledgement and notifications.

    Every file passes the evidence store's checks before anything is stored; a refused file
    (StepRefused) or a full store (StorageFull) stores nothing. The queued job is written in
    the same transaction as the incident, so the acknowledgement goes out only once the
    report is durably stored, and never for a report that was not. `recorded_by`: the handler
    who took the report down for someone (`intake.behalf`), who then uploads its files.
    """
    for upload in uploads:
        inspect(upload)
    with transaction.atomic():
        incident, created = report_incident(
            organisation=organisation,
            reported_by=reported_by,
            submission_key=submission_key,
            fields=fields,
            channel=channel,
            recorded_by=recorded_by,
        )
        if created:
            add_files(
                incident=incident,
                uploads=uploads,
                actor=recorded_by or reported_by,
                source=Evidence.Source.REPORTER,
                description=SENT_WITH_REPORT,
            )
            send_report_notifications.enqueue(incident.pk)
    return incident, created


def can_add_to(incident: Incident, person: Any) -> bool:
    """A named or confidential reporter may add to their own report (and to the incident their
    report was merged into as a duplicate); nobody else, here."""
    return bool(incident.reporter_standing(person))


def add_to_report(*, incident: Incident, by: Any, text: str, uploads: Sequence[Upload] = ()) -> ReporterMessage | None:
    """The reporter adds information and files to their own report after sending it.

    The text is a message from the reporter (shown to the handlers on the incident and to
    the reporter on their report page), each file is evidence from the reporter, each an
    event on the record; the handlers and the investigator are told once. A confidential
    reporter's additions carry no name (no event actor, no uploader), like their report.
    """
    text = text.strip()
    if not text and not uploads:
        raise StepRefused("Write what you want to add, or choose a file.")
    if not can_add_to(incident, by):
        raise StepRefused("You can only add to reports you made yourself.")
    for upload in uploads:
        inspect(upload)  # before anything is stored
    named = None if incident.reporter_standing(by) == "confidential" else by
    with transaction.atomic():
        locked = Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
        message = None
        if text:
            message = lifecycle.receive_from_reporter(locked, body=text, via="my_report", by=named)
        add_files(
            incident=locked,
            uploads=uploads,
            actor=named,
            source=Evidence.Source.REPORTER,
            description=ADDED_BY_REPORTER,
        )
        tell(
            Occasion("reporter.added", incident=locked, actor=by),
            context={"added_text": bool(text), "added_files": len(uploads)},
        )
    return message
