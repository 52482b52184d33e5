"""Timescales, the stored deadlines, and the record of every escalation the deadline scan sent.

`Timescales` holds one organisation's own values; an empty field inherits from the
nearest organisation above that sets it, and from the defaults below at the top.
`Deadline` holds each incident's and each remedial action's due moments as `compute.py`
works them out, kept current by `store.py`; every page, export and the scan read them.
`Escalation` is unique per (incident or action, kind, threshold): that constraint is
what makes a reminder go out once per threshold however many scans or workers run.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import RemedialAction
from incidents.models import Incident
from organisations.models import Organisation

from .workingdays import working_days_between

# The 72-hour ICO clock is the law (UK GDPR Art. 33), not a setting: clock hours from awareness.
ICO_HOURS = Incident.ICO_HOURS

# "Due soon", the one definition every list and the home page mark before a deadline is late:
# a clock deadline within this many hours, a working-day deadline due today or the next working day.
DUE_SOON_HOURS = 24
# The deadlines of telling others (the controller, outside bodies), as one group: the lists'
# "telling others overdue" flag, the home page and the scan read them together.
OUTSIDE_KINDS = (
    "controller",
    "body_police",
    "body_insurer",
    "body_dfe",
    "body_ncsc",
    "body_la",
    "body_it",
    "body_other",
)
DUE_SOON_WORKING_DAYS = 1


def ico_warning_hours() -> tuple[int, ...]:
    """Hours left on the ICO clock at which the DPO and SIRO are told, then 0 (it passed).

    Set for the installation with ICO_REMINDER_HOURS (default "48,24,6").
    """
    from django.conf import settings

    hours = {int(h) for h in settings.ICO_REMINDER_HOURS if 0 < int(h) < ICO_HOURS}
    return (*sorted(hours, reverse=True), 0)


@dataclass(frozen=True)
class EffectiveTimescales:
    """The values that apply to one organisation, and where each came from."""

    triage_days: int = 1
    urgent_triage_hours: int = 4
    outcome_minor_days: int = 20
    outcome_moderate_days: int = 15
    outcome_major_days: int = 10
    outcome_critical_days: int = 5
    reporter_update_days: int = 10
    action_days: int = 20
    action_escalate_days: int = 5

    def outcome_days(self, severity: str) -> int | None:
        value = getattr(self, f"outcome_{severity}_days", None) if severity else None
        return int(value) if value is not None else None


DEFAULTS = EffectiveTimescales()
FIELD_NAMES = tuple(f.name for f in fields(EffectiveTimescales))


class Timescales(models.Model):
    """One organisation's timescales; an empty field inherits from the organisation above."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="timescales")
    triage_days = models.PositiveSmallIntegerField(
        "triage within (working days)", null=True, blank=True, help_text="Working days from the report."
    )
    urgent_triage_hours = models.PositiveSmallIntegerField(
        "major or critical incident triaged within (hours)",
        null=True,
        blank=True,
        help_text="Clock hours from the report; the DPO is told when it passes.",
    )
    outcome_minor_days = models.PositiveSmallIntegerField("minor: outcome report within", null=True, blank=True)
    outcome_moderate_days = models.PositiveSmallIntegerField("moderate: outcome report within", null=True, blank=True)
    outcome_major_days = models.PositiveSmallIntegerField("major: outcome report within", null=True, blank=True)
    outcome_critical_days = models.PositiveSmallIntegerField("critical: outcome report within", null=True, blank=True)
    reporter_update_days = models.PositiveSmallIntegerField(
        "update the reporter at least every (working days)", null=True, blank=True
    )
    action_days = models.PositiveSmallIntegerField(
        "remedial action due within (working days)",
        null=True,
        blank=True,
        help_text="For actions raised without a due date.",
    )
    action_escalate_days = models.PositiveSmallIntegerField(
        "tell the incident manager when an action is overdue by (working days)", null=True, blank=True
    )
    updated_on = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "timescales"

    def __str__(self) -> str:
        return f"Timescales of {self.organisation}"


