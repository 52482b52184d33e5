"""The one rule of how long a closed incident is kept, and when it falls due for disposal.

An organisation's schedule inherits field by field, as timescales do: each value from the
nearest organisation (itself, then upwards) that sets it, else `DEFAULTS`. The defaults are the
common schools' schedule "current year + 6 years" (policy 003 keeps the reporting form "in
accordance with the School's Retention Policy"): six years counted from the end of the school
year (31 August) the incident was closed in; an event that proved not to be an incident, two;
anonymous receipts and messages with the reporter, one year after closure.

Which kind an incident is (the first that fits): a personal data breach (`personal_data_breach`
"yes", or breach status "confirmed"); a near miss (breach status "near miss"); a weakness or an
event (`nature`); otherwise an incident (nature "incident", "unknown" or not classified:
when in doubt it is kept as long as an incident).
"""

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from deadlines.compute import local_date
from incidents.models import Incident
from organisations.models import Organisation

from .models import Basis, RetentionSchedule


@dataclass(frozen=True)
class Effective:
    """The schedule that applies to one organisation."""

    basis: str = Basis.SCHOOL_YEAR
    breach_years: int = 6
    incident_years: int = 6
    near_miss_years: int = 6
    weakness_years: int = 6
    event_years: int = 2
    messages_years: int = 1


DEFAULTS = Effective()
FIELD_NAMES = tuple(f.name for f in fields(Effective))
YEAR_FIELDS = tuple(n for n in FIELD_NAMES if n.endswith("_years"))
KIND_FIELDS = {
    "breach": "breach_years",
    "incident": "incident_years",
    "near_miss": "near_miss_years",
    "weakness": "weakness_years",
    "event": "event_years",
}
KIND_NAMES = {
    "breach": "personal data breach",
    "incident": "incident",
    "near_miss": "near miss",
    "weakness": "weakness",
    "event": "event",
}


def effective_with_sources(organisation: Organisation) -> tuple[Effective, dict[str, str]]:
    """The values for `organisation` and where each came from ("this organisation", an
    organisation's name above it, or "default")."""
    ancestor_ids = [int(part) for part in organisation.path.strip("/").split("/") if part]
    rows = {r.organisation_id: r for r in RetentionSchedule.objects.filter(organisation_id__in=ancestor_ids)}
    names = dict(Organisation.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in FIELD_NAMES:
        values[name], sources[name] = getattr(DEFAULTS, name), "default"
        for org_id in ancestor_ids:  # top of the tree down: the nearest that sets it wins
            own = getattr(rows[org_id], name) if org_id in rows else None
            if own not in (None, ""):
                values[name] = own
                sources[name] = "this organisation" if org_id == organisation.pk else names.get(org_id, "above")
    return Effective(**values), sources


def effective(organisation: Organisation) -> Effective:
    return effective_with_sources(organisation)[0]


def kind_of(incident: Incident) -> str:
    if incident.personal_data_breach == Incident.PersonalDataBreach.YES or (
        incident.breach_status == Incident.BreachStatus.CONFIRMED
    ):
        return "breach"
    if incident.breach_status == Incident.BreachStatus.NEAR_MISS:
        return "near_miss"
    if incident.nature in (Incident.Nature.WEAKNESS, Incident.Nature.EVENT):
        return str(incident.nature)
    return "incident"


def counted_from(closed_on: datetime, basis: str) -> date:
    """The day the years start: the closure, or the 31 August that ends its school year."""
    day = local_date(closed_on)
    if basis == Basis.CLOSURE:
        return day
    return date(day.year if day.month <= 8 else day.year + 1, 8, 31)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Due:
    on: date  # the last day it is kept: it is drafted on the first list after this day
    rule: str  # the schedule line, in words (kept on the disposal: no personal data)


def due(incident: Incident, schedule: Effective) -> Due | None:
    """When a closed incident's retention ends, and under which rule; None while open."""
    if incident.closed_on is None or incident.status not in Incident.CLOSED_STATUSES:
        return None
    kind = kind_of(incident)
    years = getattr(schedule, KIND_FIELDS[kind])
    return _due(incident.closed_on, years, schedule.basis, KIND_NAMES[kind])


def messages_due(incident: Incident, schedule: Effective) -> Due | None:
    """When its anonymous receipt and its messages with the reporter go (their own schedule)."""
    if incident.closed_on is None or incident.status not in Incident.CLOSED_STATUSES:
        return None
    return _due(incident.closed_on, schedule.messages_years, schedule.basis, "receipts and reporter messages")


def _due(closed_on: datetime, years: int, basis: str, what: str) -> Due:
    start = counted_from(closed_on, basis)
    when = "the end of the school year of closure" if basis == Basis.SCHOOL_YEAR else "closure"
    unit = "year" if years == 1 else "years"
    return Due(add_years(start, years), f"{what}: {years} {unit} from {when}")
