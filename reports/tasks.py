"""Background jobs of management reporting, run by the django.tasks worker.

The scheduler (`manage.py crontask`) enqueues `schedule_type_reviews` every morning; it
drafts a review for each organisation whose last scheduled one is six months old, so each
organisation is reviewed every six months. Running it twice on a day does no harm.
"""

from crontask import cron
from django.tasks import task
from django.utils import timezone

from organisations.models import Organisation


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


@task()
def run_type_review(organisation_id: int, requested_by_id: int | None = None) -> str:
    """An on-demand review (queued from the page when the scope is large). Returns its uuid."""
    from accounts.models import User

    from .review import run_review

    organisation = Organisation.objects.get(pk=organisation_id)
    user = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    review, _ = run_review(organisation, requested_by=user)
    return str(review.uuid)