def effective_timescales(
    organisation: Organisation, rows: dict[int, "Timescales"] | None = None
) -> EffectiveTimescales:
    """The timescales that apply to `organisation`: its own, else the nearest above, else defaults.

    `rows` (organisation id -> Timescales) lets a scan load every row once.
    """
    values, _ = effective_with_sources(organisation, rows)
    return EffectiveTimescales(**values)


def inherited(ancestor_ids: list[int], rows: dict[int, Any]) -> tuple[dict[str, int], dict[str, int | None]]:
    """The one rule of inheritance: each value from the nearest organisation (the organisation
    itself, then upwards) whose row sets it, else the default.

    `ancestor_ids` runs from the top of the tree down to the organisation; `rows` maps
    organisation ids to their Timescales (or a migration's historical rows). Returns the values
    and, for each, the id of the organisation it came from (None: the default).
    """
    values: dict[str, int] = {}
    sources: dict[str, int | None] = {}
    for name in FIELD_NAMES:
        values[name], sources[name] = getattr(DEFAULTS, name), None
        for org_id in reversed(ancestor_ids):
            value = getattr(rows.get(org_id), name, None)
            if value is not None:
                values[name], sources[name] = value, org_id
                break
    return values, sources


def effective_with_sources(
    organisation: Organisation, rows: dict[int, "Timescales"] | None = None
) -> tuple[dict[str, int], dict[str, str]]:
    """(values, where each came from: an organisation's name or "default")."""
    ancestor_ids = organisation.ancestor_ids()
    if rows is None:
        rows = {
            t.organisation_id: t
            for t in Timescales.objects.filter(organisation_id__in=ancestor_ids).select_related("organisation")
        }
    values, source_ids = inherited(ancestor_ids, rows)
    sources = {
        name: "default"
        if org_id is None
        else ("this organisation" if org_id == organisation.pk else rows[org_id].organisation.name)
        for name, org_id in source_ids.items()
    }
    return values, sources


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")
    return _plural(max(minutes, 1), "minute")


class DueWords:
    """A deadline in words; shared by what the rule works out and what is stored.

    Needs `due_at`, `due_date` (working-day deadlines), `nation`, `met_at` and `stopped`.
    """

    due_at: Any
    due_date: Any
    nation: str
    met_at: Any
    stopped: str

    @property
    def is_open(self) -> bool:
        return self.met_at is None and not self.stopped

    @property
    def is_done(self) -> bool:
        return not self.is_open

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and (now or timezone.now()) >= self.due_at

    def is_due_soon(self, now: datetime | None = None) -> bool:
        """Open, not yet overdue, and due within DUE_SOON_HOURS (a working-day deadline: due
        today or within DUE_SOON_WORKING_DAYS working days)."""
        from .compute import local_date

        now = now or timezone.now()
        if not self.is_open or self.is_overdue(now):
            return False
        if self.due_date is not None:
            return working_days_between(local_date(now), self.due_date, self.nation) <= DUE_SOON_WORKING_DAYS
        return self.due_at - now <= timedelta(hours=DUE_SOON_HOURS)

    def urgency(self, now: datetime | None = None) -> str:
        """ "overdue", "soon" or "" (neither, or no longer open): what a list marks with a tag."""
        now = now or timezone.now()
        if self.is_overdue(now):
            return "overdue"
        return "soon" if self.is_due_soon(now) else ""

    def state(self, now: datetime | None = None) -> str:
        """open deadlines are "due" or "overdue"; the others "met" or "stopped"."""
        if self.stopped:
            return "stopped"
        if self.met_at is not None:
            return "met"
        return "overdue" if self.is_overdue(now) else "due"

    def phrase(self, now: datetime | None = None) -> str:
        """ "due in 3 working days", "overdue by 5 hours", "done on time" """
        from .compute import local_date

        now = now or timezone.now()
        if self.stopped:
            return str(Deadline.Stopped(self.stopped).label)
        if self.met_at is not None:
            return "done " + ("on time" if self.met_at < self.due_at else "late")
        if self.due_date is not None:
            today = local_date(now)
            if now >= self.due_at:
                days = working_days_between(self.due_date, today, self.nation)
                return f"overdue by {_plural(days, 'working day')}" if days else "overdue since today began"
            days = working_days_between(today, self.due_date, self.nation)
            return "due today" if days == 0 else f"due in {_plural(days, 'working day')}"
        delta = self.due_at - now
        return f"due in {duration(delta)}" if delta.total_seconds() > 0 else f"overdue by {duration(-delta)}"

    def when(self) -> str:
        if self.due_date is not None:
            return "end of " + self.due_date.strftime("%A %-d %B %Y")
        return timezone.localtime(self.due_at).strftime("%-d %B %Y, %H:%M")


