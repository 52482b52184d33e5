"""The periodic deadline scan, queued by the scheduler (`manage.py crontask`) and run by the worker."""

from typing import Any

from crontask import cron
from django.tasks import task

from .scan import ScanResult, reconcile, scan


@cron("*/5 * * * *")
@task()
def scan_deadlines() -> dict[str, object]:
    """Escalate the stored deadlines whose moment has come. Safe to run twice, and side by side."""
    return _summary(scan())


@cron("40 2 * * *")
@task()
def reconcile_deadlines() -> dict[str, object]:
    """Once a night, every open incident: catch changes made outside the steps, informed parties, reporters."""
    return _summary(reconcile())


def _summary(result: ScanResult) -> dict[str, object]:
    return {
        "incidents": result.incidents,
        "actions": result.actions,
        "escalations": result.escalations,
        "reporter_notices": result.reporter_notices,
        "informed": result.informed,
        "refreshed": result.refreshed,
        "seconds": round(result.seconds, 3),
        "errors": result.errors,
    }


@task()
def tell_reporter_of_progress(incident_id: int) -> bool:
    """Tell the reporter of a status change straight after the step that made it.

    Queued in the step's own transaction (see `tell_reporter_after_status_change`), so it
    runs only if the step committed. The same once-per-status record as the scan's, so the reporter hears once.
    """
    from django.utils import timezone

    from incidents.models import Incident

    from .scan import tell_reporter

    incident = Incident.objects.filter(pk=incident_id).first()
    return incident is not None and tell_reporter(incident, timezone.now())


def tell_reporter_after_status_change(event: Any, incident: Any) -> None:
    """Subscribed to the incident's events: a step that changed the status queues the reporter's news."""
    after, before = event.after or {}, event.before or {}
    # A new report (status "reported") has nothing to tell yet: the reporter has the acknowledgement.
    if "status" in after and after.get("status") not in (before.get("status"), "reported"):
        tell_reporter_of_progress.enqueue(incident.pk)
