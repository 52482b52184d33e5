"""The DPO monitoring log: one row per incident across the scope, its filters and its columns.

The page, the CSV and the XLSX all come from `filtered()` and `rows()`, so an export is
exactly what the filters show.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.db.models import Exists, F, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from audit import sealing
from core import dates
from deadlines import overdue
from incidents.models import Incident, IncidentType, Tag
from lib import clock
from lib.text import one_line

from .scope import Scope


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, datetime, number, flag


COLUMNS = [
    Column("reference", "Reference"),
    Column("organisation", "Organisation"),
    Column("occurred_on", "Occurred", "datetime"),
    Column("discovered_on", "Discovered", "datetime"),
    Column("reported_on", "Reported", "datetime"),
    Column("channel", "How reported"),
    Column("triaged_on", "Triaged", "datetime"),
    Column("aware_on", "Aware", "datetime"),
    Column("closed_on", "Closed", "datetime"),
    Column("type", "Type"),
    Column("policy_points", "Policy points broken"),
    Column("severity", "Severity"),
    Column("nature", "Nature"),
    Column("breach_status", "Breach status"),
    Column("personal_data_breach", "Personal data breach"),
    Column("people_affected", "People affected", "number"),
    Column("records_affected", "Records affected", "number"),
    Column("ico_decision", "ICO decision"),
    Column("ico_reported_on", "ICO reported", "datetime"),
    Column("ico_reference", "ICO reference"),
    Column("individuals_told_on", "Individuals told", "datetime"),
    Column("status", "Status"),
    Column("days_open", "Days open", "number"),
    # Kept on the incident by its disposal (retention, decision 0038): the log shows the row for ever.
    Column("disposed_on", "Disposed of", "datetime"),
    Column("disposal_rule", "Retention rule applied"),
    *[Column(f"overdue_{flag}", overdue.FLAG_LABELS[flag], "flag") for flag in overdue.FLAGS],
]

# The page shows a chosen few of these (the exports hold every one of COLUMNS): what happened on
# one line, and the four overdue flags as one "Overdue" column of tags.
SCREEN_COLUMNS = [
    Column("summary", "What happened"),
    *(c for c in COLUMNS if c.key != "reference" and c.kind != "flag"),
    Column("overdue", "Overdue", "flags"),
]
DEFAULT_SCREEN_COLUMNS = ("summary", "organisation", "reported_on", "severity", "status", "days_open", "overdue")


class ColumnsForm(forms.Form):
    """The log's "Choose columns": checkboxes sent with the filters (GET, so a chosen view is a link)."""

    columns = forms.MultipleChoiceField(
        label="Columns to show",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(c.key, c.label) for c in SCREEN_COLUMNS],
        help_text="The reference is always shown. Choose none to see the usual columns. "
        "Downloads always hold every column.",
    )

    @classmethod
    def of(cls, params: Any) -> "ColumnsForm":
        if "columns" in params:
            return cls(params)
        return cls(initial={"columns": list(DEFAULT_SCREEN_COLUMNS)})

    def chosen(self) -> list[Column]:
        keys: Any = DEFAULT_SCREEN_COLUMNS
        if self.is_bound and self.is_valid() and self.cleaned_data["columns"]:
            keys = self.cleaned_data["columns"]
        return [c for c in SCREEN_COLUMNS if c.key in keys]


SELECT = (
    "id",
    "uuid",
    "content_key",  # opens the row's sealed values (audit/sealing.py) without asking for the key
    "reference",
    "organisation__name",
    "occurred_on",
    "discovered_on",
    "reported_on",
    "channel",
    "triaged_on",
    "aware_on",
    "closed_on",
    "incident_type__name",
    "severity",
    "nature",
    "breach_status",
    "personal_data_breach",
    "people_affected",
    "records_affected",
    "ico_decision",
    "ico_reported_on",
    "ico_reference",
    "individuals_told_on",
    "status",
    "reporter_anonymous",
    "organisation_id",
    "disposed_on",
    "disposal_rule",
)

LABELS = {
    "severity": dict(Incident.Severity.choices),
    "nature": dict(Incident.Nature.choices),
    "breach_status": dict(Incident.BreachStatus.choices),
    "personal_data_breach": dict(Incident.PersonalDataBreach.choices),
    "ico_decision": dict(Incident.IcoDecision.choices),
    "status": dict(Incident.Status.choices),
    "channel": dict(Incident.Channel.choices),
}


