"""The lessons register: accepted outcome reports' lessons, root causes and remedial actions.

Names, email addresses and phone numbers are taken out by the governor pack's own redaction
(`insights.lessons`), so the register shows a lesson exactly as the pack would.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet

from incidents.models import Incident, OutcomeReport
from insights.lessons import people_names, redact

from . import search
from .models import SearchEntry


def accepted_reports(incidents: QuerySet[Incident]) -> QuerySet[OutcomeReport]:
    actions = Incident._meta.get_field("remedial_actions").related_model
    return (
        OutcomeReport.objects.filter(incident__in=incidents, status=OutcomeReport.Status.ACCEPTED)
        .exclude(lessons_learned="")
        .select_related("incident", "incident__incident_type", "incident__organisation", "incident__reported_by")
        .prefetch_related(
            Prefetch("incident__remedial_actions", actions._default_manager.only("incident_id", "title", "status"))
        )
    )


def register(
    user: Any, incidents: QuerySet[Incident], organisation: Any, *, words: str = "", incident_type: Any = None
) -> list[dict[str, Any]]:
    """The register's rows, newest first, or best first when searched through the index."""
    reports = accepted_reports(incidents)
    if incident_type is not None:
        reports = reports.filter(incident__incident_type=incident_type)
    if words.strip():
        ranked = list(
            search.entries(user, words, kinds=[SearchEntry.Kind.LESSON], incidents=incidents).values_list(
                "key", flat=True
            )[:200]
        )
        by_pk = {report.pk: report for report in reports.filter(pk__in=ranked)}
        rows = [by_pk[pk] for pk in ranked if pk in by_pk]
    else:
        rows = list(reports.order_by("-incident__closed_on", "-incident__reported_on", "-pk")[:200])
    names = people_names(organisation)
    return [
        {
            "incident": report.incident,
            "type": report.incident.incident_type.name if report.incident.incident_type else "Not yet classified",
            "lesson": redact(report.lessons_learned, names | {_reporter(report)}),
            "root_cause": redact(report.root_cause, names | {_reporter(report)}),
            "actions": [redact(action.title, names) for action in report.incident.remedial_actions.all()],
        }
        for report in rows
    ]


def _reporter(report: OutcomeReport) -> str:
    reporter = report.incident.reported_by
    return reporter.full_name if reporter and reporter.full_name else ""
