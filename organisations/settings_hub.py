"""An organisation's settings in one place: each setting's current state in a line, and a link.

The settings themselves live with the apps that use them (timescales in `deadlines`, incident
types and the checklist in `incidents`, the public report page in `anonymous`, informed
parties in `notifications`); this page only gathers them. Apps above `organisations` take
part by registering a line from their `AppConfig.ready()`, so this app imports none of them:

    from organisations.settings_hub import add_setting
    add_setting("Timescales", order=50, state=timescales_line, links=timescales_links)

`state(organisation)` says in one plain line how the setting stands now; `links(organisation)`
gives (address, text) pairs, the first being where to change it. Every linked page links back
here ("Back to settings").

Who may open the page: an organisation admin of the organisation or above it
(`Powers.can_change_settings`); anyone else gets a 404, as for every admin page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .models import Organisation, Role, RoleGrant, RoleTitle, letterhead_of
from .powers import powers

Links = list[tuple[str, str]]


@dataclass(frozen=True)
class Setting:
    """One line of the settings page."""

    title: str
    order: int
    state: Callable[[Organisation], str]
    links: Callable[[Organisation], Links]


_settings: list[Setting] = []


def add_setting(
    title: str, *, order: int, state: Callable[[Organisation], str], links: Callable[[Organisation], Links]
) -> None:
    """Show `title` on every organisation's settings page, at `order` (registering twice: no effect)."""
    if any(s.title == title for s in _settings):
        return
    _settings.append(Setting(title, order, state, links))


def settings_of(organisation: Organisation) -> list[dict[str, Any]]:
    """Each registered setting of `organisation`: its title, its state in a line, its links."""
    return [
        {"title": s.title, "state": s.state(organisation), "links": s.links(organisation)}
        for s in sorted(_settings, key=lambda s: s.order)
    ]


def back_link(organisation: Organisation) -> str:
    """Where a setting's own page sends "Back to settings"."""
    return reverse("organisations:settings", args=[organisation.uuid])


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ── This app's own settings ─────────────────────────────────────────────────────────────────
def _people(organisation: Organisation) -> str:
    roles = list(organisation.memberships.values_list("user_id", flat=True))
    waiting = RoleGrant.objects.filter(organisation=organisation, state=RoleGrant.State.PENDING).count()
    if not roles:
        line = "Nobody holds a role here yet"
    else:
        line = f"{_plural(len(set(roles)), 'person holds', 'people hold')} {_plural(len(roles), 'role', 'roles')} here"
    if waiting:
        line += f"; {waiting} waiting for approval"
    return line + "."


def _role_titles(organisation: Organisation) -> str:
    own = dict(RoleTitle.objects.filter(organisation=organisation).values_list("role", "title"))
    if not own:
        inherited = organisation.role_titles()
        if any(inherited[r.value] != str(r.label) for r in Role):
            return "The titles of the organisation above are used."
        return "The usual names are used (no titles of your own)."
    shown = [f"{Role(role).label} is called {title}" for role, title in own.items() if role in Role.values]
    return "; ".join(shown) + "."


def _contacts(organisation: Organisation) -> str:
    kinds = [c.get_kind_display() for c in organisation.contacts.all()]
    if not kinds:
        return "No contacts yet."
    return f"{_plural(len(kinds), 'contact', 'contacts')}: {', '.join(kinds)}."


def _letterhead(organisation: Organisation) -> str:
    letterhead = letterhead_of(organisation)
    if letterhead is None:
        return "Not set: letters carry the organisation's name only, and no signatory."
    if letterhead.organisation_id != organisation.pk:
        return f"None of its own: letters use the letterhead of {letterhead.organisation.name}."
    logo = "a logo" if letterhead.logo_png else "no logo"
    address = "an address" if letterhead.address.strip() else "no address"
    if not letterhead.signatory_name:
        return f"Letters carry {logo} and {address}; no signatory yet."
    title = f", {letterhead.signatory_title}" if letterhead.signatory_title else ""
    return f"Letters carry {logo} and {address}, signed by {letterhead.signatory_name}{title}."


def _sign_in(organisation: Organisation) -> str:
    domains = list(organisation.sign_in_domains.values_list("domain", flat=True))
    kinds = [p.get_kind_display() for p in organisation.identity_providers.all()]
    own = f"its own {' and '.join(kinds)} connection" if kinds else "the connection of the organisation above, if any"
    if not domains:
        return "No email domains claimed: people sign in with email and password."
    return f"{_plural(len(domains), 'domain', 'domains')} ({', '.join(domains)}), through {own}."


def _register_own() -> None:
    def url(name: str, anchor: str = "") -> Callable[[Organisation], str]:
        return lambda o: reverse(name, args=[o.uuid]) + anchor

    add_setting(
        "People and roles",
        order=10,
        state=_people,
        links=lambda o: [
            (url("organisations:detail", "#people")(o), "See and remove people"),
            (url("organisations:invite")(o), "Add a person"),
        ],
    )
    add_setting(
        "Sign-in with Microsoft or Google",
        order=15,
        state=_sign_in,
        links=lambda o: [(url("organisations:sign_in_settings")(o), "Change")],
    )
    add_setting(
        "Role titles", order=20, state=_role_titles, links=lambda o: [(url("organisations:role_titles")(o), "Change")]
    )
    add_setting(
        "Contacts",
        order=30,
        state=_contacts,
        links=lambda o: [
            (url("organisations:detail", "#contacts")(o), "See and remove contacts"),
            (url("organisations:add_contact")(o), "Add a contact"),
        ],
    )
    add_setting(
        "Letterhead and signatory",
        order=40,
        state=_letterhead,
        links=lambda o: [(url("organisations:letterhead")(o), "Change")],
    )


_register_own()


@login_required
def settings_page(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), uuid=org_uuid)
    if not powers(request.user, organisation).can_change_settings:
        raise Http404("No such organisation.")
    return render(
        request,
        "organisations/settings.html",
        {"organisation": organisation, "current_organisation": organisation, "settings": settings_of(organisation)},
    )
