"""The incident: what was reported, and where it stands from report to closure.

States: reported → triaged → investigating → outcome submitted → closed; or closed as
not an incident straight from triage; a closed incident can be reopened to investigating.
The transitions themselves belong to the lifecycle (a later issue); the foundation
records reports and shows them to those who may see them.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from organisations.models import HANDLER_ROLES, Membership, Organisation, Role


class IncidentQuerySet(models.QuerySet["Incident"]):
    def visible_to(self, user: Any) -> "IncidentQuerySet":
        """Deny by default: the incidents `user` may open.

        Handlers (incident manager, SIRO, DPO) see every incident on and under the nodes
        where they hold the role; an investigating officer sees those assigned to them.
        Governance viewers and admins see none here. A reporter follows their own reports
        through the reporter's pages (`reporting`), which show what a reporter may see.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        paths = set(
            Membership.objects.filter(user=user, role__in=list(HANDLER_ROLES)).values_list(
                "organisation__path", flat=True
            )
        )
        condition = Q(investigator=user)
        if paths:
            condition |= Q(organisation__in=Organisation.objects.under_paths(paths))
        return self.filter(condition)


class Incident(models.Model):
    """An information-security incident or personal-data breach, from report to closure."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        TRIAGED = "triaged", "Triaged"
        INVESTIGATING = "investigating", "Investigating"
        OUTCOME_SUBMITTED = "outcome_submitted", "Outcome submitted"
        CLOSED = "closed", "Closed"
        CLOSED_NOT_INCIDENT = "closed_not_incident", "Closed: not an incident"

    class YesNoNotSure(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    OPEN_STATUSES = (Status.REPORTED, Status.TRIAGED, Status.INVESTIGATING, Status.OUTCOME_SUBMITTED)
    CLOSED_STATUSES = (Status.CLOSED, Status.CLOSED_NOT_INCIDENT)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, null=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.REPORTED, db_index=True)

    # What the reporter told us. Only the description is required.
    description = models.TextField("what happened")
    occurred_on = models.DateTimeField("when it happened", null=True, blank=True)
    discovered_on = models.DateTimeField("when it was discovered", null=True, blank=True)
    location = models.CharField("where it happened", max_length=300, blank=True)
    information_involved = models.TextField("what information or equipment is involved", blank=True)
    personal_data = models.CharField(
        "is personal data involved", max_length=10, choices=YesNoNotSure.choices, blank=True
    )
    data_subjects = models.CharField("whose data", max_length=300, blank=True)
    people_affected = models.PositiveIntegerField("roughly how many people", null=True, blank=True)
    records_affected = models.PositiveIntegerField("roughly how many records", null=True, blank=True)
    people_involved = models.TextField("people involved", blank=True)
    action_taken = models.TextField("action already taken", blank=True)
    symptoms = models.TextField("on-screen symptoms or error messages", blank=True)
    service_affected = models.CharField(
        "is a service affected", max_length=10, choices=YesNoNotSure.choices, blank=True
    )
    service_name = models.CharField("which service", max_length=200, blank=True)

    reported_on = models.DateTimeField(db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reported_incidents"
    )
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="investigations"
    )
    # The id of the form the report came from: a second submission of the same form finds this one.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    updated_on = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "reported_on"], name="incident_org_status_idx")]

    def __str__(self) -> str:
        return self.reference or f"Incident {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    STATUS_EXPLANATIONS = {
        Status.REPORTED: "Your report has been received. Someone will look at it soon.",
        Status.TRIAGED: "Your report has been looked at and is being dealt with.",
        Status.INVESTIGATING: "The incident is being investigated.",
        Status.OUTCOME_SUBMITTED: "The investigation is finished and its findings are being reviewed.",
        Status.CLOSED: "The incident has been dealt with and closed. Thank you for reporting it.",
        Status.CLOSED_NOT_INCIDENT: (
            "This was looked at and found not to be a security incident. Thank you for reporting it."
        ),
    }

    @property
    def status_explanation(self) -> str:
        """What the status means, in words for the reporter."""
        return self.STATUS_EXPLANATIONS[self.Status(self.status)]

    @staticmethod
    def make_reference(pk: int, year: int) -> str:
        return f"INC-{year}-{pk:05d}"

    # Fields a report carries, in the order the form and the detail page show them.
    REPORT_FIELDS = (
        "description",
        "occurred_on",
        "discovered_on",
        "location",
        "information_involved",
        "personal_data",
        "data_subjects",
        "people_affected",
        "records_affected",
        "people_involved",
        "action_taken",
        "symptoms",
        "service_affected",
        "service_name",
    )


__all__ = ["Incident", "IncidentQuerySet", "Role"]


def report_incident(
    *,
    organisation: Organisation,
    reported_by: Any,
    submission_key: uuid.UUID | None,
    fields: dict[str, Any],
    reported_on: Any = None,
) -> tuple[Incident, bool]:
    """Store a new report (status Reported) with its reference and first event, in one transaction.

    Returns (incident, created). A second submission of the same form (same
    `submission_key`) returns the incident the first one stored, and creates nothing.
    """
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from audit.log import record

    unknown = set(fields) - set(Incident.REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not report fields: {sorted(unknown)}")
    if not str(fields.get("description") or "").strip():
        raise ValueError("a report needs a description")
    with transaction.atomic():
        if submission_key is not None:
            existing = Incident.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing, False
        now = reported_on or timezone.now()
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    organisation=organisation,
                    reported_by=reported_by if getattr(reported_by, "is_authenticated", False) else None,
                    reported_on=now,
                    submission_key=submission_key,
                    **fields,
                )
        except IntegrityError:
            # The same form was submitted at the same moment by another request: that one won.
            return Incident.objects.get(submission_key=submission_key), False
        incident.reference = Incident.make_reference(incident.pk, timezone.localtime(now).year)
        Incident.objects.filter(pk=incident.pk).update(reference=incident.reference)
        record(
            organisation_id=organisation.pk,
            action="incident.reported",
            actor=reported_by,
            record=incident,
            after={"reference": incident.reference, "status": incident.status}
            | {name: getattr(incident, name) for name in Incident.REPORT_FIELDS},
            at=now,
        )
    return incident, True
