"""The monthly disposal lists: on the first of each month, for each organisation, the closed
incidents whose retention has ended, for an incident manager or the DPO to keep or approve.

Safe to run twice and on several workers: a list is unique per (organisation, month) and an
incident once per list, so a second run adds nothing. An incident is left off while it is on
legal hold, already disposed of, waiting on an earlier list, or kept until after this month.
The same run removes reporter messages and anonymous receipts whose own schedule has ended.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from incidents.models import Incident
from organisations.models import Organisation

from . import schedule
from .disposal import remove_messages
from .models import DisposalEntry, DisposalList


@dataclass
class Drafted:
    lists: int = 0
    entries: int = 0
    messages_removed: int = 0


def _closed_undisposed() -> "Q":
    return Q(status__in=Incident.CLOSED_STATUSES, closed_on__isnull=False, disposed_on__isnull=True)


def draft(today: date | None = None) -> Drafted:
    """Draft this month's list for every organisation with incidents due."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    result = Drafted()
    organisation_ids = (
        Incident.objects.filter(_closed_undisposed()).values_list("organisation_id", flat=True).distinct()
    )
    for organisation in Organisation.objects.filter(pk__in=list(organisation_ids)).order_by("pk"):
        drafted, entries, removed = _draft_one(organisation, month)
        result.lists += drafted
        result.entries += entries
        result.messages_removed += removed
    return result


def _draft_one(organisation: Organisation, month: date) -> tuple[int, int, int]:
    rules = schedule.effective(organisation)
    incidents = Incident.objects.filter(_closed_undisposed(), organisation=organisation)
    due: list[tuple[Incident, schedule.Due]] = []
    removed = 0
    for incident in incidents.only("pk", "status", "closed_on", "personal_data_breach", "breach_status", "nature"):
        ends = schedule.messages_due(incident, rules)
        if ends is not None and ends.on < month and remove_messages(incident):
            removed += 1
        found = schedule.due(incident, rules)
        if found is not None and found.on < month:
            due.append((incident, found))
    held = set(incidents.filter(legal_hold_on__isnull=False).values_list("pk", flat=True))
    waiting_or_kept = set(
        DisposalEntry.objects.filter(disposal_list__organisation=organisation)
        .filter(
            Q(decision=DisposalEntry.Decision.WAITING, disposal_list__month__lt=month)
            | Q(decision=DisposalEntry.Decision.KEEP, kept_until__gte=month)
        )
        .values_list("incident_id", flat=True)
    )
    due = [(i, d) for i, d in due if i.pk not in held and i.pk not in waiting_or_kept]
    if not due:
        return 0, 0, removed
    try:
        with transaction.atomic():
            disposal_list, created = DisposalList.objects.get_or_create(
                organisation=organisation, month=month, defaults={"drafted_on": timezone.now()}
            )
    except IntegrityError:  # another worker drafted it in the same moment
        disposal_list, created = DisposalList.objects.get(organisation=organisation, month=month), False
    already = set(disposal_list.entries.values_list("incident_id", flat=True))
    new = [DisposalEntry(disposal_list=disposal_list, incident=i, rule=d.rule, due_on=d.on) for i, d in due]
    new = [entry for entry in new if entry.incident_id not in already]
    DisposalEntry.objects.bulk_create(new, ignore_conflicts=True)  # a worker alongside: the constraint holds
    return int(created), len(new), removed
