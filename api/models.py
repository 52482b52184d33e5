"""Who calls the API: tokens, the service accounts that hold some of them, and the stored
answers that make a retried report harmless.

A token is shown once and kept only as the sha256 digest of its secret, found by a short
prefix that is not secret (`idk_<prefix>_<secret>`). docs/decisions/0032-api-tokens.md.
"""

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from organisations.models import Organisation


class Scope(models.TextChoices):
    """What a token may do, on top of (never beyond) what its person's roles allow."""

    READ = "read", "Read incidents and what belongs to them"
    REPORT = "report", "Report incidents"
    HANDLE = "handle", "Handle incidents: take their steps, add evidence, actions and messages"


TOKEN_PREFIX = "idk"  # noqa: S105  (not a secret: says whose token it is, for secret scanners)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ServiceAccount(models.Model):
    """A person record that is a program, not a person: a ticketing system, a SIEM.

    Its `person` is an ordinary `accounts.User` that cannot sign in (no usable password,
    inactive, so it is in nobody's "who is told" list) and holds ordinary memberships on
    `organisation` (the roles chosen by the admin who made it), so every permission comes
    from `Powers` and `visible_to` like anyone's. Disabled: its tokens stop working.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="service_accounts")
    name = models.CharField("Name", max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_on = models.DateTimeField()
    disabled_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__path", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime) -> "ApiTokenQuerySet":
        return self.filter(revoked_on__isnull=True).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=now))


class ApiToken(models.Model):
    """A key another program uses to act as one person (a person's own token, or a service
    account's), with scopes that narrow what that person may do.

    States: usable → expired (past `expires_on`) or revoked (`revoked_on`). Only the digest
    of the secret is stored; `prefix` finds the row. `window_*` count this minute's calls
    (the rate limit, shared by every process through the database) and `last_used_on`
    is written by the same statement.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("Name", max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_on = models.DateTimeField()
    expires_on = models.DateTimeField(null=True, blank=True)
    last_used_on = models.DateTimeField(null=True, blank=True)
    revoked_on = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}_{self.prefix}_…)"

    @classmethod
    def issue(cls, **fields: Any) -> tuple["ApiToken", str]:
        """A new token and its secret, which is shown once and never stored."""
        prefix = secrets.token_hex(6)
        secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(prefix=prefix, digest=digest_of(secret), **fields)
        return token, secret

    def state(self, now: datetime) -> str:
        if self.revoked_on is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on <= now:
            return "expired"
        return "usable"


class IdempotentResponse(models.Model):
    """The answer given to a request that carried an `Idempotency-Key`, kept so a retry of
    the same request answers the same, and never does the work twice (docs/api.md).

    One row per (person, key): the first request inserts it before it works and fills
    `status`/`body` in the same transaction, so a concurrent retry waits on the row and then
    reads the answer. `request_digest` is the sha256 of method, path and body: the same key
    with another body is refused with 422.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_on = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_answer_per_idempotency_key")]

    def __str__(self) -> str:
        return f"Answer to {self.key}"
