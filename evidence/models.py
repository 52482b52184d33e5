"""Evidence: files attached to an incident, with a custody log.

Files are stored under generated names in MEDIA_ROOT/evidence/ (outside the web root),
with their SHA-256 recorded at upload. Every upload, download and withdrawal is an event
on the incident's record. Evidence is never deleted by users; it can be withdrawn with a
reason and is kept until its retention ends.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from organisations.models import HANDLER_ROLES, Membership, Role


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def visible_to(self, user: Any) -> "EvidenceQuerySet":
        """Evidence of the incidents `user` may open (handlers in scope, the assigned investigator)."""
        return self.filter(incident__in=Incident.objects.visible_to(user))


def holds_role_over(user: Any, incident: Incident, roles: Any) -> bool:
    """Whether `user` holds one of `roles` on the incident's organisation or above it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, role__in=list(roles), organisation_id__in=incident.organisation.ancestor_ids()
    ).exists()


class Evidence(models.Model):
    """A file attached to an incident. States: current, or withdrawn (with a reason; the file is kept).

    Who may add evidence: whoever may open the incident (its handlers and its investigator).
    Who may withdraw it: the incident's handlers and the person who added it. Withdrawn
    evidence stays listed, marked withdrawn; only the DPO and the SIRO may still download it
    (the record must be producible to the ICO or a court until retention ends).
    """

    class Source(models.TextChoices):
        STAFF = "staff", "Uploaded by staff"
        REPORTER = "reporter", "From the reporter"
        ANONYMOUS_REPORTER = "anonymous_reporter", "From the anonymous reporter (metadata removed)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    # The generated name under MEDIA_ROOT/evidence/; never derived from the uploaded name.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=30, choices=Source.choices, default=Source.STAFF)
    # Empty for anonymous reporters: they are never linked to an account.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_on = models.DateTimeField()
    withdrawn_on = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_on", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def may_withdraw(self, user: Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if self.uploaded_by_id is not None and self.uploaded_by_id == user.pk:
            return True
        return holds_role_over(user, self.incident, HANDLER_ROLES)

    def may_download(self, user: Any) -> bool:
        """Callers have already checked that `user` may open the incident."""
        return not self.is_withdrawn or holds_role_over(user, self.incident, {Role.DPO, Role.SIRO})

    def withdraw(self, *, by: Any, reason: str) -> None:
        """Withdraw this evidence with a reason; the file and its digest are kept."""
        reason = (reason or "").strip()
        if not reason:
            raise StepRefused("Give the reason for withdrawing this evidence.")
        if not self.may_withdraw(by):
            raise StepRefused("Only the incident's handlers or the person who added it can withdraw evidence.")
        with transaction.atomic():
            current = Evidence.objects.select_for_update().get(pk=self.pk)
            if current.is_withdrawn:
                raise StepRefused("This evidence has already been withdrawn.")
            self.withdrawn_on = timezone.now()
            self.withdrawn_by = by
            self.withdrawn_reason = reason
            self.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawn_reason"])
            record(
                organisation_id=self.incident.organisation_id,
                action="evidence.withdrawn",
                actor=by,
                record=self.incident,
                target=self,
                after={"evidence": str(self.uuid), "name": self.original_name, "sha256": self.sha256},
                reason=reason,
            )
