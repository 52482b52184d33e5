"""The figures on the dashboard, each from one aggregate query over the scope.

What is overdue is read from the stored deadlines (`deadlines.overdue`), so every figure
equals the log rows it links to, the ICO clocks page and what the deadline scan chases.

The number of queries is fixed: it does not grow with the number of incidents, types
or organisations.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from deadlines import overdue
from incidents.models import Incident

from .scope import Scope


@dataclass
class Bar:
    label: str
    value: int
    query: dict[str, str] = field(default_factory=dict)  # the log's filters for the incidents counted


@dataclass
class Figure:
    """A headline figure another app adds to the dashboard (`add_figure`): its number, the words
    after it, and where it links (None: no link for this person)."""

    key: str
    value: str
    text: str
    href: str | None = None


# Apps above this one's imports (policies: the acknowledgement figure) register their figure
# from their AppConfig.ready(), so this module imports none of them. Each is asked with the
# scope and must answer in a fixed number of queries.
_figures: list[tuple[str, Callable[[Scope], Figure | None]]] = []


def add_figure(key: str, compute: Callable[[Scope], "Figure | None"]) -> None:
    """Show `compute(scope)` among the headline figures (registering a key twice: no effect)."""
    if all(k != key for k, _ in _figures):
        _figures.append((key, compute))


def added_figures(scope: Scope) -> list[Figure]:
    return [figure for _, compute in _figures if (figure := compute(scope)) is not None]


@dataclass
class Dashboard:
    open_total: int
    by_status: list[Bar]
    by_severity: list[Bar]
    by_type: list[Bar]
    by_tag: list[Bar]
    clocks: list[Bar]  # ICO clocks running and overdue
    overdue: list[Bar]
    actions_overdue: int
    per_month: list[Bar]
    by_policy_point: list[Bar]  # incidents reported in the 12 months, by the policy point they broke
    per_organisation: list[dict[str, Any]]
    since: str  # the first day of the 12 months counted, for the log's "reported from"
    added: list[Figure] = field(default_factory=list)  # other apps' headline figures (`add_figure`)


def month_starts(now: datetime, count: int = 12) -> list[datetime]:
    """The first moment of each of the last `count` months, oldest first, in local time."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for _ in range(count):
        starts.append(timezone.make_aware(datetime(year, month, 1)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def breaches_of_points() -> Any:
    """The policies app's record of the points incidents broke, reached by relation: that app
    stands above this one (it adds its own figure here), so this module does not import it."""
    return Incident._meta.get_field("policy_points_breached").related_model._default_manager.all()


def policy_point_rows(incidents: Any) -> list[dict[str, Any]]:
    """Per policy point (the same point in any version: its key), how many of `incidents` broke it,
    most first: {"key", "label", "n"}. One query. The dashboard and the governor pack both count here."""
    rows = (
        breaches_of_points()
        .filter(incident__in=incidents)
        .order_by()
        .values("point__key")
        .annotate(
            n=Count("incident", distinct=True),
            number=Max("point__number"),
            title=Max("point__version__policy__title"),
        )
    )
    found = [
        {"key": row["point__key"], "label": f"{row['title']}: point {row['number'] or '(unnumbered)'}", "n": row["n"]}
        for row in rows
    ]
    return sorted(found, key=lambda row: (-row["n"], row["label"]))


def policy_point_bars(incidents: Any, since: datetime) -> list[Bar]:
    day = timezone.localtime(since).date().isoformat()
    return [
        Bar(row["label"], row["n"], {"policy_point": row["key"], "reported_from": day})
        for row in policy_point_rows(incidents)
    ]


def build(scope: Scope, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    incidents = scope.incidents()
    open_incidents = incidents.filter(status__in=Incident.OPEN_STATUSES)

    status_counts = dict(open_incidents.order_by().values_list("status").annotate(n=Count("id")))
    by_status = [
        Bar(str(label), status_counts.get(value, 0), {"status": value})
        for value, label in Incident.Status.choices
        if value in Incident.OPEN_STATUSES
    ]

    severity_counts = dict(open_incidents.order_by().values_list("severity").annotate(n=Count("id")))
    by_severity = [
        Bar(str(label), severity_counts.get(value, 0), {"status": "open", "severity": value})
        for value, label in Incident.Severity.choices
    ] + [Bar("Not yet set", severity_counts.get("", 0), {"status": "open", "severity": "none"})]

    type_rows = (
        open_incidents.order_by()
        .values_list("incident_type_id", "incident_type__name")
        .annotate(n=Count("id"))
        .order_by("-n", "incident_type__name")
    )
    by_type = [
        Bar(name or "Not yet classified", n, {"status": "open", "type": str(type_id) if type_id else "none"})
        for type_id, name, n in type_rows
    ]

    # Every incident carrying each tag, whatever its status: a wave is counted after it is closed too.
    tag_rows = (
        incidents.filter(taggings__isnull=False)
        .order_by()
        .values_list("taggings__tag_id", "taggings__tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "taggings__tag__name")
    )
    by_tag = [Bar(name, n, {"tag": str(tag_id)}) for tag_id, name, n in tag_rows]

    flags = incidents.aggregate(
        open_total=Count("id", filter=Q(status__in=Incident.OPEN_STATUSES)),
        ico_running=Count("id", filter=overdue.ico_clock_running()),
        ico=Count("id", filter=overdue.ico_overdue(now)),
        triage=Count("id", filter=overdue.flag_condition("triage", now)),
        investigation=Count("id", filter=overdue.flag_condition("investigation", now)),
        action=Count("id", filter=overdue.flag_condition("action", now)),
    )
    clocks = [
        Bar("ICO clocks running", flags["ico_running"], {"ico_clock": "running"}),
        Bar("Past 72 hours without an ICO report", flags["ico"], {"overdue": "ico"}),
    ]
    overdue_bars = [
        Bar("Triage overdue", flags["triage"], {"overdue": "triage"}),
        Bar("Investigation overdue", flags["investigation"], {"overdue": "investigation"}),
        Bar("Incidents with an overdue action", flags["action"], {"overdue": "action"}),
    ]
    actions_overdue = scope.actions().filter(overdue.actions_overdue(now)).count()

    # One conditional count per month over an indexed column: no per-row date functions,
    # and months are the local calendar's.
    starts = month_starts(now)
    bounds = [*starts, now + timedelta(days=1)]
    month_counts = incidents.aggregate(
        **{
            f"m{index}": Count("id", filter=Q(reported_on__gte=bounds[index], reported_on__lt=bounds[index + 1]))
            for index in range(len(starts))
        }
    )
    per_month = [
        Bar(start.strftime("%b %Y"), month_counts[f"m{index}"], {"month": start.strftime("%Y-%m")})
        for index, start in enumerate(starts)
    ]

    by_policy_point = policy_point_bars(incidents.filter(reported_on__gte=starts[0]), since=starts[0])

    per_organisation: list[dict[str, Any]] = []
    if scope.is_group:
        rows = (
            incidents.order_by()
            .values("organisation__uuid", "organisation__name", "organisation__path")
            .annotate(
                open=Count("id", filter=Q(status__in=Incident.OPEN_STATUSES)),
                last_12_months=Count("id", filter=Q(reported_on__gte=starts[0])),
                ico_running=Count("id", filter=overdue.ico_clock_running()),
                triage=Count("id", filter=overdue.flag_condition("triage", now)),
                investigation=Count("id", filter=overdue.flag_condition("investigation", now)),
            )
            .order_by("organisation__path")
        )
        per_organisation = [
            {
                "name": row["organisation__name"],
                "org": str(row["organisation__uuid"]),
                "open": row["open"],
                "last_12_months": row["last_12_months"],
                "ico_running": row["ico_running"],
                "triage": row["triage"],
                "investigation": row["investigation"],
            }
            for row in rows
        ]

    return Dashboard(
        open_total=flags["open_total"],
        by_status=by_status,
        by_severity=by_severity,
        by_type=by_type,
        by_tag=by_tag,
        clocks=clocks,
        overdue=overdue_bars,
        actions_overdue=actions_overdue,
        per_month=per_month,
        by_policy_point=by_policy_point,
        per_organisation=per_organisation,
        since=timezone.localtime(starts[0]).date().isoformat(),
        added=added_figures(scope),
    )
