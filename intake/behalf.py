"""A report taken down by a handler for someone who made it another way.

Reports come by phone, in person, on paper, by letter or from another system (policies 000
and 002, HOW1 and HOW4a). The handler types it in here: the report is stored through the
front door's own `submit_report` (its files checked as the form's are, the acknowledgement
and the handlers' news queued the same way), with its channel and the handler as the
event's actor. Who made it is one of:

- named: their name, how to reach them and (if asked) how they are connected to the
  organisation (`ReporterRelationship`), shown to everyone handling the incident;
- confidential: the same, kept to the DPO and the SIRO by `Incident.reporter_display`, and
  asked for through the confidential reporter's identity requests (`anonymous`);
- anonymous: nobody named, and a receipt for the handler to pass on, with which the
  reporter follows the report on the receipt page as from the public page.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from anonymous.services import issue_receipt
from core.exceptions import StepRefused
from evidence.services import Upload
from incidents.models import Channel, Incident, ReporterRelationship
from incidents.registry import publish
from organisations.models import Organisation
from organisations.powers import powers

from .services import submit_report

NAMED = "named"
CONFIDENTIAL = "confidential"
ANONYMOUS = "anonymous"
IDENTITIES = (NAMED, CONFIDENTIAL, ANONYMOUS)
# The web form is the reporter's own; a handler records every other way in.
BEHALF_CHANNELS = tuple(c for c in Channel if c != Channel.WEB)


def record_on_behalf(
    *,
    organisation: Organisation,
    by: Any,
    channel: str,
    identity: str,
    reporter_name: str = "",
    reporter_contact: str = "",
    reporter_relationship: str = "",
    fields: dict[str, Any],
    uploads: Sequence[Upload] = (),
    submission_key: uuid.UUID | None = None,
) -> tuple[Incident, bool, str | None]:
    """Store a report a handler took down for someone; (incident, created, receipt or None).

    Two events, both with the handler as actor: the report (`incident.reported`, with its
    channel) and who made it (`incident.recorded_on_behalf`: a confidential reporter's name
    is never in it, as the event log is read by everyone handling the incident).
    """
    if not powers(by, organisation).can_record_on_behalf:
        raise StepRefused("Only the incident manager, the SIRO or the DPO can record a report for someone.")
    if channel not in BEHALF_CHANNELS:
        raise StepRefused("Say how the report reached you.")
    if identity not in IDENTITIES:
        raise StepRefused("Say who made the report.")
    name = reporter_name.strip() if identity != ANONYMOUS else ""
    contact = reporter_contact.strip() if identity != ANONYMOUS else ""
    relationship = reporter_relationship if identity != ANONYMOUS else ""
    if relationship and relationship not in ReporterRelationship.values:
        raise StepRefused("Say how they are connected to the organisation, or leave it out.")
    if identity != ANONYMOUS and not name:
        raise StepRefused("Give the name of the person who made the report, or record it as anonymous.")
    with transaction.atomic():
        incident, created = submit_report(
            organisation=organisation,
            reported_by=None,
            submission_key=submission_key,
            fields=fields,
            uploads=uploads,
            channel=channel,
            recorded_by=by,
        )
        if not created:
            return incident, False, None
        reporter = {
            "reporter_name": name,
            "reporter_contact": contact,
            "reporter_relationship": relationship,
            "reporter_confidential": identity == CONFIDENTIAL,
            "reporter_anonymous": identity == ANONYMOUS,
        }
        for attribute, value in reporter.items():
            setattr(incident, attribute, value)
        incident.save(update_fields=list(reporter))  # saved, not update(): the name is sealed
        receipt = issue_receipt(incident) if identity == ANONYMOUS else None
        after: dict[str, Any] = {"channel": channel, "reporter": identity}
        if identity == NAMED:
            after |= {"reporter_name": name, "reporter_contact": contact, "reporter_relationship": relationship}
        publish(incident, "incident.recorded_on_behalf", by, after=after)
    return incident, True, receipt
