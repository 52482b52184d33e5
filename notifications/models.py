"""What people are told, and the outbox that gets it to them.

- `Notification`: one in-app notice to one person (the list with its unread count).
- `Outbox`: one email to one address, written in the same transaction as the change
  that caused it and sent by the worker after commit. States: pending -> sending ->
  sent; a failed attempt goes back to pending with a later `next_attempt_on`
  (exponential backoff) until `MAX_ATTEMPTS`, then failed, shown to organisation admins.
  A row left "sending" by a worker that died is claimed again when its lease runs out.
- `Preference`: a person's choice, per kind, of immediate email or a daily digest for
  what is not mandatory (until they choose, the usual mode of their role: see
  `audiences.usual_mode`). Deadlines and escalations are always mandatory.
- `InformedParty` / `InformedNotice`: people an organisation names to be told, and
  the record that each was told once per incident.
"""

import uuid

from django.conf import settings
from django.db import models

from incidents.models import Incident
from organisations.models import Organisation

MAX_ATTEMPTS = 8


class Notification(models.Model):
    """One in-app notification to one person. Carries no report contents."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)
    mandatory = models.BooleanField(default=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=300)
    link = models.CharField(max_length=500, blank=True)
    created_on = models.DateTimeField()
    read_on = models.DateTimeField(null=True, blank=True)
    # Waiting for the person's daily digest email.
    digest_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_on", "-id"]
        indexes = [
            models.Index(fields=["user", "read_on"], name="notification_unread_idx"),
            models.Index(fields=["digest_pending", "user"], name="notification_digest_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def how_sent(self) -> str:
        """How the email of this notification went, in plain words (the list shows it)."""
        if self.kind == "escalation":
            return "A deadline: always emailed at once."
        if self.digest_pending:
            return "In your next daily summary."
        return ""


class Outbox(models.Model):
    """One email waiting to be sent, being sent, sent, or failed for good."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.EmailField()
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_on = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    created_on = models.DateTimeField()
    sent_on = models.DateTimeField(null=True, blank=True)
    # Set by callers that may run twice (digests): the second insert is refused.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["created_on", "id"]
        verbose_name_plural = "outbox"
        indexes = [models.Index(fields=["status", "next_attempt_on"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.status})"


class Preference(models.Model):
    """How a person wants notifications of one kind that are not mandatory ("*": all others)."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", "Email each one as it happens"
        DIGEST = "digest", "One email a day with all of them"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.mode}"


class InformedParty(models.Model):
    """Someone an organisation names to be told about service-affecting incidents (004 7.16).

    Applies to the organisation and every one beneath it; `service_name` empty means
    every service. Internal audit and the Caldicott Guardian are the organisation's
    contacts of those kinds (organisations.Contact).
    """

    class Role(models.TextChoices):
        SERVICE_MANAGER = "service_manager", "Service manager"
        SYSTEM_OWNER = "system_owner", "System owner"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="informed_parties")
    role = models.CharField(max_length=20, choices=Role.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    service_name = models.CharField(
        "service", max_length=200, blank=True, help_text="Leave empty to be told about every service."
    )

    class Meta:
        ordering = ["role", "name"]
        verbose_name_plural = "informed parties"

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class InformedNotice(models.Model):
    """That `address` was told about `incident` under `rule`: told once, never twice."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=30)
    address = models.CharField(max_length=254)
    created_on = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "rule", "address"], name="one_notice_per_party_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule} to {self.address}"
