"""Incidents closed on a chosen day, for the retention tests (the steps to close are tested elsewhere)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from incidents.models import Incident
from organisations.models import Organisation

from .factories import reported_incident

LONDON = ZoneInfo("Europe/London")


def closed_incident(organisation: Organisation, closed: datetime, reporter: Any = None, **fields: Any) -> Incident:
    incident = reported_incident(organisation, reporter, **{k: v for k, v in fields.items() if k in REPORT})
    classified = {k: v for k, v in fields.items() if k not in REPORT}
    close(incident, closed, **classified)
    return incident


def close(incident: Incident, closed: datetime, **fields: Any) -> Incident:
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED, closed_on=closed, **fields)
    incident.refresh_from_db()
    return incident


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, 12, tzinfo=LONDON)


REPORT = set(Incident.REPORT_FIELDS)
