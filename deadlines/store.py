"""Keeps the stored `Deadline` rows equal to what `compute.py` works out.

Called when something a deadline depends on changes:

- an incident's published event (`incidents.registry.subscribe`, see `apps.py`): report,
  triage, reclassification, the investigation's steps, closing and reopening, the ICO
  decision, the breach record's report to the ICO or "not a breach", a message to the reporter;
- a remedial action saved or deleted (a model signal: actions are saved from the actions
  pages, six-month reviews and imports alike);
- an organisation's timescales changed: every open incident and open action beneath it;
- the nightly full pass (`scan.reconcile`), over every open incident and action, so a change
  made outside the steps (an import, a fix by hand) is picked up there too.

Each row written also gets its first moment for the scan (`Deadline.attention_at`, see
`attention.py`), in the same transaction.

A closed incident's deadlines are worked out one last time by its closing event and then
never move (a timescale change or a later event leaves them as they were) until it is reopened.
Writes only rows that changed, so running it twice does nothing the second time.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Max, Q

from actions.models import RemedialAction
from incidents.models import Incident, IncidentType, ReporterMessage
from lib import clock
from parties.models import BodyNotice, IncidentParty
from parties.rules import RuleRows

from . import attention
from .compute import Due, action_due, incident_dues, outside_dues
from .models import Deadline, EffectiveTimescales, Timescales, inherited

STORED = ("label", "basis", "nation", "starts_at", "due_at", "due_date", "met_at", "stopped")
# Events after which a closed incident's deadlines are worked out once more (then frozen).
CLOSING = ("incident.closed", "incident.closed_not_incident", "incident.closed_duplicate")


class TimescaleRows:
    """Every organisation's own timescales, read once; effective values per organisation path."""

    def __init__(self, model: Any = Timescales) -> None:
        self.rows = {t.organisation_id: t for t in model.objects.all()}
        self.by_path: dict[str, EffectiveTimescales] = {}

    def for_path(self, path: str) -> EffectiveTimescales:
        if path not in self.by_path:
            ancestors = [int(part) for part in path.strip("/").split("/") if part]
            values, _ = inherited(ancestors, self.rows)
            self.by_path[path] = EffectiveTimescales(**values)
        return self.by_path[path]


class OutsideFacts:
    """What the due moments of telling others read, for a batch of incidents: each one's third
    party, notices to outside bodies and the rules of which bodies are told (one query each)."""

    def __init__(self, incidents: list[Any]) -> None:
        ids = [i.pk for i in incidents]
        self.links = {
            link.incident_id: link
            for link in IncidentParty.objects.filter(incident_id__in=ids).select_related("third_party")
        }
        self.notices: dict[int, list[BodyNotice]] = {}
        for notice in BodyNotice.objects.filter(incident_id__in=ids):
            self.notices.setdefault(notice.incident_id, []).append(notice)
        self.rules = RuleRows(i.incident_type_id for i in incidents)
        types = {t.pk: t for t in IncidentType.objects.filter(pk__in={i.incident_type_id for i in incidents})}
        self.types = types

    def dues(self, incident: Any) -> list[Due]:
        organisation = incident.organisation
        return outside_dues(
            incident,
            link=self.links.get(incident.pk),
            bodies=self.rules.applying(organisation, self.types.get(incident.incident_type_id)),
            notices=self.notices.get(incident.pk, []),
            nation=organisation.nation,
        )


def _values(due: Due) -> dict[str, Any]:
    return {
        "label": due.label[:400],
        "basis": due.basis,
        "nation": due.nation,
        "starts_at": due.starts,
        "due_at": due.due,
        "due_date": due.due_date,
        "met_at": due.done_on,
        "stopped": due.stopped,
    }


def _write(
    wanted: dict[tuple[int | None, str, int | None], tuple[int, dict[str, Any]]],
    existing: list[Any],
    model: Any,
    now: datetime,
    escalate_days: dict[int, int] | None = None,
) -> int:
    """Make the rows `existing` into `wanted` ((incident, kind, action) -> (organisation, values)).

    A row written (new or changed) starts again from its first moment for the scan
    (`attention.first`), so a deadline moved by a step is chased on its new moment, never its
    old one; a row left as it was keeps the moment the scan gave it. `escalate_days` (action id
    -> working days before "still overdue") is for the actions' second moment. Returns how many
    rows changed."""
    changed = 0
    seen = set()
    updates = []
    written = []  # changed rows (updates also holds rows whose next moment only came forward)
    # A data migration's historical Deadline may predate the column.
    looks = any(f.name == "attention_at" for f in model._meta.concrete_fields)
    fields = [*STORED, "organisation", "updated_on", *(["attention_at"] if looks else [])]
    for row in existing:
        key = (row.incident_id, row.kind, row.action_id)
        if key not in wanted or key in seen:
            row.delete()
            changed += 1
            continue
        seen.add(key)
        organisation_id, values = wanted[key]
        if row.organisation_id != organisation_id or any(getattr(row, f) != v for f, v in values.items()):
            row.organisation_id = organisation_id
            for f, v in values.items():
                setattr(row, f, v)
            row.updated_on = now
            updates.append(row)
            written.append(row)
        elif looks and row.attention_at is not None:
            # Unchanged, but a shorter "still overdue" timescale may bring its next moment forward.
            sooner = attention.after(row, now, (escalate_days or {}).get(row.action_id))
            if sooner is not None and sooner < row.attention_at:
                row.attention_at = sooner
                updates.append(row)
    new = [
        model(incident_id=key[0], kind=key[1], action_id=key[2], organisation_id=org, updated_on=now, **values)
        for key, (org, values) in wanted.items()
        if key not in seen
    ]
    if looks:
        for row in (*written, *new):
            row.attention_at = attention.first(row, (escalate_days or {}).get(row.action_id))
    if updates:
        model.objects.bulk_update(updates, fields)
        changed += len(updates)
    if new:
        model.objects.bulk_create(new)
        changed += len(new)
    return changed


