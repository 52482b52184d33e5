"""The six-month type review (003): is each type of incident falling? If not, say so.

"Every incident type is re-evaluated after a 6 month period to ensure the type of
incident is no longer being reported or the volume of those incidents has reduced."
A type is flagged when it was reported in the last six months at least as often as in
the six months before (a type with none in the last six months is never flagged).
"""

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from actions.models import RemedialAction
from audit.log import record
from notifications.audiences import Occasion, tell
from organisations.models import Organisation

from .models import TypeReview, TypeReviewAction, TypeReviewLine

REVIEW_MONTHS = 6


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periods(period_end: date) -> tuple[date, date]:
    """(first day of the last six months, first day of the six before), both ending on `period_end` inclusive."""
    one = timedelta(days=1)
    return months_before(period_end, REVIEW_MONTHS) + one, months_before(period_end, 2 * REVIEW_MONTHS) + one


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def type_counts(organisation: Organisation, period_end: date) -> list[dict[str, Any]]:
    """Per type in the organisation's subtree: counts in the six months before `period_end` and the six before that."""
    from incidents.models import Incident

    period_start, previous_start = periods(period_end)
    recent = Q(reported_on__gte=_aware(period_start), reported_on__lt=_aware(period_end + timedelta(days=1)))
    earlier = Q(reported_on__gte=_aware(previous_start), reported_on__lt=_aware(period_start))
    rows = (
        Incident.objects.filter(organisation__path__startswith=organisation.path, incident_type__isnull=False)
        .filter(recent | earlier)
        .order_by()
        .values_list("incident_type_id", "incident_type__name")
        .annotate(recent=Count("id", filter=recent), previous=Count("id", filter=earlier))
    )
    result = [
        {
            "incident_type_id": type_id,
            "type_name": name,
            "recent_count": n_recent,
            "previous_count": n_previous,
            "flagged": n_recent > 0 and n_recent >= n_previous,
            "change": n_recent - n_previous,
        }
        for type_id, name, n_recent, n_previous in rows
    ]
    return sorted(result, key=lambda line: (not line["flagged"], line["type_name"]))


def run_review(
    organisation: Organisation,
    *,
    period_end: date | None = None,
    trigger: str = TypeReview.Trigger.ON_DEMAND,
    requested_by: Any = None,
) -> tuple[TypeReview, bool]:
    """Draft a review with its counts fixed now; alert the board when a type has not fallen.

    Returns (review, created). A scheduled review for the same organisation and date is
    made once, however often the job runs.
    """
    period_end = period_end or timezone.localdate()
    with transaction.atomic():
        if trigger == TypeReview.Trigger.SCHEDULED:
            existing = TypeReview.objects.filter(
                organisation=organisation, period_end=period_end, trigger=trigger
            ).first()
            if existing is not None:
                return existing, False
        try:
            with transaction.atomic():
                period_start, previous_start = periods(period_end)
                review = TypeReview.objects.create(
                    organisation=organisation,
                    previous_start=previous_start,
                    period_start=period_start,
                    period_end=period_end,
                    trigger=trigger,
                    requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
                    created_on=timezone.now(),
                )
        except IntegrityError:
            return TypeReview.objects.get(organisation=organisation, period_end=period_end, trigger=trigger), False
        lines = [
            TypeReviewLine(review=review, **{k: v for k, v in line.items() if k != "change"})
            for line in type_counts(organisation, period_end)
        ]
        TypeReviewLine.objects.bulk_create(lines)
        flagged = [line.type_name for line in lines if line.flagged]
        record(
            organisation_id=organisation.pk,
            action="type_review.drafted",
            actor=requested_by,
            record=review,
            after={"trigger": trigger, "period_end": period_end.isoformat(), "flagged_types": flagged},
        )
        if flagged:
            tell(
                Occasion("type_review_flagged", organisation=organisation),
                link=reverse("insights:review", args=[review.uuid]),
                context={"flagged_count": len(flagged), "period_end": period_end.strftime("%-d %B %Y")},
            )
    return review, True


def add_action(
    review: TypeReview, *, line: TypeReviewLine | None, title: str, owner: Any, due_on: date, by: Any
) -> RemedialAction:
    """An action decided in the review: a remedial action with an owner and a due date."""
    with transaction.atomic():
        action = RemedialAction.objects.create(
            organisation=review.organisation,
            title=title,
            owner=owner,
            due_on=due_on,
            source=RemedialAction.Source.TYPE_REVIEW,
            details=f"Decided in the six-month type review to {review.period_end:%-d %B %Y}"
            + (f" for the type “{line.type_name}”." if line else "."),
        )
        TypeReviewAction.objects.create(review=review, action=action, line=line)
        record(
            organisation_id=review.organisation_id,
            action="type_review.action_added",
            actor=by,
            record=review,
            target=action,
            after={"title": title, "owner_id": getattr(owner, "pk", None), "due_on": due_on.isoformat()},
        )
    return action


def complete(review: TypeReview, *, by: Any, notes: str) -> None:
    """Record that the review was done: who, when, and what it found."""
    from core.exceptions import StepRefused

    with transaction.atomic():
        locked = TypeReview.objects.select_for_update().get(pk=review.pk)
        if locked.status == TypeReview.Status.COMPLETED:
            raise StepRefused("This review has already been recorded as done.")
        locked.status = TypeReview.Status.COMPLETED
        locked.reviewed_by = by
        locked.reviewed_on = timezone.now()
        locked.notes = notes
        locked.save(update_fields=["status", "reviewed_by", "reviewed_on", "notes"])
        record(
            organisation_id=review.organisation_id,
            action="type_review.completed",
            actor=by,
            record=review,
            before={"status": TypeReview.Status.OPEN},
            after={"status": locked.status, "flagged_types": [line.type_name for line in locked.flagged_lines]},
            reason=notes,
        )
    review.refresh_from_db()


def visible_reviews(user: Any) -> Any:
    """The reviews of the organisations where `user` holds a reporting role (on the node or above)."""
    from .scope import REPORT_ROLES

    return TypeReview.objects.filter(organisation__in=Organisation.objects.visible_to(user, roles=REPORT_ROLES))


def due_organisations(today: date) -> Any:
    """Organisations whose last scheduled review is more than six months old (or that have none)."""
    cutoff = months_before(today, REVIEW_MONTHS)
    recent = TypeReview.objects.filter(trigger=TypeReview.Trigger.SCHEDULED, period_end__gt=cutoff).values(
        "organisation_id"
    )
    return Organisation.objects.exclude(pk__in=recent).order_by("path")
