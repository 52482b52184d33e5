"""Disposal of one incident at the end of its retention, in one transaction (decision 0038).

What goes: every free-text and personal field of the incident and of everything it gathered
(`_erase`: the one list, app by app, floor by floor; docs/retention.md lists it in words),
its evidence files in the store (folder or bucket) and their names, its search entries, its
anonymous receipt, and its data key (`_destroy_content_key`), which is how the copies inside
the append-only event log go. What stays, for statistics: the reference, organisation, type,
nature, breach status, severity, dates, status, the ICO decision and reference, the outcome
report's state, counts of people and records, and who handled it (staff acting in a role).

A `Disposal` row (no personal data) is kept for ever, the disposal is an event on the
organisation's chain, and a line is appended to the ledger outside the database (`ledger`).
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from actions.models import RemedialAction
from anonymous.models import IdentityRequest, Receipt
from audit import sealing
from audit.log import record
from breaches.models import Decision, IcoSubmission, IndividualsNotice, ReportDetails
from core.exceptions import StepRefused
from evidence import storage as evidence_storage
from evidence.models import Evidence
from inbound.models import InboundMail
from incidents.models import Incident
from incidents.models.incident import KeptReporter, ReporterMessage
from incidents.models.investigation import (
    ChecklistItem,
    Classification,
    InternalNote,
    OutcomeReport,
    OutcomeReview,
    Routing,
)
from incidents.models.oversight import Correction, Oversight
from incidents.models.restriction import NamedPerson, OutsideAccess
from incidents.models.waves import RelatedLink
from insights.models import ImportedRow
from learning import search
from notifications.models import InformedNotice, Notification, Outbox
from parties.models import BodyNotice, IncidentParty
from webhooks.models import Delivery

from . import ledger
from .models import Disposal, DisposalEntry

# The incident's own fields that hold what was reported or written about it, or who reported it.
INCIDENT_TEXT = (
    "description",
    "location",
    "information_involved",
    "data_subjects",
    "people_involved",
    "action_taken",
    "symptoms",
    "service_name",
    "reporter_name",
    "reporter_contact",
    "reporter_relationship",
    "ico_decision_reason",
    "restriction_reason",
    "imported_from",
    "legal_hold_reason",
)
INCIDENT_PEOPLE = ("reported_by", "recorded_by")  # the reporter's account, and who took it down for them
OUTCOME_TEXT = (
    "summary",
    "root_cause",
    "data_and_people_affected",
    "containment_and_recovery",
    "notification_decisions",
    "disciplinary_outcome",
    "lessons_learned",
    "recommendations",
)
REPORT_DETAILS_TEXT = (
    "how_discovered",
    "systems_effect",
    "staff_involved",
    "measures_before",
    "containment",
    "recurrence_steps",
    "other_bodies_told",
    "advice_to_individuals",
)


def _destroy_content_key(incident: Incident) -> None:
    """Destroy the incident's data key (decision 0038): every sealed copy of its content, the
    record's events and evidence files included, can never be opened again."""
    Incident.objects.filter(pk=incident.pk).update(content_key=sealing.DESTROYED)
    sealing.forget(incident.uuid)


def approve(entry: DisposalEntry, *, by: Any) -> Disposal:
    """An incident manager or the DPO approves the disposal of an incident on a disposal list."""
    incident = entry.incident
    if not incident.powers_of(by).can_dispose:
        raise StepRefused("Only the incident manager or the DPO can approve a disposal.")
    with transaction.atomic():
        entry = DisposalEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.decision != DisposalEntry.Decision.WAITING:
            raise StepRefused("This incident has already been decided on.")
        now = timezone.now()
        disposal = dispose(incident, by=by, rule=entry.rule, approved_on=now)
        entry.decision = DisposalEntry.Decision.APPROVED
        entry.decided_by, entry.decided_on = by, now
        entry.save(update_fields=["decision", "decided_by", "decided_on"])
    return disposal


def keep(entry: DisposalEntry, *, by: Any, reason: str, until: Any) -> None:
    """Keep an incident past its retention, with a reason: it comes back on the list after `until`."""
    reason = (reason or "").strip()
    if not reason:
        raise StepRefused("Give the reason for keeping this incident.")
    if not entry.incident.powers_of(by).can_dispose:
        raise StepRefused("Only the incident manager or the DPO can keep an incident past its retention.")
    with transaction.atomic():
        entry = DisposalEntry.objects.select_for_update().select_related("incident").get(pk=entry.pk)
        if entry.decision != DisposalEntry.Decision.WAITING:
            raise StepRefused("This incident has already been decided on.")
        entry.decision = DisposalEntry.Decision.KEEP
        entry.keep_reason, entry.kept_until = reason, until
        entry.decided_by, entry.decided_on = by, timezone.now()
        entry.save(update_fields=["decision", "keep_reason", "kept_until", "decided_by", "decided_on"])
        record(
            organisation_id=entry.incident.organisation_id,
            action="retention.kept",
            actor=by,
            record=entry.incident,
            target=entry,
            after={"kept_until": until.isoformat(), "rule": entry.rule},
            reason=reason,
        )


