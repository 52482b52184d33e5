"""The menu each person sees: at most six top items, the rest under them.

    Home · Report an incident · Incidents · Actions · Reports · Policies · Organisation

"Policies" (what applies to me, and reading it) is a top item for everyone who holds a role,
except an organisation admin, who finds it under "Organisation" beside the settings where
policies are written: so nobody has more than six.

Each top item shows only to the roles that use it; its own pages (triage queue, assigned to me,
major and critical, ICO clocks under Incidents; my reports under Report an incident; my actions
under Actions) are the sub-navigation shown on the pages of that item. Notifications sit beside
the person's email address with their unread count, on every page.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Subquery
from django.http import HttpRequest
from django.urls import reverse

from organisations.models import HANDLER_ROLES, Membership, Role
from organisations.powers import DISPOSAL_ROLES, FIND_A_PERSON_ROLES

# No more than this many top items for anyone (issue 13): a test holds every role to it.
MAX_TOP_ITEMS = 6


@dataclass
class Group:
    """A top item and its pages; `prefixes` are the paths that count as being in it."""

    text: str
    href: str
    pages: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of its sub-navigation
    prefixes: tuple[str, ...] = ()


def has_home(roles: set[str], owns_actions: bool) -> bool:
    """Whether a person has a home of work; someone who only reports (and owns no action) has
    the report form as their home instead, and no "Home" in the menu."""
    return bool(roles - {Role.REPORTER}) or owns_actions


def groups_for(roles: set[str], owns_actions: bool) -> list[Group]:
    """The top items for someone holding `roles` (and owning remedial actions or not)."""
    groups = [Group("Home", reverse("home"))] if has_home(roles, owns_actions) else []
    handles = bool(roles & HANDLER_ROLES)
    report_pages = [(reverse("intake:report"), "Report an incident"), (reverse("intake:my_reports"), "My reports")]
    if handles:  # reports made by phone, in person, on paper, by letter (Powers.can_record_on_behalf)
        report_pages.append((reverse("intake:on_behalf"), "Record a report for someone"))
    groups.append(Group("Report an incident", reverse("intake:report"), report_pages, ("/report/", "/my-reports/")))
    if handles or Role.INVESTIGATOR in roles:
        pages = [(reverse("incidents:list"), "All incidents")]
        if roles & {Role.INCIDENT_MANAGER, Role.SIRO}:
            pages.append((reverse("incidents:queue"), "Triage queue"))
        if roles & {Role.INVESTIGATOR, Role.INCIDENT_MANAGER, Role.SIRO}:
            pages.append((reverse("incidents:mine"), "Assigned to me"))
        if roles & {Role.SIRO, Role.DPO}:
            pages.append((reverse("incidents:serious"), "Major and critical"))
        if handles:
            pages.append((reverse("deadlines:ico_clocks"), "ICO clocks"))
        pages.append((reverse("learning:search"), "Search"))
        if handles:
            pages.append((reverse("learning:lessons"), "Lessons"))
            pages.append((reverse("learning:known_errors"), "Known errors"))
            pages.append((reverse("learning:training"), "Training"))
        if roles & FIND_A_PERSON_ROLES:  # organisations.powers.may_find_a_person
            pages.append((reverse("learning:find_a_person"), "Find a person"))
        if roles & DISPOSAL_ROLES:  # Powers.can_dispose
            pages.append((reverse("retention:overview"), "Disposal lists"))
        prefixes = (
            "/incidents/",
            "/deadlines/",
            "/breaches/",
            "/evidence/",
            "/case-file/",
            "/learning/",
            "/retention/",
        )
        groups.append(Group("Incidents", reverse("incidents:list"), pages, prefixes))
    if handles or owns_actions:
        pages = []
        if handles:
            pages.append((reverse("actions:list"), "All actions"))
        if owns_actions:
            pages.append((reverse("actions:mine"), "My actions"))
        groups.append(Group("Actions", pages[0][0], pages, ("/actions/",)))
    if roles & (HANDLER_ROLES | {Role.GOVERNANCE}):
        groups.append(Group("Reports", reverse("insights:dashboard"), [], ("/reports/",)))
    policies = reverse("policies:list")
    if Role.ADMIN in roles:
        pages = [(reverse("organisations:list"), "Organisations"), (policies, "Policies")]
        groups.append(Group("Organisation", reverse("organisations:list"), pages, ("/organisations/", "/policies/")))
    elif roles:
        groups.append(Group("Policies", policies, [], ("/policies/",)))
    return groups


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The service navigation for the signed-in person, by the roles they hold."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "sub_nav": None, "notifications_item": None, "current_organisation": None}
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
    owns_actions = memberships[0].owns_actions if memberships else user.remedial_actions.exists()
    path = request.path
    groups = groups_for(roles, owns_actions)
    current = next((g for g in groups if g.prefixes and path.startswith(g.prefixes)), None)
    if current is None and path == "/":
        current = groups[0]
    items: list[dict[str, object]] = [
        {"href": g.href, "text": g.text, "active": g is current, "current": g is current and path == g.href}
        for g in groups
    ]
    sub_nav = None
    if current is not None and len(current.pages) > 1:
        # Only the longest matching link is current ("/actions/mine/" is not also "All actions").
        matching = [href for href, _ in current.pages if path.startswith(href)]
        here = max(matching, key=len) if matching else None
        sub_nav = {
            "label": current.text,
            "items": [{"href": href, "text": text, "active": href == here} for href, text in current.pages],
        }
    if memberships:
        unread = getattr(memberships[0], "unread", None) or 0
    else:
        unread = Notification.objects.filter(user=user, read_on__isnull=True).count()
    notifications_item = {
        "href": reverse("notifications:list"),
        "text": f"Notifications, {unread} unread" if unread else "Notifications",
        "active": path.startswith(reverse("notifications:list")),
    }
    # The header names the person's organisation when they belong to one; pages about a
    # particular organisation's things pass their own `current_organisation`.
    only = next(iter(organisations.values())) if len(organisations) == 1 else None
    return {
        "nav_items": items,
        "sub_nav": sub_nav,
        "notifications_item": notifications_item,
        "current_organisation": only,
    }