class LogFilterForm(forms.Form):
    """Filters, all optional, all in the querystring, so every figure can link to its rows."""

    organisation = forms.ChoiceField(label="Organisation", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    severity = forms.ChoiceField(label="Severity", required=False)
    type = forms.ChoiceField(label="Type", required=False)
    channel = forms.ChoiceField(label="How reported", required=False)
    tag = forms.ChoiceField(label="Tag", required=False)
    breach_status = forms.ChoiceField(label="Breach status", required=False)
    personal_data_breach = forms.ChoiceField(label="Personal data breach", required=False)
    overdue = forms.ChoiceField(label="Overdue", required=False)
    policy_point = forms.ChoiceField(label="Policy point broken", required=False)
    ico_clock = forms.ChoiceField(
        label="ICO clock", required=False, choices=[("", "Any"), ("running", "Running (not yet reported)")]
    )
    month = dates.MonthField(label="Reported in month (YYYY-MM)", required=False)
    reported_from = dates.DateField(label="Reported from", required=False, help_text="For example, 1/9/2025")
    reported_to = dates.DateField(label="Reported up to and including", required=False)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self._choices: dict[str, list[tuple[str, str]]] = {}
        self._choices["organisation"] = [("", "All in scope")] + [
            (str(org.uuid), org.name) for org in scope.organisations().only("uuid", "name")
        ]
        self._choices["status"] = [
            ("", "Any status"),
            ("open", "Any open status"),
            ("closed_any", "Any closed status"),
            *Incident.Status.choices,
        ]
        self._choices["severity"] = [("", "Any"), *Incident.Severity.choices, ("none", "Not yet set")]
        types = IncidentType.objects.filter(
            Q(organisation__isnull=True)
            | Q(organisation_id__in=scope.organisation.ancestor_ids())
            | Q(organisation__path__startswith=scope.organisation.path)
        ).only("id", "name")
        self._choices["type"] = [
            ("", "Any"),
            *((str(t.pk), t.name) for t in types),
            ("none", "Not yet classified"),
        ]
        self._choices["channel"] = [("", "Any"), *Incident.Channel.choices]
        tags = Tag.objects.filter(
            Q(organisation_id__in=scope.organisation.ancestor_ids())
            | Q(organisation__path__startswith=scope.organisation.path)
        ).order_by("name", "id")
        self._choices["tag"] = [("", "Any"), *((str(t.pk), t.name) for t in tags.only("id", "name"))]
        self._choices["breach_status"] = [("", "Any"), *Incident.BreachStatus.choices]
        self._choices["personal_data_breach"] = [("", "Any"), *Incident.PersonalDataBreach.choices]
        self._choices["overdue"] = [("", "Any"), ("any", "Anything overdue"), *overdue.FLAG_LABELS.items()]
        policy_point = self.fields["policy_point"]
        assert isinstance(policy_point, forms.ChoiceField)
        # Asked only when the page is drawn or a point is chosen: an export without it asks nothing.
        policy_point.choices = self._policy_point_choices

        for name, choices in self._choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def _policy_point_choices(self) -> list[tuple[str, str]]:
        from .dashboard import policy_point_rows

        rows = sorted(policy_point_rows(self.scope.incidents()), key=lambda row: row["label"])
        return [("", "Any"), *((row["key"], row["label"]) for row in rows)]

    def filter(self, queryset: Any, now: datetime) -> Any:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["organisation"]:
            # Exactly this organisation (the scope already covers everything beneath).
            queryset = queryset.filter(organisation__uuid=data["organisation"])
        status = data["status"]
        if status == "open":
            queryset = queryset.filter(status__in=Incident.OPEN_STATUSES)
        elif status == "closed_any":
            queryset = queryset.filter(status__in=Incident.CLOSED_STATUSES)
        elif status:
            queryset = queryset.filter(status=status)
        if data["severity"]:
            queryset = queryset.filter(severity="" if data["severity"] == "none" else data["severity"])
        if data["type"] == "none":
            queryset = queryset.filter(incident_type__isnull=True)
        elif data["type"]:
            queryset = queryset.filter(incident_type_id=int(data["type"]))
        if data["tag"]:
            queryset = queryset.filter(taggings__tag_id=int(data["tag"]))
        for name in ("channel", "breach_status", "personal_data_breach"):
            if data[name]:
                queryset = queryset.filter(**{name: data[name]})
        if data["overdue"] == "any":
            condition = Q()
            for flag in overdue.FLAGS:
                condition |= overdue.flag_condition(flag, now)
            queryset = queryset.filter(condition)
        elif data["overdue"]:
            queryset = queryset.filter(overdue.flag_condition(data["overdue"], now))
        if data["policy_point"]:
            from .dashboard import breaches_of_points

            broke = breaches_of_points().filter(incident=OuterRef("pk"), point__key=data["policy_point"])
            queryset = queryset.filter(Exists(broke))
        if data["ico_clock"] == "running":
            queryset = queryset.filter(overdue.ico_clock_running())
        if data["month"]:
            first = data["month"]
            start = timezone.make_aware(datetime(first.year, first.month, 1))
            end = timezone.make_aware(datetime(first.year + (first.month == 12), first.month % 12 + 1, 1))
            queryset = queryset.filter(reported_on__gte=start, reported_on__lt=end)
        if data["reported_from"]:
            queryset = queryset.filter(reported_on__gte=_start_of(data["reported_from"]))
        if data["reported_to"]:
            queryset = queryset.filter(reported_on__lt=_start_of(data["reported_to"], plus_days=1))
        return queryset

    def active_filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.data.items() if k in self.fields and v}


