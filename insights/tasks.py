"""Background jobs of management reporting, run by the django.tasks worker.

The scheduler (`manage.py crontask`) enqueues `schedule_type_reviews` every morning; it
drafts a review for each organisation whose last scheduled one is six months old, so each
organisation is reviewed every six months. Running it twice on a day does no harm.
"""

from crontask import cron
from django.tasks import task
from django.utils import timezone


@cron("15 6 * * *")
@task()
def schedule_type_reviews() -> int:
    """Draft the six-month type review of every organisation that is due one. Returns how many."""
    from .models import TypeReview
    from .review import due_organisations, run_review

    today = timezone.localdate()
    made = 0
    for organisation in due_organisations(today):
        _, created = run_review(organisation, period_end=today, trigger=TypeReview.Trigger.SCHEDULED)
        made += created
    return made
