"""What an investigation keeps beside the incident itself.

- `Classification`: every version of an incident's classification (the incident holds the latest).
- `Routing`: who the severity routing told, and the SIRO's decision on a critical incident.
- `SeverityDefinition`: an organisation's words for each severity (defaults in `incidents.builtins`, inherited).
- `ChecklistTemplateItem` / `ChecklistItem`: the investigation checklist and its template.
- `InternalNote`: notes for the people handling the incident.
- `OutcomeReport` / `OutcomeReview`: the Incident Outcome Report, draft → submitted →
  accepted or returned, reviewed by the incident manager (and the DPO for major and critical).

The steps that change these live in `incidents.lifecycle`.
"""

from typing import Any

from django.conf import settings
from django.db import models

from audit.sealing import SealedModel, SealedTextField
from incidents.builtins import DEFAULT_SEVERITY_DEFINITIONS
from organisations.models import Organisation

from .incident import Incident, IncidentChildQuerySet, IncidentType, child_queryset


class SeverityDefinition(models.Model):
    """An organisation's definition of one severity; it applies to the organisations beneath it too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="severity_definitions")
    severity = models.CharField(max_length=20, choices=Incident.Severity.choices)
    definition = models.TextField()

    class Meta:
        db_table = "investigation_severitydefinition"
        constraints = [models.UniqueConstraint(fields=["organisation", "severity"], name="one_definition_per_severity")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.severity}"


def severity_definitions(organisation: Organisation) -> dict[str, str]:
    """The definition of each severity for `organisation`: the nearest organisation that set one wins."""
    result = {str(key): value for key, value in DEFAULT_SEVERITY_DEFINITIONS.items()}
    rows = SeverityDefinition.objects.filter(organisation_id__in=organisation.ancestor_ids()).select_related(
        "organisation"
    )
    for row in sorted(rows, key=lambda r: r.organisation.path.count("/")):
        result[row.severity] = row.definition
    return result


def incident_types_for(organisation: Organisation) -> models.QuerySet[IncidentType]:
    """Built-in incident types and those of the organisation and its ancestors."""
    return IncidentType.objects.filter(
        models.Q(organisation__isnull=True) | models.Q(organisation_id__in=organisation.ancestor_ids()),
        is_active=True,
    )


class Classification(SealedModel):
    """One version of an incident's classification, with why it changed. Never edited."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="classifications")
    version = models.PositiveIntegerField()
    nature = models.CharField(max_length=20, choices=Incident.Nature.choices, blank=True)
    breach_status = models.CharField(max_length=20, choices=Incident.BreachStatus.choices, blank=True)
    personal_data_breach = models.CharField(max_length=20, choices=Incident.PersonalDataBreach.choices, blank=True)
    breach_types = models.JSONField(default=list, blank=True)
    incident_type = models.ForeignKey(IncidentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(max_length=20, choices=Incident.Severity.choices, blank=True)
    aware_on = models.DateTimeField(null=True, blank=True)
    reason = SealedTextField(blank=True, key_from="incident")
    classified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    classified_on = models.DateTimeField()

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        db_table = "investigation_classification"
        ordering = ["incident", "version"]
        constraints = [models.UniqueConstraint(fields=["incident", "version"], name="one_classification_version")]

    def __str__(self) -> str:
        return f"{self.incident} v{self.version}"

    def breach_types_display(self) -> str:
        labels = dict(Incident.BreachType.choices)
        return ", ".join(str(labels.get(value, value)) for value in self.breach_types)


class Routing(models.Model):
    """Who the severity routing has told, and, for a critical incident, the SIRO's decision.

    The SIRO either undertakes a critical investigation or delegates it with a reason;
    the decision is cleared when an incident becomes critical again after being less.
    """

    class LeadDecision(models.TextChoices):
        UNDERTAKEN = "undertaken", "The SIRO undertakes the investigation"
        DELEGATED = "delegated", "The SIRO delegated the investigation"

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="routing")
    routed_severity = models.CharField(max_length=20, choices=Incident.Severity.choices, blank=True)
    dpo_told_on = models.DateTimeField(null=True, blank=True)
    siro_told_on = models.DateTimeField(null=True, blank=True)
    governance_told_on = models.DateTimeField(null=True, blank=True)
    lead_decision = models.CharField(max_length=20, choices=LeadDecision.choices, blank=True)
    lead_decision_reason = models.TextField(blank=True)
    lead_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_decided_on = models.DateTimeField(null=True, blank=True)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        db_table = "investigation_routing"

    def __str__(self) -> str:
        return f"Routing of {self.incident}"


