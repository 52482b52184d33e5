"""The periodic deadline scan, queued by the scheduler (`manage.py crontask`) and run by the worker."""

from crontask import cron
from django.tasks import task

from .scan import scan


@cron("*/5 * * * *")
@task()
def scan_deadlines() -> dict[str, object]:
    """Escalate what is overdue, tell informed parties and reporters. Safe to run twice."""
    result = scan()
    return {
        "incidents": result.incidents,
        "actions": result.actions,
        "escalations": result.escalations,
        "reporter_notices": result.reporter_notices,
        "informed": result.informed,
        "seconds": round(result.seconds, 3),
        "errors": result.errors,
    }