def open_q(prefix: str = "") -> Q:
    """Open: neither met nor stopped. `prefix` reaches Deadline through a relation ("deadline__")."""
    return Q(**{f"{prefix}met_at__isnull": True, f"{prefix}stopped": ""})


def overdue_q(now: datetime, prefix: str = "") -> Q:
    """Open and its moment has come: the one database form of "overdue" (`Deadline.is_overdue` is the same
    rule for a row in hand)."""
    return open_q(prefix) & Q(**{f"{prefix}due_at__lte": now})


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def open(self) -> "DeadlineQuerySet":
        return self.filter(open_q())

    def of_incidents(self, incident_ids: Iterable[int]) -> "DeadlineQuerySet":
        """The incidents' own deadlines, not their actions', read through the incident's index.

        Not `action IS NULL`: SQLite then read nearly every deadline through the unique index
        on `action` (which it takes to be selective) to find a county DPO's home page's 300
        incidents' (67 ms at 100,000 incidents; 0.6 ms through the incident's index).
        """
        return (
            self.filter(incident_id__in=list(incident_ids))
            .alias(own_action=Coalesce("action_id", Value(0)))
            .filter(own_action=0)
        )

    def overdue(self, now: datetime) -> "DeadlineQuerySet":
        return self.filter(overdue_q(now))


