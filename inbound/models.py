"""Reports by email: each organisation's intake address, the mailbox it may be fetched from,
and one row per message that arrived (what became of it: a report, a reply, or refused).

- `IntakeAddress`: the address an organisation takes reports at. Mail to it (through the
  SMTP listener, `manage.py receive_mail`, or fetched from its mailbox) becomes a report.
- `Mailbox`: where mail to the intake address waits when another mail service receives it
  (Microsoft 365, Google, any IMAP server): fetched every minute by the worker. Signs in with
  a password or with OAuth 2.0 (XOAUTH2); every secret sealed (`lib.sealed`).
- `InboundMail`: one message, once: its Message-ID is claimed before anything is done with it,
  so a message fetched twice (two workers, a retry) is handled once. Outcomes: a new report,
  a reply added to an incident, or refused (a loop, an automatic reply, a bounce, too big, not
  for us).
"""

import uuid

from django.conf import settings
from django.db import models

from incidents.models import Incident, IncidentChildQuerySet
from organisations.models import Organisation


class IntakeAddress(models.Model):
    """The address an organisation takes reports at (unique across the installation)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="intake_address")
    address = models.EmailField("intake address", unique=True)
    updated_on = models.DateTimeField()

    def __str__(self) -> str:
        return self.address

    def save(self, *args: object, **kwargs: object) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Mailbox(models.Model):
    """An IMAP mailbox the worker fetches the organisation's reports from."""

    class Security(models.TextChoices):
        TLS = "tls", "TLS from the start (port 993)"
        STARTTLS = "starttls", "STARTTLS (port 143)"
        NONE = "none", "None (only for a server on this machine)"

    class SignIn(models.TextChoices):
        PASSWORD = "password", "Password"
        CLIENT_CREDENTIALS = "client_credentials", "OAuth 2.0: the application's own credentials"
        REFRESH_TOKEN = "refresh_token", "OAuth 2.0: a refresh token"

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="intake_mailbox")
    enabled = models.BooleanField("fetch reports from this mailbox", default=True)
    host = models.CharField("server", max_length=200)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField("user name", max_length=200)
    sign_in = models.CharField("how to sign in", max_length=20, choices=SignIn.choices, default=SignIn.PASSWORD)
    folder = models.CharField("folder to fetch from", max_length=200, default="INBOX")
    done_folder = models.CharField("folder to move handled mail to", max_length=200, blank=True)
    password_sealed = models.TextField(blank=True)  # lib.sealed
    token_url = models.URLField("token address", blank=True)
    client_id = models.CharField("client ID", max_length=200, blank=True)
    client_secret_sealed = models.TextField(blank=True)
    refresh_token_sealed = models.TextField(blank=True)
    scope = models.CharField(max_length=300, blank=True)
    last_polled_on = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Held by the worker fetching it now, so that two workers never fetch it at once.
    claimed_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username} on {self.host}"


class InboundMail(models.Model):
    """One message that arrived, and what became of it."""

    class Via(models.TextChoices):
        SMTP = "smtp", "Sent to Incident Desk"
        IMAP = "imap", "Fetched from the mailbox"

    class Outcome(models.TextChoices):
        RECEIVING = "receiving", "Being received"
        REPORTED = "reported", "Became a report"
        REPLIED = "replied", "Added to an incident"
        REFUSED = "refused", "Refused"

    class Refusal(models.TextChoices):
        LOOP = "loop", "Sent by Incident Desk itself (a mail loop)"
        AUTO_REPLY = "auto_reply", "An automatic reply (out of office, autoresponder, mailing list)"
        BOUNCE = "bounce", "A bounce (delivery failure report)"
        TOO_BIG = "too_big", "Larger than the size limit"
        NOT_FOR_US = "not_for_us", "Not addressed to an intake address"
        EMPTY = "empty", "Nothing written and no file that could be kept"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # The Message-ID as sent (or a digest of the message where it had none): the claim.
    message_id = models.CharField(max_length=300)
    via = models.CharField(max_length=10, choices=Via.choices)
    sender = models.EmailField(blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    received_on = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RECEIVING)
    refusal = models.CharField(max_length=20, choices=Refusal.choices, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "message_id"], name="inbound_mail_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.outcome})"