def _start_of(day: date, plus_days: int = 0) -> datetime:
    from datetime import timedelta

    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), datetime.min.time()))


def annotated(queryset: Any, now: datetime, extra: tuple[str, ...] = ()) -> Any:
    """The log's queryset: every column (and the fields in `extra`), overdue flags worked out by the database."""
    flags = {f"overdue_{flag}": overdue.flag_exists(flag, now) for flag in overdue.FLAGS}
    from .dashboard import breaches_of_points

    points = (
        breaches_of_points()
        .filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(
            names=StringAgg(
                Concat(F("point__version__policy__title"), Value(" "), F("point__number")),
                delimiter=Value("; "),
            )
        )
        .values("names")
    )
    return (
        queryset.order_by("-reported_on", "-id")
        .annotate(**flags, policy_points=Subquery(points))
        .values(*SELECT, *extra, *flags, "policy_points")
    )


def chosen(scope: Scope, params: Any, now: datetime) -> tuple[LogFilterForm, Any]:
    """The filter form and the incidents it chooses, before the log's columns are added."""
    form = LogFilterForm(params, scope=scope)
    return form, form.filter(scope.incidents(), now)


def filtered(scope: Scope, params: Any, now: datetime, extra: tuple[str, ...] = ()) -> tuple[LogFilterForm, Any]:
    form, incidents = chosen(scope, params, now)
    return form, annotated(incidents, now, extra)


# How each column comes from the query's values (see `Rows`).
_DATETIMES = tuple(c.key for c in COLUMNS if c.kind == "datetime")
_FLAGS = tuple(c.key for c in COLUMNS if c.kind == "flag")
_RENAMED = {"organisation": "organisation__name", "type": "incident_type__name"}
_NUMBERS = ("people_affected", "records_affected")  # None stays None: no number given
_TEXTS = ("reference", "ico_reference", "disposal_rule")


class Rows:
    """Turns the query's values into rows of the log as plain values: labels for choices, local
    datetimes, numbers and flags. Made once for a page or an export: the time zone, the labels
    and each organisation's precision are looked up once, not once a row.

    An anonymous report's times are dates at its organisation's precision (lib/clock.py), every
    organisation's asked in one question (`clock.organisation_precisions`) when the first such
    row comes.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.zone = timezone.get_current_timezone()
        self.labels = {key: {value: str(label) for value, label in labels.items()} for key, labels in LABELS.items()}
        self.precision_of: Any = None

    def __call__(self, values: dict[str, Any]) -> dict[str, Any]:
        sealing.open_values(Incident, values)
        precision = clock.Precision.EXACT
        if values["reporter_anonymous"]:
            if self.precision_of is None:
                self.precision_of = clock.organisation_precisions()
            precision = self.precision_of(values["organisation_id"])
        out: dict[str, Any] = {"uuid": values["uuid"]}
        for key in _NUMBERS:
            out[key] = values[key]
        for key in _TEXTS:
            out[key] = values[key] or ""
        for key, source in _RENAMED.items():
            out[key] = values[source] or ""
        for key in _DATETIMES:
            value = values[key]
            if value is not None:
                if precision == clock.Precision.EXACT:
                    value = value.astimezone(self.zone).replace(tzinfo=None)
                else:
                    value = clock.cut(value, precision)
            out[key] = value
        for key, labels in self.labels.items():
            value = values[key]
            out[key] = labels.get(value, value or "")
        # Sorted here: not every SQLite can order an aggregate, and both engines must agree.
        points = values["policy_points"]
        out["policy_points"] = "; ".join(sorted(points.split("; "))).strip("; ") if points else ""
        out["days_open"] = max(0, ((values["closed_on"] or self.now) - values["reported_on"]).days)
        for key in _FLAGS:
            out[key] = bool(values[key])
        return out


def screen_row(values: dict[str, Any], columns: list[Column], make: Rows) -> dict[str, Any]:
    """A row of the page: the log's row (`make`) with what happened on one line, the overdue flags
    as labels, and `cells`, the chosen columns' values in order. Needs "description" among the values."""
    out = make(values)
    out["summary"] = one_line(values["description"])
    out["overdue"] = [overdue.FLAG_LABELS[flag] for flag in overdue.FLAGS if out[f"overdue_{flag}"]]
    out["cells"] = [{"column": column, "value": out[column.key]} for column in columns]
    return out


def rows(queryset: Any, now: datetime, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """Every row of the filtered log, read in chunks so memory does not grow with the rows (a
    server-side cursor on PostgreSQL); the query runs when the first row is asked for."""
    make = Rows(now)
    for values in queryset.iterator(chunk_size=chunk_size):
        yield make(values)
