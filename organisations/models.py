"""The organisation tree, who belongs where, and in which role.

A role held on a node reaches every node beneath it: a county DPO sees every school it
serves; a school's head sees only that school. Nothing reaches a sibling. Visibility is
worked out from materialised paths, so "everything under these nodes" is one indexed
`LIKE 'path%'` per membership, not a walk of the tree.
"""

import uuid
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    REPORTER = "reporter", "Reporter"
    INCIDENT_MANAGER = "incident_manager", "Incident manager"
    INVESTIGATOR = "investigator", "Investigating officer"
    SIRO = "siro", "Senior Information Risk Owner"
    DPO = "dpo", "Data Protection Officer"
    GOVERNANCE = "governance", "Governance viewer"
    ADMIN = "admin", "Organisation admin"


# Roles that handle incidents and so see every incident in their part of the tree.
HANDLER_ROLES = frozenset({Role.INCIDENT_MANAGER, Role.SIRO, Role.DPO})
# What each role is for, shown to admins when they assign it.
ROLE_DESCRIPTIONS = {
    Role.REPORTER: "Reports incidents and sees their own reports.",
    Role.INCIDENT_MANAGER: "Receives reports, classifies them, assigns and oversees investigations, closes them.",
    Role.INVESTIGATOR: "Investigates the incidents assigned to them and writes the outcome report.",
    Role.SIRO: "Senior owner of information risk: oversees major incidents and leads critical ones.",
    Role.DPO: "Advises and supports major and critical incidents and decides with the SIRO on telling the ICO.",
    Role.GOVERNANCE: "Receives management reports: counts and trends, no personal data.",
    Role.ADMIN: "Sets up the organisation: people, roles, role titles and contacts.",
}


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def under_paths(self, paths: Iterable[str]) -> "OrganisationQuerySet":
        paths = list(paths)
        if not paths:
            return self.none()
        return self.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))

    def visible_to(self, user: Any, roles: Iterable[str] | None = None) -> "OrganisationQuerySet":
        """Organisations where `user` holds one of `roles` (any role if None), on the node or above."""
        from .powers import paths_where  # the person's memberships, read once per request

        return self.under_paths(paths_where(user, roles))


class Organisation(models.Model):
    """A node of the tree: a DPO service or council, a trust, a school, a department.

    `path` holds the ids of the node's ancestors and itself (`/1/4/9/`), set on creation;
    organisations are not moved between parents (a move would rewrite its subtree's paths
    and is left to a later need).
    """

    class Kind(models.TextChoices):
        DPO_SERVICE = "dpo_service", "DPO service"
        COUNCIL = "council", "Council"
        TRUST = "trust", "Trust"
        SCHOOL = "school", "School"
        DEPARTMENT = "department", "Department"

    class Nation(models.TextChoices):
        ENGLAND = "england", "England"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    created_on = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            if not self.path:
                prefix = self.parent.path if self.parent else "/"
                self.path = f"{prefix}{self.pk}/"
                Organisation.objects.filter(pk=self.pk).update(path=self.path)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this node."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> models.QuerySet["Organisation"]:
        return Organisation.objects.filter(pk__in=self.ancestor_ids()).order_by("path")

    def descendants(self, include_self: bool = True) -> OrganisationQuerySet:
        qs = Organisation.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def role_titles(self, rows: "Iterable[RoleTitle] | None" = None) -> dict[str, str]:
        """This organisation's name for every role; the nearest ancestor that names a role wins.
        `rows`: the titles set on its ancestors, already read (a scan's `Directory`), or None to ask."""
        if rows is None:
            rows = RoleTitle.objects.filter(organisation_id__in=self.ancestor_ids()).select_related("organisation")
        result = {role.value: str(role.label) for role in Role}
        for title in sorted(rows, key=lambda t: t.organisation.path.count("/")):
            result[title.role] = title.title
        return result

    def role_title(self, role: str) -> str:
        return self.role_titles()[role]

    def holders(self, role: str, *, inherit: bool = True, among: "Iterable[Membership] | None" = None) -> list["User"]:
        """People holding `role` on this node or, when none here and `inherit`, on the nearest ancestor.
        `among`: the memberships of active people on its ancestors, already read (organisation and
        user joined: a scan's `Directory` reads a batch's in one query), or None to ask."""
        from accounts.models import User

        # Grouped by depth below, one organisation a depth: only the order within each matters.
        if among is None:
            memberships: Iterable[Membership] = (
                Membership.objects.filter(organisation_id__in=self.ancestor_ids(), role=role, user__is_active=True)
                .select_related("organisation", "user")
                .order_by("id")
            )
        else:
            ancestors = set(self.ancestor_ids())
            memberships = sorted(
                (m for m in among if m.role == role and m.organisation_id in ancestors), key=lambda m: m.pk
            )
        by_depth: dict[int, list[User]] = {}
        for m in memberships:
            by_depth.setdefault(m.organisation.path.count("/"), []).append(m.user)
        if not by_depth:
            return []
        own_depth = self.path.count("/")
        if not inherit:
            return by_depth.get(own_depth, [])
        return by_depth[max(by_depth)]


