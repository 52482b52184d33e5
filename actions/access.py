"""Who may see and change remedial actions: `organisations.powers` answers, from the action's organisation.

- See: `RemedialAction.objects.visible_to(user)`: the actions of incidents the person may
  open, the type-review actions of organisations they handle, and their own actions.
- Raise, edit, cancel, reopen: `Powers.can_manage_actions` (the handlers, and the
  investigator of its incident).
- Mark done: `Powers.can_complete_action(owner_id)`: all of those, and the owner.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from organisations.models import HANDLER_ROLES, Organisation
from organisations.powers import Powers, powers

from .models import RemedialAction


def handler_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.visible_to(user, roles=HANDLER_ROLES)


def powers_over(user: Any, action: RemedialAction) -> Powers:
    """What `user` may do to `action`: roles on its organisation, and whether they investigate its incident."""
    return powers(user, action.organisation, action.incident.investigator_id if action.incident else None)


def owner_choices(organisation: Organisation) -> QuerySet[Any]:
    """People with any role in the organisation or above it: who an action can be given to."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, memberships__organisation_id__in=organisation.ancestor_ids())
        .distinct()
        .order_by("full_name", "email")
    )
