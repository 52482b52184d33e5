"""The deadline scan: finds what is due, escalates it once, tells the reporter of progress.

Run by the worker every few minutes (`deadlines.tasks.scan_deadlines`). Each incident
and each action is handled in its own short transaction, in id order, so a worker
killed mid-batch has committed everything before the item it died on and nothing
after it; the next scan carries on. An escalation is an `Escalation` row (unique per
incident or action, kind and threshold) written in the same transaction as its
notifications and its event, so it is sent once, by one worker, however many scans
run at the same moment: a second insert of the same row is refused by the database
(on PostgreSQL it waits for the first to commit, then is refused).

Escalations (issue 6): untriaged past the triage timescale; major or critical untriaged for 4
hours; outcome report overdue; remedial action overdue, then still overdue after more working
days; the ICO clock at 48, 24 and 6 hours left (ICO_REMINDER_HOURS), and overdue; the reporter
not updated within the timescale. Who each goes to is in the one audience table,
`notifications.audiences.AUDIENCES["escalation.<kind>"]`, with the steps' audiences.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from actions.models import RemedialAction
from audit.log import record
from incidents.models import Incident, ReporterMessage
from notifications.api import one_kick
from notifications.audiences import Directory, Occasion, tell
from notifications.models import InformedNotice
from organisations.models import Organisation

from .compute import Due, action_due, incident_dues, local_date
from .models import (
    EffectiveTimescales,
    Escalation,
    ReporterProgress,
    Timescales,
    effective_timescales,
    ico_warning_hours,
)
from .workingdays import working_days_between

logger = logging.getLogger(__name__)
Kind = Escalation.Kind

NEEDED: dict[str, str] = {
    Kind.TRIAGE_OVERDUE: (
        "the incident has not been triaged within its timescale. Make sure it is classified and assigned today."
    ),
    Kind.URGENT_UNTRIAGED: (
        "a major or critical incident has waited hours without triage. Check it and support the incident manager."
    ),
    Kind.INVESTIGATION_OVERDUE: "the outcome report is overdue. Find out what is holding the investigation up.",
    Kind.REPORTER_UPDATE_DUE: (
        "the person who reported this has not been told of progress recently. Send them an update."
    ),
    Kind.ACTION_OVERDUE: "a remedial action you own is past its due date. Complete it or agree a new date.",
    Kind.ACTION_STILL_OVERDUE: "a remedial action is still overdue. Follow it up with its owner.",
    Kind.ICO_CLOCK: (
        "decide with the DPO and SIRO whether the ICO must be told, and report within 72 hours of awareness."
    ),
}
# Closed incidents are still looked at this long, so the reporter is told they closed.
RECENTLY_CLOSED = timedelta(days=14)


@dataclass
class Need:
    kind: str
    threshold: str
    due: Due


@dataclass
class ScanResult:
    incidents: int = 0
    actions: int = 0
    escalations: int = 0
    reporter_notices: int = 0
    informed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


class TimescaleCache:
    def __init__(self) -> None:
        self.rows = {t.organisation_id: t for t in Timescales.objects.select_related("organisation")}
        self.by_org: dict[int, EffectiveTimescales] = {}

    def for_org(self, organisation: Organisation) -> EffectiveTimescales:
        if organisation.pk not in self.by_org:
            self.by_org[organisation.pk] = effective_timescales(organisation, self.rows)
        return self.by_org[organisation.pk]


def incident_needs(dues: list[Due], incident: Incident, now: datetime) -> list[Need]:
    needs = []
    for due in dues:
        if due.is_done or due.key.startswith("action:"):
            continue
        if due.key == "ico":
            left = due.due - now
            crossed = [h for h in ico_warning_hours() if left <= timedelta(hours=h)]
            if crossed:
                hours = min(crossed)
                stamp = timezone.localtime(due.due).strftime("%Y%m%dT%H%M")
                needs.append(Need(Kind.ICO_CLOCK, f"{stamp}:{'overdue' if hours == 0 else f'{hours}h'}", due))
            continue
        if now < due.due:
            continue
        threshold = due.due_date.isoformat() if due.due_date else due.due.isoformat()
        if due.key == "triage" and incident.status == Incident.Status.REPORTED:
            needs.append(Need(Kind.TRIAGE_OVERDUE, threshold, due))
        elif due.key == "urgent_triage" and incident.status == Incident.Status.REPORTED:
            needs.append(Need(Kind.URGENT_UNTRIAGED, "hours", due))
        elif due.key == "outcome" and incident.status in (Incident.Status.TRIAGED, Incident.Status.INVESTIGATING):
            needs.append(Need(Kind.INVESTIGATION_OVERDUE, threshold, due))
        elif due.key == "reporter_update":
            needs.append(Need(Kind.REPORTER_UPDATE_DUE, threshold, due))
    return needs


def action_needs(action: RemedialAction, timescales: EffectiveTimescales, nation: str, now: datetime) -> list[Need]:
    due = action_due(action, timescales, nation)
    if due.is_done or now < due.due or due.due_date is None:
        return []
    needs = [Need(Kind.ACTION_OVERDUE, due.due_date.isoformat(), due)]
    if working_days_between(due.due_date, local_date(now), nation) >= timescales.action_escalate_days:
        needs.append(Need(Kind.ACTION_STILL_OVERDUE, due.due_date.isoformat(), due))
    return needs


def escalate(
    need: Need,
    *,
    organisation: Organisation,
    incident: Incident | None,
    action: RemedialAction | None = None,
    now: datetime,
    directory: Directory | None = None,
) -> bool:
    """Record and send one escalation, once. False if it was already sent."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    organisation=organisation,
                    incident=incident,
                    action=action,
                    kind=need.kind,
                    threshold=need.threshold,
                    due_on=need.due.due,
                    created_on=now,
                )
        except IntegrityError:
            return False
        reference = incident.reference if incident is not None else f"remedial action {action.pk}"  # type: ignore[union-attr]
        link = reverse("incidents:detail", args=[incident.uuid]) if incident is not None else "/notifications/"
        overdue = now >= need.due.due
        groups = tell(
            Occasion(f"escalation.{need.kind}", incident=incident, organisation=organisation, action=action),
            link=link,
            context={
                "reference": reference,
                "what": need.due.label if action is None else "a remedial action",
                "due": need.due.when(),
                "phrase": need.due.phrase(now),
                "needed": NEEDED[need.kind],
                "overdue": overdue,
            },
            directory=directory,
        )
        escalation.told = [f"{p.full_name or p.email} ({g.title})" for g in groups for p in g.people]
        Escalation.objects.filter(pk=escalation.pk).update(told=escalation.told)
        told = "; ".join(escalation.told) or "nobody: no one holds a role to tell"
        record(
            organisation_id=organisation.pk,
            action=f"escalation.{need.kind}",
            record=incident if incident is not None else action,
            target=escalation,
            after={
                "kind": need.kind,
                "threshold": need.threshold,
                "due": need.due.due,
                "told": escalation.told,
                "action": action.pk if action is not None else None,
            },
            reason=f"{need.due.label}: due {need.due.when()}, {need.due.phrase(now)}. Told {told}.",
            at=now,
        )
    return True


