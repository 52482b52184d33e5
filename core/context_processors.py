from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from organisations.models import HANDLER_ROLES, Membership, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation for the signed-in person, by the roles they hold."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    path = request.path
    items: list[dict[str, object]] = [
        {"href": reverse("reporting:report"), "text": "Report an incident"},
        {"href": reverse("reporting:my_reports"), "text": "My reports"},
    ]
    if roles & HANDLER_ROLES or Role.INVESTIGATOR in roles:
        items.append({"href": reverse("incidents:list"), "text": "Incidents"})
    if Role.ADMIN in roles:
        items.append({"href": reverse("organisations:list"), "text": "Organisations"})
    for item in items:
        item["active"] = path.startswith(str(item["href"]))
    return {"nav_items": items}
