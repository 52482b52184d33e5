"""The policies' periodic work, queued by the scheduler (`manage.py crontask`), run by the worker."""

from crontask import cron
from django.tasks import task

from . import reminders


@cron("15 7 * * *")
@task()
def chase_policies() -> int:
    """Each morning: ask again those who have not acknowledged, and chase reviews near or due."""
    return reminders.chase_acknowledgements() + reminders.chase_reviews()


@cron("45 6 * * *")
@task()
def chase_exceptions() -> dict[str, int]:
    """Warn of exceptions ending within 14 days and end those past their last day. Safe to run twice."""
    from .exceptions import chase

    done = chase()
    return {"warned": done.warned, "expired": done.expired}