class ChecklistTemplateItem(models.Model):
    """One item of the investigation checklist template.

    Items with no organisation are built in (the policies' points and the built-in extras per
    incident type); an organisation's own items apply to it and the organisations beneath it.
    Items with an incident type are added only to incidents of that type.
    """

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="checklist_items"
    )
    incident_type = models.ForeignKey(
        IncidentType, null=True, blank=True, on_delete=models.CASCADE, related_name="checklist_items"
    )
    text = models.CharField(max_length=300)
    is_disciplinary = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "investigation_checklisttemplateitem"
        ordering = ["position", "id"]
        # Each built-in item once (as IncidentType's built-ins: partial indexes, since NULLs
        # are distinct in a unique index). An organisation's own items are not constrained.
        constraints = [
            models.UniqueConstraint(
                fields=["text"],
                condition=models.Q(organisation__isnull=True, incident_type__isnull=True),
                name="one_builtin_checklist_item",
            ),
            models.UniqueConstraint(
                fields=["incident_type", "text"],
                condition=models.Q(organisation__isnull=True),
                name="one_builtin_checklist_item_per_type",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def for_incident(cls, incident: Incident) -> models.QuerySet["ChecklistTemplateItem"]:
        org_filter = models.Q(organisation__isnull=True) | models.Q(
            organisation_id__in=incident.organisation.ancestor_ids()
        )
        type_filter = models.Q(incident_type__isnull=True)
        if incident.incident_type_id:
            type_filter |= models.Q(incident_type_id=incident.incident_type_id)
        return cls.objects.filter(org_filter & type_filter, is_active=True)


class ChecklistItem(models.Model):
    """One checklist item on one incident: pending, done (with a note) or not applicable (with a reason).

    The disciplinary item is done with a decision: commenced, or not, with the reason why
    not. Its notes are restricted to the SIRO, the DPO and the incident manager.
    """

    class State(models.TextChoices):
        PENDING = "pending", "To do"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class DisciplinaryDecision(models.TextChoices):
        COMMENCED = "commenced", "Disciplinary action commenced"
        NOT_COMMENCED = "not_commenced", "No disciplinary action"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist")
    template_item = models.ForeignKey(
        ChecklistTemplateItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    is_disciplinary = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=100)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    note = models.TextField(blank=True)
    not_applicable_reason = models.TextField(blank=True)
    disciplinary_decision = models.CharField(max_length=20, choices=DisciplinaryDecision.choices, blank=True)
    evidence = models.ForeignKey(
        "evidence.Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="checklist_items"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_on = models.DateTimeField(null=True, blank=True)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        db_table = "investigation_checklistitem"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_settled(self) -> bool:
        return self.state != self.State.PENDING


class InternalNote(SealedModel):
    """A note on the incident for the people handling it; never shown to the reporter."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = SealedTextField(key_from="incident")
    created_on = models.DateTimeField()

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        db_table = "investigation_internalnote"
        ordering = ["created_on", "id"]

    def __str__(self) -> str:
        return f"Note on {self.incident}"


class OutcomeReport(SealedModel):
    """The Incident Outcome Report: draft → submitted → accepted, or returned with comments.

    `round` counts submissions; reviews belong to a round, so a returned and resubmitted
    report is reviewed afresh. The disciplinary outcome is restricted to the SIRO, the DPO
    and the incident manager, in pages and PDFs alike.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned with comments"

    # (field, heading) in the order the report shows them; the timeline and the remedial
    # actions are drawn from the record rather than typed.
    SECTIONS = (
        ("summary", "Summary"),
        ("root_cause", "Root cause"),
        ("data_and_people_affected", "Data and people affected"),
        ("containment_and_recovery", "Containment and recovery"),
        ("notification_decisions", "Notification decisions (ICO and individuals)"),
        ("disciplinary_outcome", "Disciplinary outcome"),
        ("lessons_learned", "Lessons learned"),
        ("recommendations", "Recommendations"),
    )
    RESTRICTED_SECTIONS = ("disciplinary_outcome",)
    REQUIRED_SECTIONS = ("summary", "root_cause", "containment_and_recovery", "lessons_learned")

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="outcome_report")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    round = models.PositiveIntegerField(default=0)
    summary = SealedTextField(blank=True, key_from="incident")
    root_cause = SealedTextField(blank=True, key_from="incident")
    data_and_people_affected = SealedTextField(blank=True, key_from="incident")
    containment_and_recovery = SealedTextField(blank=True, key_from="incident")
    notification_decisions = SealedTextField(blank=True, key_from="incident")
    disciplinary_outcome = SealedTextField(blank=True, key_from="incident")
    lessons_learned = SealedTextField(blank=True, key_from="incident")
    recommendations = SealedTextField(blank=True, key_from="incident")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateTimeField(null=True, blank=True)
    accepted_on = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_on = models.DateTimeField(null=True, blank=True)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        db_table = "investigation_outcomereport"

    def __str__(self) -> str:
        return f"Outcome report on {self.incident}"

    def reviews_this_round(self) -> models.QuerySet["OutcomeReview"]:
        return self.reviews.filter(round=self.round).select_related("reviewer")

    def sections(self, *, restricted: bool) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "heading": heading,
                "text": getattr(self, name),
                "restricted": name in self.RESTRICTED_SECTIONS,
            }
            for name, heading in self.SECTIONS
            if restricted or name not in self.RESTRICTED_SECTIONS
        ]


class OutcomeReview(models.Model):
    """One reviewer's decision on one submission of an outcome report."""

    class ReviewerRole(models.TextChoices):
        INCIDENT_MANAGER = "incident_manager", "Incident manager"
        DPO = "dpo", "Data Protection Officer"

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned with comments"

    report = models.ForeignKey(OutcomeReport, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer_role = models.CharField(max_length=20, choices=ReviewerRole.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comments = models.TextField(blank=True)
    reviewed_on = models.DateTimeField()

    objects = child_queryset("report__incident").as_manager()

    class Meta:
        db_table = "investigation_outcomereview"
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer}"
