"""Background work of anonymous reporting, run by the worker (`manage.py db_worker`)."""

from crontask import cron
from django.tasks import task

from . import ratelimit


@cron("*/10 * * * *")
@task()
def purge_rate_limits() -> int:
    """Delete ended rate-limit windows with their salts and counts (nothing left to match)."""
    return ratelimit.purge()
