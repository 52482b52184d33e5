"""Bringing a county in: the periodic leaver check, queued by the scheduler (`manage.py crontask`)."""

from crontask import cron
from django.tasks import task

from . import leavers


@cron("0 5 * * *")
@task()
def flag_leavers() -> int:
    """Each morning, flag people with a role who have not signed in for LEAVER_AFTER_DAYS."""
    return leavers.flag_dormant()
