"""The figures on the dashboard, from a few aggregate queries over bounded parts of the scope.

What is overdue is read from the stored deadlines (`deadlines.overdue`), so every figure
equals the log rows it links to, the ICO clocks page and what the deadline scan chases.

The number of queries is fixed: it does not grow with the number of incidents, types
or organisations.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q
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
        # Each recorded breach asks whether its incident is among `incidents` (EXISTS), rather than
        # `incident IN (every one of them)`, which SQLite built whole: 220 ms for a county of
        # 100,000, twice on every monitoring log page (its filter's choices). The records are few.
        .filter(Exists(incidents.filter(pk=OuterRef("incident_id"))))
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
    """Every figure read from a bounded part of the scope through an index: the open incidents
    (by status), the incidents with an open deadline (the deadlines' partial index), and the
    12 months shown (by the reported moment). Nothing reads the scope's closed history, so the
    cost is the same for a county of ten thousand incidents as of a million."""
    now = now or timezone.now()
    incidents = scope.incidents()
    starts = month_starts(now)
    since = starts[0]

    # The open incidents, counted once by organisation, status, severity and type together.
    status_counts: Counter[str] = Counter()
    severity_counts: Counter[str] = Counter()
    type_counts: Counter[tuple[int | None, str | None]] = Counter()
    per_org: dict[int, Counter[str]] = defaultdict(Counter)
    open_rows = (
        incidents.filter(status__in=Incident.OPEN_STATUSES)
        .order_by()
        .values_list("organisation_id", "status", "severity", "incident_type_id", "incident_type__name")
        .annotate(n=Count("id"))
    )
    for org_id, status, severity, type_id, type_name, n in open_rows:
        status_counts[status] += n
        severity_counts[severity] += n
        type_counts[(type_id, type_name)] += n
        per_org[org_id]["open"] += n
    by_status = [
        Bar(str(label), status_counts[value], {"status": value})
        for value, label in Incident.Status.choices
        if value in Incident.OPEN_STATUSES
    ]
    by_severity = [
        Bar(str(label), severity_counts[value], {"status": "open", "severity": value})
        for value, label in Incident.Severity.choices
    ] + [Bar("Not yet set", severity_counts[""], {"status": "open", "severity": "none"})]
    by_type = [
        Bar(name or "Not yet classified", n, {"status": "open", "type": str(type_id) if type_id else "none"})
        for (type_id, name), n in sorted(type_counts.items(), key=lambda item: (-item[1], item[0][1] or ""))
    ]

    # Clocks and overdue: only incidents with an open deadline can count, found through those.
    flag_names = ("ico_running", "ico", "triage", "investigation", "action")
    flag_rows = (
        incidents.filter(
            overdue.may_count(("triage", "investigation", "action", "ico"), scope.organisations().values("pk"))
        )
        .order_by()
        .values("organisation_id")
        .annotate(
            ico_running=Count("id", filter=overdue.ico_clock_running()),
            ico=Count("id", filter=overdue.ico_overdue(now)),
            triage=Count("id", filter=overdue.flag_condition("triage", now)),
            investigation=Count("id", filter=overdue.flag_condition("investigation", now)),
            action=Count("id", filter=overdue.flag_condition("action", now)),
        )
    )
    flags: Counter[str] = Counter()
    for flag_row in flag_rows:
        for name in flag_names:
            flags[name] += flag_row[name]
            per_org[flag_row["organisation_id"]][name] += flag_row[name]
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

    # The 12 months shown, one conditional count a month over the index on the reported moment:
    # no per-row date functions, and months are the local calendar's.
    bounds = [*starts, now + timedelta(days=1)]
    month_rows = (
        incidents.filter(reported_on__gte=since)
        .order_by()
        .values("organisation_id")
        .annotate(
            **{
                f"m{index}": Count("id", filter=Q(reported_on__gte=bounds[index], reported_on__lt=bounds[index + 1]))
                for index in range(len(starts))
            }
        )
    )
    month_counts: Counter[int] = Counter()
    for month_row in month_rows:
        for index in range(len(starts)):
            month_counts[index] += month_row[f"m{index}"]
            per_org[month_row["organisation_id"]]["last_12_months"] += month_row[f"m{index}"]
    per_month = [
        Bar(start.strftime("%b %Y"), month_counts[index], {"month": start.strftime("%Y-%m")})
        for index, start in enumerate(starts)
    ]

    # Tags over the same 12 months, whatever the incidents' status: a wave is counted after it
    # is closed too, and the count reads the period, not every tagged incident ever.
    day = timezone.localtime(since).date().isoformat()
    tag_rows = (
        incidents.filter(reported_on__gte=since, taggings__isnull=False)
        .order_by()
        .values_list("taggings__tag_id", "taggings__tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "taggings__tag__name")
    )
    by_tag = [Bar(name, n, {"tag": str(tag_id), "reported_from": day}) for tag_id, name, n in tag_rows]

    by_policy_point = policy_point_bars(incidents.filter(reported_on__gte=since), since=since)

    per_organisation: list[dict[str, Any]] = []
    if scope.is_group:
        for org in scope.organisations().order_by("path").values("id", "uuid", "name"):
            counts = per_org.get(org["id"])
            if counts:
                per_organisation.append(
                    {
                        "name": org["name"],
                        "org": str(org["uuid"]),
                        **{
                            key: counts[key]
                            for key in ("open", "last_12_months", "ico_running", "triage", "investigation")
                        },
                    }
                )

    return Dashboard(
        open_total=sum(status_counts.values()),
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
        since=day,
        added=added_figures(scope),
    )
