from typing import Any

from django.db.models import Count, Exists, Subquery
from django.http import HttpRequest
from django.urls import reverse

from organisations.models import HANDLER_ROLES, Membership, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation for the signed-in person, by the roles they hold."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "current_organisation": None}
    from actions.models import RemedialAction
    from notifications.models import Notification

    # The unread count rides on the memberships query: no extra query on every page.
    unread_count = (
        Notification.objects.filter(user=user, read_on__isnull=True).order_by().values("user").annotate(n=Count("pk"))
    )
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(
            unread=Subquery(unread_count.values("n")[:1]),
            owns_actions=Exists(RemedialAction.objects.filter(owner=user)),
        )
    )
    roles = {m.role for m in memberships}
    organisations = {m.organisation_id: m.organisation for m in memberships}
    path = request.path
    items: list[dict[str, object]] = [
        {"href": reverse("intake:report"), "text": "Report an incident"},
        {"href": reverse("intake:my_reports"), "text": "My reports"},
    ]
    if roles & HANDLER_ROLES or Role.INVESTIGATOR in roles:
        items.append({"href": reverse("incidents:list"), "text": "Incidents"})
    if roles & {Role.INCIDENT_MANAGER, Role.SIRO}:
        items.append({"href": reverse("incidents:queue"), "text": "Triage queue"})
    if roles & {Role.INVESTIGATOR, Role.INCIDENT_MANAGER, Role.SIRO}:
        items.append({"href": reverse("incidents:mine"), "text": "Assigned to me"})
    if roles & {Role.SIRO, Role.DPO}:
        items.append({"href": reverse("incidents:serious"), "text": "Major and critical"})
    if roles & HANDLER_ROLES:
        items.append({"href": reverse("deadlines:ico_clocks"), "text": "ICO clocks"})
        items.append({"href": reverse("actions:list"), "text": "Actions"})
    owns_actions = memberships[0].owns_actions if memberships else user.remedial_actions.exists()
    if owns_actions:
        items.append({"href": reverse("actions:mine"), "text": "My actions"})
    if roles & (HANDLER_ROLES | {Role.GOVERNANCE}):
        items.append({"href": reverse("insights:dashboard"), "text": "Reports"})
    if Role.ADMIN in roles:
        items.append({"href": reverse("organisations:list"), "text": "Organisations"})
    if memberships:
        unread = getattr(memberships[0], "unread", None) or 0
    else:
        unread = Notification.objects.filter(user=user, read_on__isnull=True).count()
    items.append(
        {
            "href": reverse("notifications:list"),
            "text": f"Notifications, {unread} unread" if unread else "Notifications",
        }
    )
    # Only the longest matching link is current ("/actions/mine/" is not also "Actions").
    matching = [str(item["href"]) for item in items if path.startswith(str(item["href"]))]
    current_href = max(matching, key=len) if matching else None
    for item in items:
        item["active"] = item["href"] == current_href
    # The header names the person's organisation when they belong to one; pages about a
    # particular organisation's things pass their own `current_organisation`.
    current = next(iter(organisations.values())) if len(organisations) == 1 else None
    return {"nav_items": items, "current_organisation": current}
