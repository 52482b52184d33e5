"""Anonymous and confidential reporting: public report pages, receipts, identity requests.

A public report page belongs to one organisation and has a stable random address. A
receipt lets an anonymous reporter follow their report; only a keyed hash of it is kept.
An identity request is how someone other than the DPO or SIRO asks to learn who made a
confidential report.
"""

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidents.models import Incident, IncidentChildQuerySet
from lib.clock import Precision
from organisations.models import Organisation

# No look-alike characters (0/o, 1/l/i): the address is read off a poster and typed.
SLUG_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SLUG_LENGTH = 10  # 31^10 ≈ 2^49.5: not guessable, short enough to type
IDENTITY_GRANT_DAYS = 30


def new_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


class PublicReportPage(models.Model):
    """An organisation's public report page (/r/<slug>/) and its anonymity settings."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="public_report_page")
    slug = models.CharField(max_length=20, unique=True, default=new_slug)
    is_active = models.BooleanField(default=True)
    # Staff see anonymous reports' times to the day unless the organisation chooses exact times.
    exact_times = models.BooleanField(
        "show exact times of anonymous reports",
        default=False,
        help_text="Exact times can tell who was on duty. Leave this off unless you need the times.",
    )
    created_on = models.DateTimeField(auto_now_add=True)
    updated_on = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Public report page of {self.organisation}"

    @staticmethod
    def time_precision_for(organisation_id: int) -> Precision:
        """How precisely the organisation's anonymous reports are stored and shown (lib/clock.py)."""
        exact = PublicReportPage.exact_times_chosen().filter(organisation_id=organisation_id).exists()
        return Precision.EXACT if exact else Precision.DAY

    @staticmethod
    def exact_time_organisations() -> set[int]:
        """Every organisation whose anonymous reports' times are exact, in one question (an
        export's rows span many organisations); the rest are kept to the day."""
        return set(PublicReportPage.exact_times_chosen().values_list("organisation_id", flat=True))

    @staticmethod
    def exact_times_chosen() -> "models.QuerySet[PublicReportPage]":
        return PublicReportPage.objects.filter(exact_times=True)


class Receipt(models.Model):
    """The keyed hash of an anonymous report's receipt. The receipt itself is never stored."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="anonymous_receipt")
    # HMAC-SHA256 of the receipt's digits, hex; unique, so a look-up is one index probe.
    digest = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"Receipt for {self.incident}"


class IdentityRequest(models.Model):
    """Someone asks the DPO to be told who made a confidential report."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the DPO"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="identity_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_on = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    expires_on = models.DateTimeField(null=True, blank=True)

    objects = IncidentChildQuerySet.as_manager()  # requests about incidents `user` may open

    class Meta:
        ordering = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return f"Identity request on {self.incident}"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.GRANTED and self.expires_on is not None and self.expires_on > timezone.now()

    @staticmethod
    def grant_expiry(now: Any) -> Any:
        return now + timedelta(days=IDENTITY_GRANT_DAYS)


class RateLimitWindow(models.Model):
    """One window of one rate limit, with its random salt.

    Counts are kept under HMAC(salt, client key), so while the window lasts a count can be
    found again for the same client, and once the window (salt included) is deleted by
    `purge_rate_limits`, no stored row can be matched to anyone: the salt was random and is
    gone. The salt is never derived from SECRET_KEY.
    """

    limit = models.CharField(max_length=20)
    number = models.BigIntegerField()  # whole windows since the epoch: seconds // window length
    salt = models.BinaryField(max_length=32)
    expires_on = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["limit", "number"], name="one_salt_per_window")]

    def __str__(self) -> str:
        return f"{self.limit} window {self.number}"


class RateLimitCount(models.Model):
    """How many times one (salted, unmatchable) client used a limit in one window."""

    window = models.ForeignKey(RateLimitWindow, on_delete=models.CASCADE, related_name="counts")
    key = models.CharField(max_length=64)  # HMAC-SHA256(window salt, client key), hex
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "key"], name="one_count_per_client_and_window")]

    def __str__(self) -> str:
        return f"{self.used} in {self.window_id}"
