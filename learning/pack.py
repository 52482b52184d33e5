"""The governor pack's training section: figures only, no names (added through `insights.pack`)."""

from typing import Any

from django.db.models import Count

from .models import TrainingRecord
from .services import completion


def training_section(scope: Any, period: Any) -> dict[str, Any]:
    organisation = scope.organisation
    figure = completion(organisation, today=period.end)
    done = TrainingRecord.objects.filter(
        person__memberships__organisation__path__startswith=organisation.path,
        completed_on__gte=period.start,
        completed_on__lte=period.end,
    )
    by_course = (
        done.order_by().values_list("course").annotate(n=Count("person_id", distinct=True)).order_by("-n", "course")
    )
    return {
        "title": "Training and awareness",
        "intro": f"{figure['percent']}% of people ({figure['trained']} of {figure['people']}) completed "
        "training in the 12 months to the end of the period.",
        "rows": [[course, str(n)] for course, n in by_course],
    }
