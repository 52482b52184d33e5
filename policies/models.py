"""The organisation's policies as published documents: a policy, its versions, their points.

A `Policy` is one organisation's document of one kind (its security-incident policy, or one
of its other information policies). Each change is a new `PolicyVersion`: drafted (from the
built-in template or from the version before), approved by a named role, published, and
superseded when the next one is published. A version's `PolicyPoint`s are its MUST / WHY / HOW
lines; each carries a `key` that stays the same from version to version, so an exception,
a change proposal or an incident that names a point can find "the same point" in any version
(`PolicyPoint.same_in`).

A school without a published policy of a kind follows the nearest organisation above it that
has one (`policies.inheritance.policy_for`).
"""

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from organisations.models import Organisation, Role
from organisations.powers import POLICY_DRAFT_ROLES, memberships_of


def new_point_key() -> str:
    """A short random key that names one point across all the versions of its policy."""
    return secrets.token_hex(6)


class Policy(models.Model):
    """One organisation's policy of one kind, owned by a role; its text lives in its versions.

    An organisation has at most one security-incident policy; it may have several other
    information policies.
    """

    class Kind(models.TextChoices):
        SECURITY_INCIDENT = "security_incident", "Security incident policy"
        OTHER = "other", "Other information policy"

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="policies")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.SECURITY_INCIDENT)
    title = models.CharField(max_length=200)
    owner_role = models.CharField(max_length=30, choices=Role.choices, default=Role.SIRO)
    created_on = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["organisation__path", "kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(kind="security_incident"),
                name="one_security_incident_policy_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation})"

    @property
    def published(self) -> "PolicyVersion | None":
        """The version in force: the one published and not yet superseded."""
        return self.versions.filter(status=PolicyVersion.Status.PUBLISHED).first()

    @property
    def draft(self) -> "PolicyVersion | None":
        """The version being written or waiting to be published (draft or approved), if any."""
        return self.versions.filter(status__in=PolicyVersion.IN_PREPARATION).first()


def _ancestor_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


class PolicyVersionQuerySet(models.QuerySet["PolicyVersion"]):
    def visible_to(self, user: Any) -> "PolicyVersionQuerySet":
        """Published and superseded versions: to everyone holding a role on the policy's
        organisation, above it or beneath it (a school's staff read their trust's policy, the
        county DPO reads a school's own). Drafts and approved versions: to the admins, SIROs
        and DPOs of the policy's organisation or above (`POLICY_DRAFT_ROLES`)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        kept = memberships_of(user)
        issued = Q(pk__in=[])
        drafts = Q(pk__in=[])
        for path, role in kept:
            here = Q(policy__organisation__path__startswith=path)
            issued |= here | Q(policy__organisation_id__in=_ancestor_ids(path))
            if role in POLICY_DRAFT_ROLES:
                drafts |= here
        in_force = Q(status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.SUPERSEDED])
        return self.filter((in_force & issued) | (~in_force & drafts))


class PolicyVersion(models.Model):
    """One version of a policy.

    Draft → approved (by the SIRO or DPO named in `approved_by_role`, the person in
    `approved_by`) → published (with `published_at` and `review_by`) → superseded when the
    next version is published. A change to an approved version's points sends it back to
    draft, so what was approved is what is published. At most one version of a policy is in
    preparation and at most one is published.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    IN_PREPARATION = (Status.DRAFT, Status.APPROVED)

    uuid = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    summary_of_changes = models.TextField(blank=True)
    created_on = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_by = models.DateField(null=True, blank=True)
    superseded_on = models.DateTimeField(null=True, blank=True)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="one_policy_version_per_number"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="published"), name="one_published_version_per_policy"
            ),
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(status__in=["draft", "approved"]),
                name="one_version_in_preparation_per_policy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.title}, version {self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.IN_PREPARATION


class PolicyPoint(models.Model):
    """One numbered line of a version, under MUST ("What must I do?"), WHY ("Why must I do it?")
    or HOW ("How must I do it?"), or one of the closing sections (exceptions, changes, the breach
    statement). `number` is what the page shows ("3", "3.2"); `position` orders a section.

    `key` names the point across versions: drafting version 3 from version 2 copies each point
    with its key, so "the same point" is `PolicyPoint.objects.filter(version__policy=…, key=…)`.
    The MUST, WHY and HOW lines of one numbered point share its key (point 3's three lines);
    what an exception or an incident names is usually the MUST line.
    Points of a published or superseded version never change; other apps may point at them.
    """

    class Section(models.TextChoices):
        MUST = "must", "What must I do?"
        WHY = "why", "Why must I do it?"
        HOW = "how", "How must I do it?"
        EXCEPTIONS = "exceptions", "What if I cannot follow this policy?"
        CHANGES = "changes", "How do I suggest a change?"
        BREACHES = "breaches", "If the policy is broken"

    SECTION_ORDER = [s.value for s in Section]

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="points")
    section = models.CharField(max_length=20, choices=Section.choices)
    number = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    key = models.CharField(max_length=32, default=new_point_key, db_index=True)

    class Meta:
        ordering = ["version", "section", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "section", "key"], name="one_point_per_key_in_version"),
        ]

    def __str__(self) -> str:
        label = self.Section(self.section).name
        return f"{label} {self.number}".strip() + f": {self.text[:60]}"

    def same_in(self, version: PolicyVersion) -> "PolicyPoint | None":
        """This point as it stands in `version` of the same policy (None: removed there)."""
        return PolicyPoint.objects.filter(version=version, section=self.section, key=self.key).first()


class Acknowledgement(models.Model):
    """A person has read and acknowledged one published version. Never changed nor removed."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements")
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["version", "acknowledged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="one_acknowledgement_per_version")]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.version}"


class Reminder(models.Model):
    """One reminder sent about a version: a person asked again to acknowledge it, or its owners
    told its review is near or due. Unique per (version, kind, person, threshold): that
    constraint is what makes the periodic job send each reminder once however often it runs.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Asked again to acknowledge"
        REVIEW = "review", "Review of the policy due"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    threshold = models.CharField(max_length=40)
    sent_on = models.DateTimeField()

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "user", "threshold"],
                condition=Q(user__isnull=False),
                name="one_policy_reminder_per_person_threshold",
            ),
            models.UniqueConstraint(
                fields=["version", "kind", "threshold"],
                condition=Q(user__isnull=True),
                name="one_policy_reminder_per_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.threshold})"


# Exceptions, change proposals and the points incidents broke live in their own module.
from .exception_models import (  # noqa: E402
    ChangeProposal,
    IncidentException,
    IncidentPolicyPoint,
    PolicyException,
)

__all__ = [
    "Acknowledgement",
    "ChangeProposal",
    "IncidentException",
    "IncidentPolicyPoint",
    "Policy",
    "PolicyException",
    "PolicyPoint",
    "PolicyVersion",
    "Reminder",
]
