"""Evidence: files attached to an incident, with a custody log.

Files are stored under generated names in MEDIA_ROOT/evidence/ (outside the web root),
with their SHA-256 recorded at upload. Every upload, download and withdrawal is an event
on the incident's record. Evidence is never deleted by users; it can be withdrawn with a
reason and is kept until its retention ends.
"""

import uuid

from django.conf import settings
from django.db import models

from incidents.models import Incident


class Evidence(models.Model):
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

    class Meta:
        ordering = ["uploaded_on", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None
