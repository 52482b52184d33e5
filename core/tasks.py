"""The database's own upkeep, queued by the scheduler and run by the worker."""

from crontask import cron
from django.tasks import task

from . import statistics


@cron("20 3 * * *")
@task()
def refresh_statistics() -> bool:
    """Once a night: the query planner's statistics (SQLite; PostgreSQL keeps its own)."""
    return statistics.refresh()