class Deadline(DueWords, models.Model):
    """One due moment of an incident (triage, outcome report, reporter update, ICO) or of a
    remedial action, as `compute.py` works it out; written by `store.py` whenever the incident,
    the action or the timescales change, and read by every page, export and the scan.

    States: open (no `met_at`, no `stopped`): due until `due_at`, overdue from then; met
    (`met_at`); stopped (`stopped` says why it no longer runs). An incident's deadlines are
    worked out one last time when it closes, then never move until it is reopened.
    """

    class Kind(models.TextChoices):
        TRIAGE = "triage", "Triage"
        URGENT_TRIAGE = "urgent_triage", "Triage of a major or critical incident"
        OUTCOME = "outcome", "Outcome report"
        ICO = "ico", "Tell the ICO"
        REPORTER_UPDATE = "reporter_update", "Update the reporter"
        ACTION = "action", "Remedial action"
        # Telling others (parties.models): the controller when the organisation is its processor,
        # and each outside body on the incident's checklist that sets a deadline of its own.
        CONTROLLER = "controller", "Tell the controller"
        BODY_POLICE = "body_police", "Tell the police or Action Fraud"
        BODY_INSURER = "body_insurer", "Tell the insurer or the RPA"
        BODY_DFE = "body_dfe", "Tell the DfE"
        BODY_NCSC = "body_ncsc", "Tell the NCSC"
        BODY_LA = "body_la", "Tell the local authority"
        BODY_IT = "body_it", "Tell the IT provider"
        BODY_OTHER = "body_other", "Tell another body"

    class Stopped(models.TextChoices):
        CLOSED = "closed", "stopped: the incident is closed"
        RECORD_ONLY = "record_only", "not needed: decided unlikely to result in a risk"
        MOVED_ON = "moved_on", "not needed: the incident has moved past this step"
        CANCELLED = "cancelled", "cancelled"
        DONE = "done", "done"
        NOT_NEEDED = "not_needed", "not needed: recorded with a reason"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    action = models.OneToOneField(
        RemedialAction, null=True, blank=True, on_delete=models.CASCADE, related_name="deadline"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=400)
    basis = models.CharField(max_length=200)
    nation = models.CharField(max_length=20)
    starts_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    due_date = models.DateField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped = models.CharField(max_length=20, choices=Stopped.choices, blank=True)
    updated_on = models.DateTimeField()
    # When the scan must next look at this row (`attention.py`): empty once it owes nothing more.
    attention_at = models.DateTimeField(null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["kind", "due_at"], name="deadline_kind_due"),
            # The open deadlines alone (met and stopped ones pile up with every closed incident):
            # what the dashboard's clocks and overdue counts and the log's flags read.
            models.Index(fields=["kind", "due_at"], condition=Q(met_at__isnull=True, stopped=""), name="deadline_open"),
            # The scan's one read: only the rows still owing something, in the order they come due.
            models.Index(
                fields=["attention_at", "id"], name="deadline_attention", condition=Q(attention_at__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind"], condition=Q(action__isnull=True), name="one_deadline_per_incident_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: due {self.when()}"


class Escalation(models.Model):
    """One escalation or reminder the scan sent: to whom, for which deadline and threshold.

    Never updated. `threshold` names the occasion (`scan.occasion`): the moment the deadline's
    clock started from ("from:20261204T0930"), "24h" left on the ICO clock, or an action's agreed
    due date; so a timescale edit or a reassessment that moves a deadline chases nothing twice,
    and a new occasion (the reporter updated, then forgotten again) is chased once more.
    """

    class Kind(models.TextChoices):
        TRIAGE_OVERDUE = "triage_overdue", "Not triaged in time"
        URGENT_UNTRIAGED = "urgent_untriaged", "Major or critical incident not yet triaged"
        INVESTIGATION_OVERDUE = "investigation_overdue", "Outcome report overdue"
        REPORTER_UPDATE_DUE = "reporter_update_due", "Reporter not updated in time"
        ACTION_OVERDUE = "action_overdue", "Remedial action overdue"
        ACTION_STILL_OVERDUE = "action_still_overdue", "Remedial action still overdue"
        ICO_CLOCK = "ico_clock", "ICO 72-hour clock running out"
        CONTROLLER_OVERDUE = "controller_overdue", "Controller not told in time"
        BODY_OVERDUE = "body_overdue", "Outside body not told in time"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="escalations")
    action = models.ForeignKey(
        RemedialAction, null=True, blank=True, on_delete=models.CASCADE, related_name="escalations"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    threshold = models.CharField(max_length=40)
    due_on = models.DateTimeField()
    # Who was told, as shown on the incident: "Daniel Ashworth (Headteacher)".
    told = models.JSONField(default=list)
    created_on = models.DateTimeField()

    class Meta:
        ordering = ["created_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "threshold"],
                condition=Q(action__isnull=True),
                name="one_escalation_per_incident_threshold",
            ),
            models.UniqueConstraint(
                fields=["action", "kind", "threshold"],
                condition=Q(action__isnull=False),
                name="one_escalation_per_action_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.threshold})"


class ReporterProgress(models.Model):
    """The last status the reporter was told about, so each change is told once."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="reporter_progress")
    told_status = models.CharField(max_length=30)
    told_on = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.incident}: told {self.told_status}"


__all__ = [
    "DEFAULTS",
    "Deadline",
    "EffectiveTimescales",
    "Escalation",
    "ReporterProgress",
    "Timescales",
    "effective_timescales",
    "inherited",
]
