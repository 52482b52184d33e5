"""The monthly disposal lists, queued by the scheduler (`manage.py crontask`) and run by the worker."""

from crontask import cron
from django.tasks import task

from .drafting import draft


@cron("15 4 1 * *")
@task()
def draft_disposal_lists() -> dict[str, int]:
    """On the first of each month: each organisation's incidents due for disposal. Safe to run twice."""
    result = draft()
    return {"lists": result.lists, "entries": result.entries, "messages_removed": result.messages_removed}
