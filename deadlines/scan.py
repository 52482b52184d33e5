"""The deadline scan: finds what is due, escalates it once, tells the reporter of progress.

`scan` runs every 5 minutes (`deadlines.tasks.scan_deadlines`) and reads only the stored
deadlines whose moment has come (`Deadline.attention_at`, `attention.py`), a batch a
transaction with the rows locked, so its work is what fell due, not every open incident; a
worker killed mid-batch leaves that batch to the next scan. `reconcile` is the nightly full
pass (`reconcile_deadlines`): every open incident's deadlines worked out again, informed
parties and reporters caught up. An escalation is an `Escalation` row (unique per
incident or action, kind and threshold) written in the same transaction as its
notifications and its event, so it is sent once however many scans run at the same moment:
a second insert of the same row is refused by the database.

Both read the stored deadlines (`Deadline`, the same rows the dashboard, the log and the ICO
clocks page count).

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
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from actions.models import RemedialAction
from audit.log import record
from incidents.models import Incident, ReporterMessage
from incidents.registry import publish
from notifications.api import one_kick
from notifications.audiences import Directory, Occasion, tell
from notifications.models import InformedNotice
from organisations.models import Organisation

from . import attention, store
from .compute import local_date
from .models import (
    OUTSIDE_KINDS,
    Deadline,
    EffectiveTimescales,
    Escalation,
    ReporterProgress,
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
    Kind.CONTROLLER_OVERDUE: (
        "you handle this data for another organisation and have not told them yet. Tell them today and record when."
    ),
    Kind.BODY_OVERDUE: (
        "an outside body asks to be told of this kind of incident within a set time, and has not been. "
        "Tell them, or record why they need not be told."
    ),
}
# Closed incidents are still looked at this long, so the reporter is told they closed.
RECENTLY_CLOSED = timedelta(days=14)


@dataclass
class Need:
    kind: str
    threshold: str
    due: Deadline


@dataclass
class ScanResult:
    incidents: int = 0
    actions: int = 0
    escalations: int = 0
    reporter_notices: int = 0
    informed: int = 0
    refreshed: int = 0  # stored deadline rows the scan found out of date (0 when every change published)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


INCIDENT_KINDS = {
    Deadline.Kind.TRIAGE: Kind.TRIAGE_OVERDUE,
    Deadline.Kind.URGENT_TRIAGE: Kind.URGENT_UNTRIAGED,
    Deadline.Kind.OUTCOME: Kind.INVESTIGATION_OVERDUE,
    Deadline.Kind.REPORTER_UPDATE: Kind.REPORTER_UPDATE_DUE,
    Deadline.Kind.CONTROLLER: Kind.CONTROLLER_OVERDUE,
    **{kind: Kind.BODY_OVERDUE for kind in OUTSIDE_KINDS if kind != Deadline.Kind.CONTROLLER},
}


def occasion(due: Deadline) -> str:
    """The occasion a deadline's escalation is about: the moment its clock started from (the
    report, triage, the reporter's last update, an action raised). A timescale edit or a
    reclassification moves the due moment, not the occasion, so nothing is chased twice."""
    start = due.starts_at or due.due_at
    return "from:" + timezone.localtime(start).strftime("%Y%m%dT%H%M")


def incident_needs(deadlines: list[Deadline], now: datetime) -> list[Need]:
    """What to chase among an incident's stored deadlines: the open ones that are overdue, and
    the ICO clock at each reminder point (once per reminder point per incident, whatever a
    reassessment does to the clock)."""
    needs = []
    for due in deadlines:
        if not due.is_open or due.kind == Deadline.Kind.ACTION:
            continue
        if due.kind == Deadline.Kind.ICO:
            left = due.due_at - now
            crossed = [h for h in ico_warning_hours() if left <= timedelta(hours=h)]
            if crossed:
                hours = min(crossed)
                needs.append(Need(Kind.ICO_CLOCK, "clock:" + ("overdue" if hours == 0 else f"{hours}h"), due))
            continue
        if now < due.due_at:
            continue
        kind = INCIDENT_KINDS[Deadline.Kind(due.kind)]
        # Several bodies may fall due at once: each is its own occasion.
        threshold = f"{due.kind}:{occasion(due)}" if kind == Kind.BODY_OVERDUE else occasion(due)
        needs.append(Need(kind, threshold, due))
    return needs


def action_needs(
    due: Deadline, timescales: EffectiveTimescales, now: datetime, action: RemedialAction | None = None
) -> list[Need]:
    """An action is chased once per due date agreed on it (a new date is a new occasion), and once
    per raising when its date comes from the timescales (editing them chases nothing again)."""
    if not due.is_open or now < due.due_at or due.due_date is None:
        return []
    key = due.due_date.isoformat() if action is not None and action.due_on is not None else occasion(due)
    needs = [Need(Kind.ACTION_OVERDUE, key, due)]
    if working_days_between(due.due_date, local_date(now), due.nation) >= timescales.action_escalate_days:
        needs.append(Need(Kind.ACTION_STILL_OVERDUE, key, due))
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
    """Record and send one escalation, once. False if it was already sent.

    The people told are worked out first, so the escalation row is written once with them;
    a second scan that reaches the same occasion has its insert refused and its notifications
    undone with it (the outer savepoint), as if it had never looked."""
    reference = incident.reference if incident is not None else f"remedial action {action.pk}"  # type: ignore[union-attr]
    link = reverse("incidents:detail", args=[incident.uuid]) if incident is not None else "/notifications/"
    overdue = now >= need.due.due_at
    with transaction.atomic():
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
        told_names = [f"{p.full_name or p.email} ({g.title})" for g in groups for p in g.people]
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    organisation=organisation,
                    incident=incident,
                    action=action,
                    kind=need.kind,
                    threshold=need.threshold,
                    due_on=need.due.due_at,
                    created_on=now,
                    told=told_names,
                )
        except IntegrityError:
            transaction.set_rollback(True)  # already sent: what this call told goes with it
            return False
        told = "; ".join(told_names) or "nobody: no one holds a role to tell"
        written: dict[str, Any] = {
            "action": f"escalation.{need.kind}",
            "target": escalation,
            "after": {
                "kind": need.kind,
                "threshold": need.threshold,
                "due": need.due.due_at,
                "told": told_names,
                "action": action.pk if action is not None else None,
            },
            "reason": f"{need.due.label}: due {need.due.when()}, {need.due.phrase(now)}. Told {told}.",
            "at": now,
        }
        if incident is not None and incident.organisation_id == organisation.pk:
            # Published, so the apps above hear it too (webhooks: "the ICO clock has 24 hours left").
            publish(incident, by=None, **written)
        else:
            record(organisation_id=organisation.pk, record=incident if incident is not None else action, **written)
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
        store.refresh_incidents([incident.pk])  # the message resets "update the reporter"
    return True


def scan(now: datetime | None = None, batch_size: int = 200) -> ScanResult:
    """Chase the stored deadlines whose moment has come (`Deadline.attention_at`), and only those.

    Every 5 minutes. Reads the rows through their partial index, `batch_size` at a time, each
    batch in its own transaction with its rows locked (`SKIP LOCKED` on PostgreSQL, so two
    workers take different rows; SQLite takes the write lock at the start of the transaction,
    so they take turns). Each row's escalations are sent once (the `Escalation` row, unique per
    occasion), then the row moves on to its next moment (`attention.after`), or empties. With
    nothing due it is one query, whatever the number of open incidents. Idempotent.
    """
    with one_kick():  # one outbox drain queued at the end, not one per escalation
        return _chase_due(now or timezone.now(), batch_size)


# A row whose chase failed is tried again by the next scan, not again and again by this one.
RETRY = timedelta(minutes=5)


def _chase_due(now: datetime, batch_size: int) -> ScanResult:
    started = time.monotonic()
    result = ScanResult()
    directory = Directory()
    timescales: store.TimescaleRows | None = None
    incidents: set[int] = set()
    while True:
        with transaction.atomic():
            rows = list(due_rows(now, batch_size))
            if not rows:
                break
            if timescales is None and any(row.action_id for row in rows):
                timescales = store.TimescaleRows()  # only an action's "still overdue" reads them
            directory.preload(
                row.action.organisation if row.action is not None else row.incident.organisation  # type: ignore[union-attr]
                for row in rows
                if row.action is not None or row.incident is not None
            )
            done = _chased(rows)
            for row in rows:
                escalate_days = None
                try:
                    with transaction.atomic():
                        if row.action is None:
                            incidents.add(row.incident_id)  # type: ignore[arg-type]
                            result.escalations += _chase_incident_row(row, now, done, directory)
                        else:
                            result.actions += 1
                            applying = timescales.for_path(row.action.organisation.path)  # type: ignore[union-attr]
                            escalate_days = applying.action_escalate_days
                            result.escalations += _chase_action_row(row, row.action, now, done, directory, applying)
                    row.attention_at = attention.after(row, now, escalate_days)
                except Exception as exc:  # one bad row must not stop the scan of the others
                    logger.exception("deadline scan failed for deadline %s", row.pk)
                    result.errors.append(f"deadline {row.pk}: {type(exc).__name__}")
                    row.attention_at = now + RETRY
            Deadline.objects.bulk_update(rows, ["attention_at"])
    result.incidents = len(incidents)
    result.seconds = time.monotonic() - started
    return result


def due_rows(now: datetime, batch_size: int) -> "QuerySet[Deadline]":
    """The scan's one read of the deadlines: the next rows whose moment has come, through the
    partial index `deadline_attention`, locked for this worker and skipped by the others."""
    return (
        Deadline.objects.filter(attention_at__lte=now)
        .select_related("incident__organisation", "action__organisation", "action__incident", "action__owner")
        .order_by("attention_at", "id")
        .select_for_update(skip_locked=True, of=("self",))[:batch_size]
    )


def _chased(rows: list[Deadline]) -> set[tuple[str, int, str, str]]:
    """The escalations already sent for these rows' incidents and actions (two queries a batch)."""
    incident_ids = [r.incident_id for r in rows if r.action_id is None and r.incident_id is not None]
    action_ids = [r.action_id for r in rows if r.action_id is not None]
    done: set[tuple[str, int, str, str]] = set()
    if incident_ids:
        chased = Escalation.objects.filter(incident_id__in=incident_ids, action__isnull=True)
        done |= {("incident", *key) for key in chased.values_list("incident_id", "kind", "threshold")}
    if action_ids:
        chased = Escalation.objects.filter(action_id__in=action_ids)
        done |= {("action", *key) for key in chased.values_list("action_id", "kind", "threshold")}
    return done


