"""The policies' periodic work, queued by the scheduler (`manage.py crontask`), run by the worker."""

from crontask import cron
from django.tasks import task

from . import reminders


@cron("15 7 * * *")
@task()
def chase_policies() -> int:
    """Each morning: ask again those who have not acknowledged, and chase reviews near or due."""
    return reminders.chase_acknowledgements() + reminders.chase_reviews()
