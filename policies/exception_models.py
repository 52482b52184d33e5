"""Exceptions to a policy point, proposals to change one, and the points an incident broke.

Imported at the end of `policies.models`, so Django registers these with the policies app.

- `PolicyException`: someone cannot follow a point and asks not to for a while (policies
  000-002, "What if I can't follow this policy?"). Requested → approved until an end date, or
  refused with a reason; an approved one is *in force* until its end date, then expired.
- `ChangeProposal`: someone suggests a change to a point, or a new point (000-002, "How do I
  suggest a change?"). Proposed → accepted (for the next draft), rejected with a reason, or
  deferred (and decided again later).
- `IncidentPolicyPoint`: a point an incident broke, recorded at triage or with the outcome report.
- `IncidentException`: an exception in force that an incident names (it was allowed).
"""

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from incidents.models import Incident
from organisations.models import HANDLER_ROLES, Organisation, Role
from organisations.powers import paths_where

# Who sees an organisation's exceptions register and its proposals: its handlers and admins,
# on the organisation or above. Everyone sees their own requests and proposals.
REGISTER_ROLES = frozenset({*HANDLER_ROLES, Role.ADMIN})


def _seen_or_own(queryset: Any, user: Any, own: str, organisation_field: str) -> Any:
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    seen = Organisation.objects.under_paths(paths_where(user, REGISTER_ROLES))
    return queryset.filter(Q(**{f"{organisation_field}__in": seen}) | Q(**{own: user}))


class PolicyExceptionQuerySet(models.QuerySet["PolicyException"]):
    def visible_to(self, user: Any) -> "PolicyExceptionQuerySet":
        """The handlers and admins of its organisation (or above), and whoever asked for it."""
        return _seen_or_own(self, user, "requested_by", "organisation")

    def in_force(self, on: date) -> "PolicyExceptionQuerySet":
        """In force on the day `on`: approved by the end of that day and not past its end date
        (the last day it applies). An exception since ended still counts for a day it was in force."""
        end_of_day = timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))
        return self.filter(
            status__in=[PolicyException.Status.APPROVED, PolicyException.Status.EXPIRED],
            ends_on__gte=on,
            decided_on__lt=end_of_day,
        )


class PolicyException(models.Model):
    """A request not to follow one policy point for a while, and its decision.

    Requested → approved (by a SIRO or DPO of its organisation or above, until `ends_on`) or
    refused (with a reason). Approved → expired, by the periodic job, the day after `ends_on`.
    `warned_on` and `expired_on` are stamped once each, by the job's conditional update: that
    is what makes its reminders go once however often it runs.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        EXPIRED = "expired", "Ended"

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="policy_exceptions")
    point = models.ForeignKey("policies.PolicyPoint", on_delete=models.PROTECT, related_name="exceptions")
    reason = models.TextField("why you cannot follow the point")
    risk = models.TextField("the risk of not following it")
    compensating_measure = models.TextField("what you will do instead to reduce the risk")
    wanted_until = models.DateField("until when", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    warned_on = models.DateTimeField(null=True, blank=True)
    expired_on = models.DateTimeField(null=True, blank=True)

    objects = PolicyExceptionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["status", "ends_on"], name="policy_exception_due")]

    def __str__(self) -> str:
        return f"Exception to {self.point.number or 'a point'} ({self.get_status_display()})"


class ChangeProposalQuerySet(models.QuerySet["ChangeProposal"]):
    def visible_to(self, user: Any) -> "ChangeProposalQuerySet":
        """The handlers and admins of the policy's organisation (or above), and whoever proposed it."""
        return _seen_or_own(self, user, "proposed_by", "policy__organisation")


class ChangeProposal(models.Model):
    """A suggested change to one point of a policy, or a new point.

    Proposed → accepted (it goes into the next draft: `policies.proposals.for_next_draft`;
    the draft that takes it in sets `taken_into`), rejected (with a reason) or deferred
    (decided again later: deferred → accepted or rejected). Raised from an outcome report's
    lessons or a six-month type review, it carries that source's name and link.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted for the next draft"
        REJECTED = "rejected", "Rejected"
        DEFERRED = "deferred", "Deferred"

    OPEN = (Status.PROPOSED, Status.DEFERRED)

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="proposals")
    point = models.ForeignKey(
        "policies.PolicyPoint", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    change = models.TextField("the change you suggest")
    reason = models.TextField("why")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    source_kind = models.CharField(max_length=30, blank=True)  # "outcome_report", "type_review"
    source_key = models.CharField(max_length=64, blank=True)  # the source's uuid
    source_label = models.CharField(max_length=200, blank=True)
    source_url = models.CharField(max_length=300, blank=True)
    taken_into = models.ForeignKey(
        "policies.PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals_taken"
    )

    objects = ChangeProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-id"]

    def __str__(self) -> str:
        return f"Proposal to change {self.policy.title} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class IncidentPolicyPointQuerySet(models.QuerySet["IncidentPolicyPoint"]):
    def visible_to(self, user: Any) -> "IncidentPolicyPointQuerySet":
        return self.filter(incident__in=Incident.objects.visible_to(user))


class IncidentPolicyPoint(models.Model):
    """One policy point an incident broke, as recorded at triage or with the outcome report."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="policy_points_breached")
    point = models.ForeignKey("policies.PolicyPoint", on_delete=models.PROTECT, related_name="incidents_breached")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_on = models.DateTimeField()

    objects = IncidentPolicyPointQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "point__section", "point__position", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "point"], name="one_breach_per_incident_point")]

    def __str__(self) -> str:
        return f"Policy point {self.point_id} broken by incident {self.incident_id}"


class IncidentExceptionQuerySet(models.QuerySet["IncidentException"]):
    def visible_to(self, user: Any) -> "IncidentExceptionQuerySet":
        return self.filter(incident__in=Incident.objects.visible_to(user))


class IncidentException(models.Model):
    """An exception in force that an incident names: what happened was allowed by it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="exceptions_named")
    exception = models.ForeignKey(PolicyException, on_delete=models.PROTECT, related_name="incidents")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_on = models.DateTimeField()

    objects = IncidentExceptionQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "named_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "exception"], name="one_naming_per_incident_exception")
        ]

    def __str__(self) -> str:
        return f"Exception {self.exception_id} named by incident {self.incident_id}"
