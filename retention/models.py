"""Retention: how long an organisation keeps closed incidents, the monthly disposal lists, and
the record of every disposal (decision 0038, docs/retention.md).

- `RetentionSchedule`: one organisation's own years to keep each kind of closed incident, how
  they are counted, and the years for anonymous receipts and reporter messages; an empty field
  inherits from the nearest organisation above that sets it, else `schedule.DEFAULTS`.
- `DisposalList`: an organisation's list of incidents due for disposal, drafted on the first
  of a month; unique per (organisation, month), which is what makes drafting safe to run
  twice and on several workers.
- `DisposalEntry`: one incident on a list. States: waiting for a decision, kept (with a reason,
  until a later list), approved (and so disposed of).
- `Disposal`: one incident disposed of, kept for ever; it holds no personal data.
"""

from django.conf import settings
from django.db import models

from incidents.models import Incident
from organisations.models import Organisation


class Basis(models.TextChoices):
    SCHOOL_YEAR = "school_year", "From the end of the school year it was closed in (31 August)"
    CLOSURE = "closure", "From the day it was closed"


class RetentionSchedule(models.Model):
    """One organisation's retention schedule; an empty field inherits from the organisation above."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="retention_schedule")
    basis = models.CharField("count the years", max_length=20, choices=Basis.choices, blank=True)
    breach_years = models.PositiveSmallIntegerField("personal data breach", null=True, blank=True)
    incident_years = models.PositiveSmallIntegerField("other incident", null=True, blank=True)
    near_miss_years = models.PositiveSmallIntegerField("near miss", null=True, blank=True)
    event_years = models.PositiveSmallIntegerField("event", null=True, blank=True)
    weakness_years = models.PositiveSmallIntegerField("weakness", null=True, blank=True)
    messages_years = models.PositiveSmallIntegerField(
        "anonymous receipts and messages with the reporter", null=True, blank=True
    )
    updated_on = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Retention schedule of {self.organisation}"


class DisposalList(models.Model):
    """An organisation's incidents due for disposal, drafted on the first of `month`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="disposal_lists")
    month = models.DateField()  # the first of the month it was drafted for
    drafted_on = models.DateTimeField()

    class Meta:
        ordering = ["-month", "organisation_id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="retention_one_list_a_month")]

    def __str__(self) -> str:
        return f"Disposal list of {self.organisation}, {self.month:%B %Y}"


class DisposalEntry(models.Model):
    """One incident on a disposal list, and what an incident manager or the DPO decided."""

    class Decision(models.TextChoices):
        WAITING = "waiting", "Waiting for a decision"
        KEEP = "keep", "Kept"
        APPROVED = "approved", "Approved and disposed of"

    disposal_list = models.ForeignKey(DisposalList, on_delete=models.CASCADE, related_name="entries")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="disposal_entries")
    rule = models.CharField(max_length=200)  # the schedule line that made it due, in words
    due_on = models.DateField()
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.WAITING, db_index=True)
    # Why it is kept: the organisation's own words, about the incident, not its people.
    keep_reason = models.TextField(blank=True)
    kept_until = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name_plural = "disposal entries"
        constraints = [models.UniqueConstraint(fields=["disposal_list", "incident"], name="retention_once_on_a_list")]

    def __str__(self) -> str:
        return f"{self.incident} on {self.disposal_list}"


class Disposal(models.Model):
    """One incident disposed of: kept for ever, for the record. No personal data: a reference,
    the organisation, the rule, who approved (a staff account) and when."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="disposal")
    reference = models.CharField(max_length=20)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="disposals")
    rule = models.CharField(max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateTimeField()
    disposed_on = models.DateTimeField()
    # Disposed of again by `manage.py restore` from the ledger, after an older backup brought it back.
    replayed_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-disposed_on", "-id"]

    def __str__(self) -> str:
        return f"Disposal of {self.reference}"