def tell_reporter(incident: Incident, now: datetime, directory: Directory | None = None) -> bool:
    """Tell the reporter, in plain words, that their report moved on. Once per change of status."""
    if incident.status == Incident.Status.REPORTED or incident.imported_from:
        return False
    with transaction.atomic():
        progress, _ = ReporterProgress.objects.get_or_create(
            incident=incident, defaults={"told_status": Incident.Status.REPORTED, "told_on": incident.reported_on}
        )
        progress = ReporterProgress.objects.select_for_update().get(pk=progress.pk)
        current = Incident.objects.filter(pk=incident.pk).values_list("status", flat=True).get()
        if progress.told_status == current or current == Incident.Status.REPORTED:
            return False
        words = Incident.STATUS_EXPLANATIONS[Incident.Status(current)]
        message = ReporterMessage.objects.create(
            incident=incident, direction=ReporterMessage.Direction.TO_REPORTER, body=words, sent_on=now
        )
        tell(Occasion("reporter_progress", incident=incident), context={"status_words": words}, directory=directory)
        record(
            organisation_id=incident.organisation_id,
            action="reporter.progress_told",
            record=incident,
            target=message,
            after={
                "status": current,
                "how": "receipt page" if incident.reporter_anonymous else "email and report page",
            },
            at=now,
        )
        ReporterProgress.objects.filter(pk=progress.pk).update(told_status=current, told_on=now)
    return True


