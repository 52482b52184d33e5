"""Timescales, and the record of every escalation and reminder the deadline scan sent.

`Timescales` holds one organisation's own values; an empty field inherits from the
nearest organisation above that sets it, and from the defaults below at the top.
`Escalation` is unique per (incident or action, kind, threshold): that constraint is
what makes a reminder go out once per threshold however many scans or workers run.
"""

from dataclasses import dataclass, fields

from django.db import models
from django.db.models import Q

from actions.models import RemedialAction
from incidents.models import Incident
from organisations.models import Organisation

# The 72-hour ICO clock is the law (UK GDPR Art. 33), not a setting: clock hours from awareness.
ICO_HOURS = 72


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
    values: dict[str, int] = {}
    sources: dict[str, str] = {}
    for name in FIELD_NAMES:
        for org_id in reversed(ancestor_ids):
            row = rows.get(org_id)
            value = getattr(row, name) if row is not None else None
            if value is not None:
                values[name] = value
                sources[name] = row.organisation.name if org_id != organisation.pk else "this organisation"  # type: ignore[union-attr]
                break
        else:
            values[name] = getattr(DEFAULTS, name)
            sources[name] = "default"
    return values, sources


class Escalation(models.Model):
    """One escalation or reminder the scan sent: to whom, for which deadline and threshold.

    Never updated. `threshold` names the deadline passed (the due date, or "24h" left on
    the ICO clock), so a moved deadline is a new threshold and is chased again.
    """

    class Kind(models.TextChoices):
        TRIAGE_OVERDUE = "triage_overdue", "Not triaged in time"
        URGENT_UNTRIAGED = "urgent_untriaged", "Major or critical incident not yet triaged"
        INVESTIGATION_OVERDUE = "investigation_overdue", "Outcome report overdue"
        REPORTER_UPDATE_DUE = "reporter_update_due", "Reporter not updated in time"
        ACTION_OVERDUE = "action_overdue", "Remedial action overdue"
        ACTION_STILL_OVERDUE = "action_still_overdue", "Remedial action still overdue"
        ICO_CLOCK = "ico_clock", "ICO 72-hour clock running out"

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


__all__ = ["DEFAULTS", "EffectiveTimescales", "Escalation", "ReporterProgress", "Timescales", "effective_timescales"]
