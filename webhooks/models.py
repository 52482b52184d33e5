"""Webhook subscriptions, the deliveries the worker sends, and the log of every attempt.

- `Subscription`: an https address an organisation admin subscribed to some event types, for
  the organisation and every one beneath it. States: active -> paused (by an admin) or
  disabled (after repeated failure, `delivery.DISABLE_AFTER`); an admin resumes either.
  Its signing secret is stored encrypted (`signing.py`) and shown once, at creation.
- `Delivery`: one event for one subscription, written in the same transaction as the event
  (an outbox row); its body is built on the first attempt and kept for every retry.
  States: pending -> sending -> delivered. A failed attempt goes back to pending with a later
  `next_attempt_on` (exponential backoff); it is never given up while the subscription is
  active, so a later event for the same incident (which waits for it) is never sent first.
- `Attempt`: one try at sending a delivery: when, the response code or the error, how long.
"""

import uuid

from django.conf import settings
from django.db import models

from incidents.models import Incident
from organisations.models import Organisation

from .events import CHOICES


class Subscription(models.Model):
    """An address told of some event types of an organisation's incidents (and those beneath it)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        DISABLED = "disabled", "Turned off after repeated failures"

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard Webhooks (JSON, signed)"
        TEAMS = "teams", "Microsoft Teams (incoming webhook, Adaptive Card)"
        SLACK = "slack", "Slack (incoming webhook)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=100)
    url = models.URLField("address", max_length=500)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    events = models.JSONField(default=list)
    # Report contents go out only while the person who asked for them may still read them.
    include_details = models.BooleanField(default=False)
    details_granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    secret_encrypted = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_on = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def event_labels(self) -> list[str]:
        labels = dict(CHOICES)
        return [labels[name] for name in self.events if name in labels]


class Delivery(models.Model):
    """One event on its way to one subscription's address (an outbox row)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # the webhook-id
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_type = models.CharField(max_length=40)
    event_id = models.BigIntegerField(null=True, blank=True)  # the audit.Event it was heard from
    # Exactly the text signed and sent (UTF-8): built on the first attempt, the same on every retry.
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_on = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_on = models.DateTimeField()
    delivered_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_on", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_on"], name="webhook_delivery_due_idx"),
            models.Index(fields=["subscription", "incident", "status"], name="webhook_delivery_chain_idx"),
        ]
        constraints = [
            # An event is delivered once to each subscription, however often the subscriber runs.
            models.UniqueConstraint(fields=["subscription", "event_id", "event_type"], name="one_delivery_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.subscription} ({self.status})"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.uuid.hex}"


class Attempt(models.Model):
    """One try at sending a delivery (the delivery log)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
