"""The periodic chase (policies.tasks, each morning): idempotent, safe with several workers.

- **Acknowledgements.** Someone a published version applies to who has not acknowledged it is
  asked again `ACKNOWLEDGE_REMINDER_DAYS` after it was published (each threshold once).
- **Reviews.** The owner and admins are told when the review is near and when it is due
  (the rule in `review.py`).

Each reminder is a `Reminder` row, unique per version, kind, person and threshold; the version is
locked while its reminders are worked out, so two workers never send the same one, and a run
that sends nothing new writes nothing.
"""

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse

from audit.log import record
from lib import clock
from notifications.audiences import Occasion, tell

from . import review
from .inheritance import readers_of
from .models import Acknowledgement, PolicyVersion, Reminder

# Days after publishing at which those who have not acknowledged are asked again.
ACKNOWLEDGE_REMINDER_DAYS = (7, 28)


def _published() -> Any:
    return PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).select_related(
        "policy", "policy__organisation"
    )


def chase_acknowledgements(now: Any = None) -> int:
    """Ask again those who have not acknowledged; returns how many people were reminded."""
    now = now or clock.now()
    reminded = 0
    first = min(ACKNOWLEDGE_REMINDER_DAYS)
    for version in _published().filter(published_at__lte=now - timedelta(days=first)).order_by("pk"):
        reminded += _remind_readers(version, now)
    return reminded


def _remind_readers(version: PolicyVersion, now: Any) -> int:
    assert version.published_at is not None
    age = now - version.published_at
    reached = [f"{days}d" for days in ACKNOWLEDGE_REMINDER_DAYS if age >= timedelta(days=days)]
    if not reached:
        return 0
    threshold = reached[-1]  # a version found late is reminded once, at the latest threshold
    with transaction.atomic():
        PolicyVersion.objects.select_for_update().filter(pk=version.pk).first()
        done = set(Acknowledgement.objects.filter(version=version).values_list("user_id", flat=True))
        already = set(
            Reminder.objects.filter(
                version=version, kind=Reminder.Kind.ACKNOWLEDGE, threshold=threshold, user__isnull=False
            ).values_list("user_id", flat=True)
        )
        people = [p for p in readers_of(version) if p.pk not in done and p.pk not in already]
        if not people:
            return 0
        Reminder.objects.bulk_create(
            Reminder(version=version, kind=Reminder.Kind.ACKNOWLEDGE, user=p, threshold=threshold, sent_on=now)
            for p in people
        )
        record(
            organisation_id=version.policy.organisation_id,
            action="policy.acknowledge_reminded",
            record=version.policy,
            target=version,
            after={"number": version.number, "threshold": threshold, "people": len(people)},
            at=now,
        )
        tell(
            Occasion("policy.acknowledge_reminder", organisation=version.policy.organisation, people=people),
            link=reverse("policies:read", args=[version.uuid]),
            context={
                "policy": version.policy,
                "version": version,
                "published_on": clock.show(version.published_at, clock.Precision.DAY),
            },
        )
    return len(people)


def chase_reviews(today: date | None = None) -> int:
    """Tell the owner and the admins of each review near or due, once per threshold."""
    today = today or clock.now().date()
    told = 0
    for version in _published().filter(review_by__lte=review.chased_from(today)).order_by("pk"):
        for threshold in review.thresholds_reached(version, today):
            with transaction.atomic():
                PolicyVersion.objects.select_for_update().filter(pk=version.pk).first()
                _, created = Reminder.objects.get_or_create(
                    version=version,
                    kind=Reminder.Kind.REVIEW,
                    user=None,
                    threshold=threshold,
                    defaults={"sent_on": clock.now()},
                )
                if not created:
                    continue
                overdue = threshold.startswith("overdue")
                record(
                    organisation_id=version.policy.organisation_id,
                    action="policy.review_reminded",
                    record=version.policy,
                    target=version,
                    after={"number": version.number, "review_by": version.review_by, "threshold": threshold},
                )
                tell(
                    Occasion(
                        "policy.review_due",
                        organisation=version.policy.organisation,
                        after={"owner_role": version.policy.owner_role},
                    ),
                    link=reverse("policies:manage", args=[version.policy.organisation.uuid]),
                    context={
                        "policy": version.policy,
                        "version": version,
                        "overdue": overdue,
                        "review_by": version.review_by.strftime("%-d %B %Y") if version.review_by else "",
                    },
                )
                told += 1
    return told