def dispose(
    incident: Incident,
    *,
    by: Any,
    rule: str,
    approved_on: datetime,
    approved_by_id: int | None = None,
    replayed: bool = False,
) -> Disposal:
    """Dispose of `incident` (one transaction; refused while it is open, held or already disposed of)."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.disposed_on is not None:
            raise StepRefused("This incident has already been disposed of.")
        if incident.legal_hold_on is not None:
            raise StepRefused("This incident is on legal hold: lift the hold before it can be disposed of.")
        if incident.status not in Incident.CLOSED_STATUSES:
            raise StepRefused("Only a closed incident can be disposed of.")
        now = timezone.now()
        stored_names = _erase(incident)
        incident.disposed_on, incident.disposal_rule = now, rule
        incident.save()
        disposal = Disposal.objects.create(
            incident=incident,
            reference=incident.reference or "",
            organisation_id=incident.organisation_id,
            rule=rule,
            approved_by_id=approved_by_id if approved_by_id is not None else getattr(by, "pk", None),
            approved_on=approved_on,
            disposed_on=now,
            replayed_on=now if replayed else None,
        )
        # On the organisation's chain, naming the Disposal row, not the incident: it carries no content.
        record(
            organisation_id=incident.organisation_id,
            action="retention.disposed",
            actor=by,
            record=disposal,
            after={"reference": disposal.reference, "rule": rule, "replayed": replayed},
        )
        _destroy_content_key(incident)
        # Last, so a refusal above leaves every file in place.
        for name in stored_names:
            evidence_storage.remove(name)
        if not replayed:
            ledger.append(
                {
                    "incident": incident.pk,
                    "reference": disposal.reference,
                    "organisation": incident.organisation_id,
                    "rule": rule,
                    "approved_by": disposal.approved_by_id,
                    "approved_on": approved_on.isoformat(),
                    "disposed_on": now.isoformat(),
                }
            )
    return disposal


def dispose_again(line: dict[str, Any]) -> bool:
    """Replay one ledger line after a restore: True if the incident was there, undisposed, and now is not."""
    incident = Incident.objects.filter(pk=line["incident"], reference=line["reference"]).first()
    if incident is None or incident.disposed_on is not None:
        return False
    dispose(
        incident,
        by=None,
        rule=line["rule"],
        approved_on=datetime.fromisoformat(line["approved_on"]),
        approved_by_id=line.get("approved_by"),
        replayed=True,
    )
    return True


def remove_messages(incident: Incident) -> bool:
    """Its own schedule's end: the reporter messages and the anonymous receipt go (an event if any did)."""
    with transaction.atomic():
        messages, _ = ReporterMessage.objects.filter(incident=incident).delete()
        receipts, _ = Receipt.objects.filter(incident=incident).delete()
        if not messages and not receipts:
            return False
        record(
            organisation_id=incident.organisation_id,
            action="retention.messages_removed",
            record=incident,
            after={"messages": messages, "receipt": bool(receipts)},
        )
    return True


def _erase(incident: Incident) -> list[str]:
    """Remove every copy of the incident's content held in the database; return its evidence
    files' stored names, for the caller to delete from the store. The one list: a model added
    that holds an incident's text belongs here (tests/test_retention_disposal.py finds a missed one)."""
    for name in INCIDENT_TEXT:
        setattr(incident, name, "")
    for name in INCIDENT_PEOPLE:
        setattr(incident, name, None)
    # incidents: notes, messages, corrections and the people kept or named are deleted; free text blanked.
    InternalNote.objects.filter(incident=incident).delete()
    ReporterMessage.objects.filter(incident=incident).delete()
    Correction.objects.filter(incident=incident).delete()
    KeptReporter.objects.filter(incident=incident).delete()
    NamedPerson.objects.filter(incident=incident).delete()
    OutsideAccess.objects.filter(incident=incident).delete()
    Classification.objects.filter(incident=incident).update(reason="")
    Routing.objects.filter(incident=incident).update(lead_decision_reason="")
    ChecklistItem.objects.filter(incident=incident).update(note="", not_applicable_reason="")
    Oversight.objects.filter(incident=incident).update(text="")
    OutcomeReport.objects.filter(incident=incident).update(**dict.fromkeys(OUTCOME_TEXT, ""))
    OutcomeReview.objects.filter(report__incident=incident).update(comments="")
    RelatedLink.objects.filter(incident=incident).update(reason="")
    RelatedLink.objects.filter(related=incident).update(reason="")
    # notifications: what was sent or shown about it (emails' text, in-app titles, informed parties).
    Outbox.objects.filter(incident=incident).delete()
    Notification.objects.filter(incident=incident).delete()
    InformedNotice.objects.filter(incident=incident).delete()
    # breaches: the record's facts and free text; the decision itself stays on the incident.
    # The assessments' facts are sealed as one value: unreadable once the key is destroyed below.
    Decision.objects.filter(assessment__incident=incident).update(reason="")
    ReportDetails.objects.filter(incident=incident).update(**dict.fromkeys(REPORT_DETAILS_TEXT, ""))
    IcoSubmission.objects.filter(incident=incident).update(delay_reason="", ico_response="")
    IndividualsNotice.objects.filter(incident=incident).update(notes="")
    # actions, parties: their free text.
    RemedialAction.objects.filter(incident=incident).update(title="Remedial action (disposed of)", details="")
    IncidentParty.objects.filter(incident=incident).update(notes="")
    BodyNotice.objects.filter(incident=incident).update(made_by="", reason="")
    # evidence: the rows (names, descriptions, digests) now, the files by the caller.
    stored_names = list(Evidence.objects.filter(incident=incident).values_list("stored_name", flat=True))
    Evidence.objects.filter(incident=incident).delete()
    # anonymous: the receipt and requests to know a confidential reporter's name.
    Receipt.objects.filter(incident=incident).delete()
    IdentityRequest.objects.filter(incident=incident).delete()
    # webhooks, inbound mail, an old log's import row: payloads, senders and subjects.
    Delivery.objects.filter(incident=incident).update(body="")
    InboundMail.objects.filter(incident=incident).delete()
    ImportedRow.objects.filter(incident=incident).delete()
    # learning: what the search finds of it (its known errors are the organisation's knowledge and stay).
    search.forget(incident)
    return stored_names