def refresh_incidents(
    incident_ids: Iterable[int],
    *,
    include_closed: bool = False,
    timescales: TimescaleRows | None = None,
    models: dict[str, Any] | None = None,
) -> int:
    """Work out and store the deadlines of these incidents (closed ones only with `include_closed`).

    `models` lets the data migration pass its historical models. Returns rows changed.
    """
    m = {"Incident": Incident, "Deadline": Deadline, "ReporterMessage": ReporterMessage} | (models or {})
    ids = list(incident_ids)
    if not ids:
        return 0
    timescales = timescales or TimescaleRows(m.get("Timescales", Timescales))
    incidents = m["Incident"].objects.filter(pk__in=ids).select_related("organisation")
    if not include_closed:
        incidents = incidents.filter(status__in=Incident.OPEN_STATUSES)
    incidents = incidents.annotate(
        last_update=Max(
            "reporter_messages__sent_on",
            filter=Q(reporter_messages__direction=ReporterMessage.Direction.TO_REPORTER),
        )
    )
    now = clock.now()
    wanted: dict[tuple[int | None, str, int | None], tuple[int, dict[str, Any]]] = {}
    done_ids = []
    incidents = list(incidents)
    # Telling others: read only when live (a data migration's historical models know nothing of it).
    outside = OutsideFacts(incidents) if models is None else None
    for incident in incidents:
        done_ids.append(incident.pk)
        organisation = incident.organisation
        dues = incident_dues(
            incident,
            timescales.for_path(organisation.path),
            nation=organisation.nation,
            last_reporter_update=incident.last_update,
        )
        if outside is not None:
            dues += outside.dues(incident)
        for due in dues:
            wanted[(incident.pk, due.kind, None)] = (incident.organisation_id, _values(due))
    existing = list(m["Deadline"].objects.filter(incident_id__in=done_ids, action__isnull=True))
    return _write(wanted, existing, m["Deadline"], now)


def refresh_actions(
    action_ids: Iterable[int], *, timescales: TimescaleRows | None = None, models: dict[str, Any] | None = None
) -> int:
    """Work out and store the deadline of each of these remedial actions. Returns rows changed."""
    m = {"RemedialAction": RemedialAction, "Deadline": Deadline} | (models or {})
    ids = list(action_ids)
    if not ids:
        return 0
    timescales = timescales or TimescaleRows(m.get("Timescales", Timescales))
    now = clock.now()
    wanted: dict[tuple[int | None, str, int | None], tuple[int, dict[str, Any]]] = {}
    escalate_days = {}
    for action in m["RemedialAction"].objects.filter(pk__in=ids).select_related("organisation"):
        organisation = action.organisation
        applying = timescales.for_path(organisation.path)
        due = action_due(action, applying, organisation.nation)
        wanted[(action.incident_id, Deadline.Kind.ACTION, action.pk)] = (action.organisation_id, _values(due))
        escalate_days[action.pk] = applying.action_escalate_days
    existing = list(m["Deadline"].objects.filter(action_id__in=ids))
    return _write(wanted, existing, m["Deadline"], now, escalate_days)


def refresh_all(*, models: dict[str, Any] | None = None, batch_size: int = 500) -> int:
    """Every incident (closed ones too) and every action: for the data migration and the demo."""
    m = {"Incident": Incident, "RemedialAction": RemedialAction} | (models or {})
    timescales = TimescaleRows((models or {}).get("Timescales", Timescales))
    changed = 0
    ids = list(m["Incident"].objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        changed += refresh_incidents(
            ids[start : start + batch_size], include_closed=True, timescales=timescales, models=models
        )
    ids = list(m["RemedialAction"].objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        changed += refresh_actions(ids[start : start + batch_size], timescales=timescales, models=models)
    return changed


def refresh_under(path: str) -> int:
    """After a timescale change: the open incidents and open actions of the organisation and beneath it.

    An action of a closed incident keeps its deadline, as the incident's own do.
    """
    timescales = TimescaleRows()
    incidents = Incident.objects.filter(organisation__path__startswith=path, status__in=Incident.OPEN_STATUSES)
    ids = list(incidents.values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), 500):
        changed += refresh_incidents(ids[start : start + 500], timescales=timescales)
    actions = RemedialAction.objects.filter(
        Q(incident__isnull=True) | Q(incident__status__in=Incident.OPEN_STATUSES),
        organisation__path__startswith=path,
        status=RemedialAction.Status.OPEN,
    )
    ids = list(actions.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        changed += refresh_actions(ids[start : start + 500], timescales=timescales)
    return changed


def on_incident_event(event: Any, incident: Any) -> None:
    """Subscribed to the incident's events (in the step's transaction)."""
    refresh_incidents([incident.pk], include_closed=event.action in CLOSING)


def on_due_facts_changed(sender: Any, organisation: Any, **kwargs: Any) -> None:
    """An organisation's rules of which bodies are told, or a register entry, changed."""
    refresh_under(organisation.path)


def on_action_saved(sender: Any, instance: RemedialAction, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        refresh_actions([instance.pk])