def _chase_incident_row(
    row: Deadline, now: datetime, done: set[tuple[str, int, str, str]], directory: Directory
) -> int:
    incident = row.incident
    if incident is None or incident.status not in Incident.OPEN_STATUSES:
        return 0
    sent = 0
    for need in incident_needs([row], now):
        if ("incident", incident.pk, need.kind, need.threshold) not in done:
            sent += escalate(need, organisation=incident.organisation, incident=incident, now=now, directory=directory)
    return sent


def _chase_action_row(
    row: Deadline,
    action: RemedialAction,
    now: datetime,
    done: set[tuple[str, int, str, str]],
    directory: Directory,
    applying: EffectiveTimescales,
) -> int:
    if action.status != RemedialAction.Status.OPEN:
        return 0
    sent = 0
    for need in action_needs(row, applying, now, action):
        if ("action", action.pk, need.kind, need.threshold) not in done:
            sent += escalate(
                need,
                organisation=action.organisation,
                incident=action.incident,
                action=action,
                now=now,
                directory=directory,
            )
    return sent


def reconcile(now: datetime | None = None, batch_size: int = 200) -> ScanResult:
    """The nightly full pass: every open (or recently closed) incident and every open action.

    Works each one's deadlines out again (so a change made outside the steps, by hand in the
    database or by an import, is caught), chases what they owe as the scan does, tells the
    informed parties a step did not tell and the reporter of a status a step's job did not
    tell. Its work grows with the open incidents, so it runs once a day (`tasks.py`), not
    every 5 minutes. Idempotent, and safe beside the scan (one escalation per occasion).
    """
    with one_kick():
        return _scan(now, batch_size)


