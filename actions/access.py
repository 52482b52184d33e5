"""Who may see and change remedial actions.

- See: the handlers (incident manager, SIRO, DPO) of the action's organisation or above,
  the action's owner, and the investigator of its incident.
- Raise, edit, cancel, reopen: the handlers, and the investigator of its incident.
- Mark done: all of those, and the owner.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from incidents.models import Incident
from organisations.models import HANDLER_ROLES, Membership, Organisation

from .models import RemedialAction


def handler_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user, roles=HANDLER_ROLES)


def is_handler_for(user: Any, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, role__in=list(HANDLER_ROLES), organisation_id__in=organisation.ancestor_ids()
    ).exists()


def actions_visible_to(user: Any) -> QuerySet[RemedialAction]:
    if not getattr(user, "is_authenticated", False):
        return RemedialAction.objects.none()
    return RemedialAction.objects.filter(
        Q(organisation__in=handler_organisations(user)) | Q(owner=user) | Q(incident__investigator=user)
    )


def may_manage(user: Any, action: RemedialAction) -> bool:
    if action.incident is not None and action.incident.investigator_id == user.pk:
        return True
    return is_handler_for(user, action.organisation)


def may_complete(user: Any, action: RemedialAction) -> bool:
    return action.owner_id == user.pk or may_manage(user, action)


def may_raise_on(user: Any, incident: Incident) -> bool:
    """Whoever may open the incident (its handlers and its investigator) may raise actions on it."""
    return Incident.objects.visible_to(user).filter(pk=incident.pk).exists()


def owner_choices(organisation: Organisation) -> QuerySet[Any]:
    """People with any role in the organisation or above it: who an action can be given to."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, memberships__organisation_id__in=organisation.ancestor_ids())
        .distinct()
        .order_by("full_name", "email")
    )
