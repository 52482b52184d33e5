"""What the home page shows of policies for one person (incidentdesk/home.py gathers it):

- the versions that apply to them and that they have not acknowledged (`inheritance`);
- for the admins and the policy's owner role: reviews near or overdue (`review`, its one rule);
- for SIROs and DPOs: drafts they may approve.
"""

from typing import Any

from organisations.models import Role
from organisations.powers import POLICY_APPROVER_ROLES, memberships_of

from . import review
from .inheritance import to_acknowledge
from .models import PolicyVersion


def _under(paths: set[str]) -> Any:
    from django.db.models import Q

    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(policy__organisation__path__startswith=path)
    return condition


def reviews_for(user: Any, today: Any) -> list[tuple[PolicyVersion, str]]:
    """Published versions whose review is near or overdue, where the person is an admin or holds
    the policy's owner role (on its organisation or above)."""
    kept = memberships_of(user)
    if not kept:
        return []
    rows = (
        PolicyVersion.objects.filter(_under({path for path, _ in kept}), status=PolicyVersion.Status.PUBLISHED)
        .filter(review_by__lte=review.chased_from(today))
        .select_related("policy", "policy__organisation")
    )
    found = []
    for version in rows:
        org_path = version.policy.organisation.path
        roles = {role for path, role in kept if org_path.startswith(path)}
        if roles & {Role.ADMIN, version.policy.owner_role}:
            state = review.review_state(version, today)
            if state:
                found.append((version, state))
    return found


def to_approve(user: Any) -> list[PolicyVersion]:
    paths = {path for path, role in memberships_of(user) if role in POLICY_APPROVER_ROLES}
    if not paths:
        return []
    return list(
        PolicyVersion.objects.filter(_under(paths), status=PolicyVersion.Status.DRAFT).select_related(
            "policy", "policy__organisation"
        )
    )


def home_context(user: Any, today: Any) -> dict[str, Any]:
    return {
        "policies_to_read": to_acknowledge(user),
        "policy_reviews": reviews_for(user, today),
        "policies_to_approve": to_approve(user),
    }
