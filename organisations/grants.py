"""Giving someone a role, with a second person's approval for the powerful ones.

    from organisations import grants
    result = grants.give_role(user=person, organisation=school, role=Role.DPO, by=admin)
    grants.decide(grant, by=county_dpo, approve=True)

Roles that reach confidential reporters' names, the ICO decision or the organisation's
people (`APPROVED_ROLES`: DPO, SIRO, admin) are not given at once: the request waits for
someone who already holds that role on the organisation or above (never the person who
asked, never the person it is for), or for a superuser. A superuser's own request is given
at once. Other roles are given at once.

Every request, approval and refusal is an event on the organisation's record, written in
the same transaction; `grant_event` is sent inside it so that the notifications app tells
the existing holders and the person who asked (this app sits below it and imports nothing
of it).
"""

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from audit.log import record
from core.exceptions import StepRefused

from .models import APPROVED_ROLES, Membership, Organisation, Role, RoleGrant
from .powers import memberships_of, powers

# Sent inside the transaction with `grant` (a RoleGrant), `action` (the event's action) and `actor`.
grant_event = Signal()


def needs_approval(role: str, by: Any) -> bool:
    return role in APPROVED_ROLES and not getattr(by, "is_superuser", False)


def may_decide(grant: RoleGrant, user: Any) -> bool:
    """Whether `user` may approve or refuse `grant`: a holder of its role there or above, or a superuser."""
    if not getattr(user, "is_authenticated", False) or user.pk in (grant.requested_by_id, grant.user_id):
        return False
    if user.is_superuser:
        return True
    return grant.role in powers(user, grant.organisation).roles


def holders(organisation: Organisation, role: str) -> list[Any]:
    """Everyone holding `role` on `organisation` or above: who is told of a grant and may decide it."""
    memberships = Membership.objects.filter(
        organisation_id__in=organisation.ancestor_ids(), role=role, user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in memberships}, key=lambda u: u.pk)


def decidable_by(user: Any) -> QuerySet[RoleGrant]:
    """The pending grants `user` may decide (their own requests and grants for them left out)."""
    pending = RoleGrant.objects.filter(state=RoleGrant.State.PENDING).select_related(
        "organisation", "user", "requested_by"
    )
    if not getattr(user, "is_authenticated", False):
        return pending.none()
    pending = pending.exclude(requested_by=user).exclude(user=user)
    if user.is_superuser:
        return pending
    condition = Q(pk__in=[])
    for path, role in memberships_of(user):
        if role in APPROVED_ROLES:
            condition |= Q(organisation__path__startswith=path, role=role)
    return pending.filter(condition)


def _add_membership(grant: RoleGrant | None, *, user: Any, organisation: Organisation, role: str, by: Any) -> Any:
    membership, added = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if added and grant is None:
        record(
            organisation_id=organisation.pk,
            action="membership.added",
            actor=by,
            target=membership,
            after={"user": user.email, "role": role},
        )
    return membership, added


def give_role(*, user: Any, organisation: Organisation, role: str, by: Any) -> tuple[Any, bool]:
    """Give `user` `role` on `organisation`, or ask for approval when the role needs it.

    Returns (the Membership, whether it is new) when given now, or (the pending RoleGrant,
    whether it is new) when it waits for approval.
    """
    with transaction.atomic():
        if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
            return Membership.objects.get(user=user, organisation=organisation, role=role), False
        if not needs_approval(role, by):
            membership, added = _add_membership(None, user=user, organisation=organisation, role=role, by=by)
            if added and role in APPROVED_ROLES:
                # A superuser's grant: the existing holders are still told.
                grant = RoleGrant.objects.create(
                    organisation=organisation,
                    user=user,
                    role=role,
                    state=RoleGrant.State.APPROVED,
                    requested_by=by,
                    requested_on=timezone.now(),
                    decided_by=by,
                    decided_on=timezone.now(),
                )
                grant_event.send(sender=RoleGrant, grant=grant, action="role_grant.approved", actor=by)
            return membership, added
        existing = RoleGrant.objects.filter(
            user=user, organisation=organisation, role=role, state=RoleGrant.State.PENDING
        ).first()
        if existing is not None:
            return existing, False
        grant = RoleGrant.objects.create(
            organisation=organisation, user=user, role=role, requested_by=by, requested_on=timezone.now()
        )
        record(
            organisation_id=organisation.pk,
            action="role_grant.requested",
            actor=by,
            target=grant,
            after={"user": user.email, "role": role},
        )
        grant_event.send(sender=RoleGrant, grant=grant, action="role_grant.requested", actor=by)
        return grant, True


def decide(grant: RoleGrant, *, by: Any, approve: bool, reason: str = "") -> RoleGrant:
    """Approve (the membership is made) or refuse a pending grant. Refuses with `StepRefused`."""
    reason = reason.strip()
    with transaction.atomic():
        locked = (
            RoleGrant.objects.select_for_update()
            .select_related("organisation", "user", "requested_by")
            .get(pk=grant.pk)
        )
        if locked.state != RoleGrant.State.PENDING:
            raise StepRefused(f"This request was already {locked.get_state_display().lower()}.")
        if by.pk == locked.requested_by_id:
            raise StepRefused("You asked for this role to be given, so someone else must approve it.")
        if by.pk == locked.user_id:
            raise StepRefused("This role is for you, so someone else must approve it.")
        if not may_decide(locked, by):
            raise StepRefused("Only someone who already holds this role here or above can decide.")
        locked.state = RoleGrant.State.APPROVED if approve else RoleGrant.State.REFUSED
        locked.decided_by = by
        locked.decided_on = timezone.now()
        locked.reason = reason[:500]
        locked.save(update_fields=["state", "decided_by", "decided_on", "reason"])
        if approve:
            _add_membership(locked, user=locked.user, organisation=locked.organisation, role=locked.role, by=by)
        action = "role_grant.approved" if approve else "role_grant.refused"
        record(
            organisation_id=locked.organisation_id,
            action=action,
            actor=by,
            target=locked,
            after={"user": locked.user.email, "role": locked.role, "requested_by": locked.requested_by.email},
            reason=reason,
        )
        grant_event.send(sender=RoleGrant, grant=locked, action=action, actor=by)
    return locked


__all__ = ["APPROVED_ROLES", "Role", "decidable_by", "decide", "give_role", "grant_event", "holders", "may_decide"]