def scan(now: datetime | None = None, batch_size: int = 200) -> ScanResult:
    """Look at every open (or recently closed) incident and every open action. Idempotent."""
    with one_kick():  # one outbox drain queued at the end, not one per escalation
        return _scan(now, batch_size)


def _scan(now: datetime | None, batch_size: int) -> ScanResult:
    started = time.monotonic()
    now = now or timezone.now()
    result = ScanResult()
    timescales = TimescaleCache()
    directory = Directory()
    wanted = Q(status__in=Incident.OPEN_STATUSES) | Q(closed_on__gte=now - RECENTLY_CLOSED)
    last_id = 0
    while True:
        batch = list(
            Incident.objects.filter(wanted, pk__gt=last_id)
            .select_related("organisation", "reported_by")
            .annotate(
                last_update=Max(
                    "reporter_messages__sent_on",
                    filter=Q(reporter_messages__direction=ReporterMessage.Direction.TO_REPORTER),
                )
            )
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        ids = [i.pk for i in batch]
        done = set(
            Escalation.objects.filter(incident_id__in=ids, action__isnull=True).values_list(
                "incident_id", "kind", "threshold"
            )
        )
        known = set(InformedNotice.objects.filter(incident_id__in=ids).values_list("incident_id", "rule", "address"))
        progress = dict(ReporterProgress.objects.filter(incident_id__in=ids).values_list("incident_id", "told_status"))
        for incident in batch:
            result.incidents += 1
            try:
                if incident.status in Incident.OPEN_STATUSES:
                    dues = incident_dues(
                        incident, timescales.for_org(incident.organisation), last_reporter_update=incident.last_update
                    )
                    for need in incident_needs(dues, incident, now):
                        if (incident.pk, need.kind, need.threshold) in done:
                            continue
                        if escalate(
                            need, organisation=incident.organisation, incident=incident, now=now, directory=directory
                        ):
                            result.escalations += 1
                    with transaction.atomic():
                        told = tell(Occasion("informed", incident=incident), directory=directory, known=known)
                        result.informed += sum(len(g.people) for g in told)
                if incident.status != Incident.Status.REPORTED and progress.get(incident.pk) != incident.status:
                    result.reporter_notices += tell_reporter(incident, now, directory)
            except Exception as exc:  # one bad incident must not stop the scan of the others
                logger.exception("deadline scan failed for incident %s", incident.pk)
                result.errors.append(f"incident {incident.pk}: {type(exc).__name__}")
    scan_actions(now, timescales, result, batch_size, directory)
    result.seconds = time.monotonic() - started
    return result


def scan_actions(
    now: datetime, timescales: TimescaleCache, result: ScanResult, batch_size: int, directory: Directory
) -> None:
    last_id = 0
    while True:
        batch = list(
            RemedialAction.objects.filter(status=RemedialAction.Status.OPEN, pk__gt=last_id)
            .select_related("organisation", "incident", "owner")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return
        last_id = batch[-1].pk
        done = set(
            Escalation.objects.filter(action_id__in=[a.pk for a in batch]).values_list("action_id", "kind", "threshold")
        )
        for action in batch:
            result.actions += 1
            organisation = action.organisation
            try:
                for need in action_needs(action, timescales.for_org(organisation), organisation.nation, now):
                    if (action.pk, need.kind, need.threshold) in done:
                        continue
                    if escalate(
                        need,
                        organisation=organisation,
                        incident=action.incident,
                        action=action,
                        now=now,
                        directory=directory,
                    ):
                        result.escalations += 1
            except Exception as exc:
                logger.exception("deadline scan failed for action %s", action.pk)
                result.errors.append(f"action {action.pk}: {type(exc).__name__}")
