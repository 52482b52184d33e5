"""The daily tidy of outside help, queued by the scheduler (`manage.py crontask`) and run by the worker."""

from crontask import cron
from django.tasks import task


@cron("10 0 * * *")
@task()
def tidy_outside_help() -> int:
    """Record each outside person's access that reached its end date. The access already
    stopped at that moment (`visible_to` asks the date on every request); this writes it on
    the incident's record and marks it ended. Safe to run twice."""
    from .restriction import tidy_lapsed

    return tidy_lapsed()
