"""Evidence: files attached to an incident, with a custody log.

Files are stored under generated names in the evidence store (`evidence/storage.py`: the
folder MEDIA_ROOT/evidence/, outside the web root, or an S3-compatible bucket), sealed under
the incident's data key (decision 0038), with the SHA-256 of their clear bytes recorded at
upload. The file's uploaded name is personal data too: sealed under the same key. Every
upload, download and withdrawal is an event on the incident's record. Evidence is never
deleted by users; it can be withdrawn with a reason and is kept until its retention ends.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.log import record
from audit.sealing import SealedCharField, SealedModel
from core.exceptions import StepRefused
from incidents.models import Incident, IncidentChildQuerySet


class Evidence(SealedModel):
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
    # The generated name in the evidence store; never derived from the uploaded name.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    # Sealed under the incident's data key (the name can say whose photo it is).
    original_name = SealedCharField(max_length=255, key_from="incident")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = SealedCharField(max_length=500, blank=True, key_from="incident")
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

    # Evidence of the incidents `user` may open (handlers in scope, the assigned investigator).
    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_on", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    def withdraw(self, *, by: Any, reason: str) -> None:
        """Withdraw this evidence with a reason; the file and its digest are kept."""
        reason = (reason or "").strip()
        if not reason:
            raise StepRefused("Give the reason for withdrawing this evidence.")
        if not self.incident.powers_of(by).can_withdraw_evidence(self.uploaded_by_id):
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