def _scan(now: datetime | None, batch_size: int) -> ScanResult:
    started = time.monotonic()
    now = now or timezone.now()
    result = ScanResult()
    timescales = store.TimescaleRows()
    directory = Directory()
    wanted = Q(status__in=Incident.OPEN_STATUSES) | Q(closed_on__gte=now - RECENTLY_CLOSED)
    last_id = 0
    while True:
        batch = list(
            Incident.objects.filter(wanted, pk__gt=last_id)
            .select_related("organisation", "reported_by")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        ids = [i.pk for i in batch]
        directory.preload(incident.organisation for incident in batch)
        try:
            with transaction.atomic():
                result.refreshed += store.refresh_incidents(ids, timescales=timescales)
        except Exception as exc:  # chase what is stored; the next scan tries again
            logger.exception("deadline refresh failed for incidents %s..%s", ids[0], ids[-1])
            result.errors.append(f"refresh of incidents {ids[0]}..{ids[-1]}: {type(exc).__name__}")
        deadlines: dict[int, list[Deadline]] = {}
        for row in Deadline.objects.filter(incident_id__in=ids, action__isnull=True):
            deadlines.setdefault(row.incident_id, []).append(row)  # type: ignore[arg-type]
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
                    for need in incident_needs(deadlines.get(incident.pk, []), now):
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
    now: datetime, timescales: store.TimescaleRows, result: ScanResult, batch_size: int, directory: Directory
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
        ids = [a.pk for a in batch]
        directory.preload(action.organisation for action in batch)
        try:
            with transaction.atomic():
                result.refreshed += store.refresh_actions(ids, timescales=timescales)
        except Exception as exc:
            logger.exception("deadline refresh failed for actions %s..%s", ids[0], ids[-1])
            result.errors.append(f"refresh of actions {ids[0]}..{ids[-1]}: {type(exc).__name__}")
        stored = {row.action_id: row for row in Deadline.objects.filter(action_id__in=ids)}
        done = set(Escalation.objects.filter(action_id__in=ids).values_list("action_id", "kind", "threshold"))
        for action in batch:
            result.actions += 1
            organisation = action.organisation
            try:
                due = stored.get(action.pk)
                if due is None:
                    continue
                for need in action_needs(due, timescales.for_path(organisation.path), now, action):
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
