"""Which published version applies where, and who is asked to read it: one rule each.

A policy applies to its organisation and every organisation beneath it, unless one of them
publishes its own. For the security-incident policy "its own" means its own security-incident
policy; for other information policies, its own policy of the same title (a school's
"Acceptable use" replaces its trust's "Acceptable use", not its trust's "Records" policy).
Only published versions count: a school's draft changes nothing until it is published.

Everyone who holds a role on an organisation (active accounts only) is asked to read and
acknowledge each version that applies to it.
"""

from collections.abc import Iterable
from typing import Any

from organisations.models import Membership, Organisation

from .models import Acknowledgement, Policy, PolicyVersion


def _slot(policy: Policy) -> tuple[str, str]:
    """What a policy replaces when published lower down the tree."""
    if policy.kind == Policy.Kind.SECURITY_INCIDENT:
        return (policy.kind, "")
    return (policy.kind, policy.title.strip().lower())


def _published_above(organisations: Iterable[Organisation]) -> list[PolicyVersion]:
    """Every published version of every policy of these organisations and their ancestors: one query."""
    ids = {ancestor for org in organisations for ancestor in org.ancestor_ids()}
    return list(
        PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED, policy__organisation_id__in=ids)
        .select_related("policy", "policy__organisation")
        .order_by("policy__title", "policy_id")
    )


def _choose(organisation: Organisation, versions: list[PolicyVersion]) -> list[PolicyVersion]:
    """From `versions`, those that apply to `organisation`: the nearest per slot."""
    path = organisation.path
    nearest: dict[tuple[str, str], PolicyVersion] = {}
    for version in versions:
        owner = version.policy.organisation
        if not path.startswith(owner.path):
            continue
        slot = _slot(version.policy)
        held = nearest.get(slot)
        if held is None or len(owner.path) > len(held.policy.organisation.path):
            nearest[slot] = version
    kinds = [k for k, _ in Policy.Kind.choices]
    return sorted(nearest.values(), key=lambda v: (kinds.index(v.policy.kind), v.policy.title))


def applicable(organisation: Organisation) -> list[PolicyVersion]:
    """The published versions that apply to `organisation`, security-incident policy first."""
    return _choose(organisation, _published_above([organisation]))


def applicable_to_each(organisations: list[Organisation]) -> dict[int, list[PolicyVersion]]:
    """`applicable` for many organisations at once (one query for all of them)."""
    versions = _published_above(organisations)
    return {org.pk: _choose(org, versions) for org in organisations}


def policy_for(organisation: Organisation, kind: str = Policy.Kind.SECURITY_INCIDENT) -> PolicyVersion | None:
    """The published version of the `kind` policy that applies to `organisation` (its own, else
    the nearest organisation's above it), or None when none is published anywhere above it."""
    return next((v for v in applicable(organisation) if v.policy.kind == kind), None)


def memberships(organisation_ids: Iterable[int]) -> Any:
    """Who is asked to read what applies to these organisations: the memberships of active accounts."""
    return Membership.objects.filter(organisation_id__in=list(organisation_ids), user__is_active=True)


def members(organisations: Iterable[Organisation]) -> dict[int, list[Any]]:
    """The people holding a role on each organisation (active accounts), by organisation id."""
    ids = [org.pk for org in organisations]
    found: dict[int, dict[int, Any]] = {pk: {} for pk in ids}
    rows = memberships(ids).select_related("user")
    for membership in rows.order_by("user__full_name", "user__email"):
        found[membership.organisation_id][membership.user_id] = membership.user
    return {pk: list(people.values()) for pk, people in found.items()}


def readers_of(version: PolicyVersion) -> list[Any]:
    """Everyone asked to read and acknowledge `version`: the people of every organisation it
    applies to (its owner's organisation and those beneath that have not published their own)."""
    beneath = list(version.policy.organisation.descendants())
    chosen = applicable_to_each(beneath)
    where = [org for org in beneath if version in chosen[org.pk]]
    people: dict[int, Any] = {}
    for group in members(where).values():
        for person in group:
            people[person.pk] = person
    return sorted(people.values(), key=lambda p: p.pk)


def to_acknowledge(user: Any) -> list[PolicyVersion]:
    """The versions that apply where `user` holds a role and that they have not acknowledged."""
    if not getattr(user, "is_authenticated", False):
        return []
    organisations = list(Organisation.objects.filter(memberships__user=user).distinct())
    if not organisations:
        return []
    versions: dict[int, PolicyVersion] = {}
    for chosen in applicable_to_each(organisations).values():
        for version in chosen:
            versions[version.pk] = version
    done = set(
        Acknowledgement.objects.filter(user=user, version_id__in=list(versions)).values_list("version_id", flat=True)
    )
    return [v for v in versions.values() if v.pk not in done]
