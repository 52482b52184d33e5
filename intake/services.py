"""Submitting a report: store the incident, then queue who must be told, in one transaction."""

import uuid
from typing import Any

from django.db import transaction

from incidents.models import Incident, report_incident
from notifications.tasks import send_report_notifications
from organisations.models import Organisation


def submit_report(
    *, organisation: Organisation, reported_by: Any, submission_key: uuid.UUID | None, fields: dict[str, Any]
) -> tuple[Incident, bool]:
    """Store a report and queue its acknowledgement and notifications.

    The queued job is written in the same transaction as the incident, so the
    acknowledgement goes out only once the report is durably stored, and never for a
    report that was not.
    """
    with transaction.atomic():
        incident, created = report_incident(
            organisation=organisation, reported_by=reported_by, submission_key=submission_key, fields=fields
        )
        if created:
            send_report_notifications.enqueue(incident.pk)
    return incident, created