class RoleTitle(models.Model):
    """What an organisation calls a role ("Information Champion" for incident manager)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="role_title_set")
    role = models.CharField(max_length=30, choices=Role.choices)
    title = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "role"], name="one_title_per_role")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.title}"


class Membership(models.Model):
    """A person holds a role on an organisation (and so on everything beneath it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="one_membership_per_role")]
        ordering = ["organisation__path", "role"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class Contact(models.Model):
    """Someone the organisation names for incidents: its headteacher, DPO, service desk, auditor."""

    class Kind(models.TextChoices):
        HEADTEACHER = "headteacher", "Headteacher"
        DPO = "dpo", "Data Protection Officer"
        SIRO = "siro", "Senior Information Risk Owner"
        SERVICE_DESK = "service_desk", "IT service desk"
        INTERNAL_AUDIT = "internal_audit", "Internal audit"
        CALDICOTT = "caldicott", "Caldicott Guardian"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class Letterhead(models.Model):
    """How an organisation's letters and notices are headed and signed: its logo (a small PNG,
    re-drawn on upload so nothing but pixels is kept), its address, and who signs them.
    An organisation without one uses the nearest ancestor's (`letterhead_of`)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="letterhead")
    logo_png = models.BinaryField("Logo", blank=True, default=b"")
    address = models.TextField("Address", blank=True, help_text="One line for each line of the address.")
    signatory_name = models.CharField("Name of the person who signs letters", max_length=200, blank=True)
    signatory_title = models.CharField(
        "Their job title", max_length=200, blank=True, help_text="For example, Headteacher or Data Protection Officer."
    )
    updated_on = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Letterhead of {self.organisation}"

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


def letterhead_of(organisation: Organisation) -> Letterhead | None:
    """The organisation's own letterhead, else its nearest ancestor's, else None."""
    found = Letterhead.objects.filter(organisation_id__in=organisation.ancestor_ids()).select_related("organisation")
    return max(found, key=lambda letterhead: letterhead.organisation.path.count("/"), default=None)


# Roles that reach confidential reporters' names, the ICO decision or the organisation's
# people: granting one needs a second person who holds it, or a superuser (organisations.grants).
APPROVED_ROLES = frozenset({Role.DPO, Role.SIRO, Role.ADMIN})


class RoleGrant(models.Model):
    """A request to give someone a role that needs a second person's approval (`APPROVED_ROLES`).

    States: pending → approved (the membership is made) or refused. Decided by someone who
    holds the same role on the organisation or above, never the person who asked nor the
    person it is for, or by a superuser. `organisations.grants` holds the steps.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="role_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(state="pending"),
                name="one_pending_grant_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation} ({self.get_state_display()})"


class SignInDomain(models.Model):
    """An email domain an organisation owns: a verified identity from its identity provider
    with an address here joins the organisation (organisations/sso.py). One organisation per
    domain; for Microsoft Entra ID, the tenant the domain belongs to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sign_in_domains")
    domain = models.CharField(max_length=253, unique=True)
    entra_tenant_id = models.CharField("Microsoft Entra tenant ID", max_length=64, blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    claimed_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class IdentityProvider(models.Model):
    """An organisation's own OpenID Connect client at Microsoft Entra ID or Google Workspace,
    used for its people (and those of the organisations beneath it) instead of the
    installation's. The client secret is stored encrypted (lib/sealed.py)."""

    class Kind(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft"
        GOOGLE = "google", "Google"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="identity_providers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    client_id = models.CharField(max_length=200)
    secret_encrypted = models.TextField(blank=True)
    # Blank: the provider's public address (Entra from the tenant id, Google's own); set only to
    # point at another provider, such as the local one of `make run SSO=1`.
    server_url = models.URLField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_on = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="one_provider_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.organisation}"

    @property
    def provider_id(self) -> str:
        """The id in the sign-in addresses: /accounts/oidc/<provider_id>/login/."""
        return f"{self.kind}-{self.organisation.uuid}"
