"""The governor and board pack: counts for a period and a scope, as a PDF made by typst.

No personal data and no names: only counts, incident types, severities and the
organisation's name. The data goes to typst as JSON through `sys_inputs`, never pasted
into the markup, so nothing in the data can change the document's code.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from actions.models import RemedialAction
from incidents.models import Incident
from lib import pdf

from .dashboard import policy_point_rows
from .lessons import lessons_learned
from .scope import Scope

TEMPLATE = Path(__file__).resolve().parent / "typst" / "pack.typ"

# Sections that apps above this one add to the pack (training, from `learning`), each a
# function of (scope, period) returning {"title", "intro", "rows": [[label, value], ...]}:
# counts and figures only, never names, like the rest of the pack.
PackSection = Callable[["Scope", "Period"], dict[str, Any]]
_sections: list[PackSection] = []


def add_section(builder: PackSection) -> PackSection:
    if builder not in _sections:
        _sections.append(builder)
    return builder


@dataclass
class Period:
    start: date  # first day
    end: date  # last day, inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(self.start, datetime.min.time()))
        end = timezone.make_aware(datetime.combine(self.end + timedelta(days=1), datetime.min.time()))
        return start, end

    def previous(self) -> "Period":
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period(end - length, end)

    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def _counts(scope: Scope, period: Period) -> dict[str, Any]:
    start, end = period.bounds
    incidents = scope.incidents()
    reported = incidents.filter(reported_on__gte=start, reported_on__lt=end)
    totals = reported.aggregate(
        reported=Count("id"),
        near_misses=Count("id", filter=Q(breach_status=Incident.BreachStatus.NEAR_MISS)),
        personal_data_breaches=Count("id", filter=Q(personal_data_breach=Incident.PersonalDataBreach.YES)),
        confirmed_breaches=Count("id", filter=Q(breach_status=Incident.BreachStatus.CONFIRMED)),
    )
    totals |= incidents.aggregate(
        ico_reports=Count("id", filter=Q(ico_reported_on__gte=start, ico_reported_on__lt=end)),
        closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lt=end)),
    )
    actions = scope.actions()
    totals |= actions.aggregate(
        actions_completed=Count(
            "id", filter=Q(status=RemedialAction.Status.DONE, completed_on__gte=start, completed_on__lt=end)
        ),
        # Outstanding at the end of the period: raised by then and not completed by then.
        actions_outstanding=Count(
            "id",
            filter=Q(created_on__lt=end)
            & ~Q(status=RemedialAction.Status.CANCELLED)
            & (Q(completed_on__isnull=True) | Q(completed_on__gte=end)),
        ),
    )
    by_type = {
        name or "Not yet classified": n
        for name, n in reported.order_by().values_list("incident_type__name").annotate(n=Count("id"))
    }
    by_severity = dict(reported.order_by().values_list("severity").annotate(n=Count("id")))
    by_point = {row["label"]: row["n"] for row in policy_point_rows(reported)}
    return {
        "totals": totals,
        "by_type": by_type,
        "by_severity": by_severity,
        "by_point": by_point,
        "reported": reported,
    }


# Apps above this one's imports (policies: acknowledgements and exceptions in force) add their
# part of the pack from their AppConfig.ready(): `compute(scope, period)` gives the JSON the
# typst template reads under `key`. Counts only, no names.
_parts: dict[str, Callable[[Scope, "Period"], dict[str, Any]]] = {}


def add_part(key: str, compute: Callable[[Scope, "Period"], dict[str, Any]]) -> None:
    _parts[key] = compute


FIGURES = [
    ("reported", "Incidents reported"),
    ("near_misses", "Near misses"),
    ("personal_data_breaches", "Personal data breaches"),
    ("confirmed_breaches", "Confirmed breaches"),
    ("ico_reports", "Reports to the ICO"),
    ("closed", "Incidents closed"),
    ("actions_completed", "Remedial actions completed"),
    ("actions_outstanding", "Remedial actions outstanding at the end of the period"),
]


def build(scope: Scope, period: Period) -> dict[str, Any]:
    """The pack's data: every figure for the period beside the same figure for the one before."""
    now_counts = _counts(scope, period)
    previous = period.previous()
    before = _counts(scope, previous)

    def compare(label: str, current: int, earlier: int) -> dict[str, Any]:
        return {"label": label, "current": current, "previous": earlier, "change": current - earlier}

    types = sorted(set(now_counts["by_type"]) | set(before["by_type"]))
    severities = [(v, str(label)) for v, label in Incident.Severity.choices] + [("", "Not yet set")]
    return {
        "title": "Information security incidents: report to governors and the board",
        "organisation": scope.organisation.name,
        "period": period.label(),
        "previous_period": previous.label(),
        "generated": timezone.localtime().strftime("%-d %B %Y"),
        "figures": [compare(label, now_counts["totals"][key], before["totals"][key]) for key, label in FIGURES],
        "by_type": [
            compare(name, now_counts["by_type"].get(name, 0), before["by_type"].get(name, 0)) for name in types
        ],
        "by_severity": [
            compare(label, now_counts["by_severity"].get(value, 0), before["by_severity"].get(value, 0))
            for value, label in severities
        ],
        "by_policy_point": [
            compare(name, now_counts["by_point"].get(name, 0), before["by_point"].get(name, 0))
            for name in sorted(set(now_counts["by_point"]) | set(before["by_point"]))
        ],
        **{key: compute(scope, period) for key, compute in _parts.items()},
        "lessons": lessons_learned(now_counts["reported"], scope.organisation),
        "sections": [build_section(scope, period) for build_section in list(_sections)],
    }


def render_pdf(data: dict[str, Any]) -> bytes:
    """The pack as a tagged PDF (PDF/UA-1)."""
    return pdf.render_pdf(TEMPLATE, data, title=data["title"])
