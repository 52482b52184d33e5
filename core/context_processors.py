from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from organisations.models import HANDLER_ROLES, Membership, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation for the signed-in person, by the roles they hold."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "current_organisation": None}
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    roles = {m.role for m in memberships}
    organisations = {m.organisation_id: m.organisation for m in memberships}
    path = request.path
    items: list[dict[str, object]] = [
        {"href": reverse("reporting:report"), "text": "Report an incident"},
        {"href": reverse("reporting:my_reports"), "text": "My reports"},
    ]
    if roles & HANDLER_ROLES or Role.INVESTIGATOR in roles:
        items.append({"href": reverse("incidents:list"), "text": "Incidents"})
    if roles & {Role.INCIDENT_MANAGER, Role.SIRO}:
        items.append({"href": reverse("investigation:queue"), "text": "Triage queue"})
    if roles & {Role.INVESTIGATOR, Role.INCIDENT_MANAGER, Role.SIRO}:
        items.append({"href": reverse("investigation:mine"), "text": "Assigned to me"})
    if roles & {Role.SIRO, Role.DPO}:
        items.append({"href": reverse("investigation:serious"), "text": "Major and critical"})
    if roles & HANDLER_ROLES:
        items.append({"href": reverse("actions:list"), "text": "Actions"})
    if user.remedial_actions.exists():
        items.append({"href": reverse("actions:mine"), "text": "My actions"})
    if Role.ADMIN in roles:
        items.append({"href": reverse("organisations:list"), "text": "Organisations"})
    # Only the longest matching item is active ("/actions/mine/" is not also "/actions/").
    matching = [str(item["href"]) for item in items if path.startswith(str(item["href"]))]
    best = max(matching, key=len, default=None)
    for item in items:
        item["active"] = item["href"] == best
    # The header names the person's organisation when they belong to one; pages about a
    # particular organisation's things pass their own `current_organisation`.
    current = next(iter(organisations.values())) if len(organisations) == 1 else None
    return {"nav_items": items, "current_organisation": current}
