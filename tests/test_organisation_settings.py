"""An organisation's settings in one place: each setting's state in a line, a link to its own
page, and each of those pages linking back ("Back to settings")."""

import html
import re

from django.urls import reverse

from anonymous.services import page_for
from deadlines.models import FIELD_NAMES, Timescales
from incidents.models import IncidentType
from notifications.models import InformedParty
from organisations.models import Contact, Letterhead, Membership, Role, RoleTitle, SignInDomain
from organisations.powers import powers
from organisations.settings_hub import settings_of

from .conftest import Cast
from .test_deadline_admin import school_admin

TITLES = [
    "People and roles",
    "People in bulk and leavers",
    "Sign-in with Microsoft or Google",
    "Role titles",
    "Contacts",
    "Letterhead and signatory",
    "Timescales",
    "Policies",
    "Retention and disposal",
    "Incident types",
    "Investigation checklist",
    "Severity definitions",
    "SIRO sign-off",
    "Tags",
    "Public report page and poster",
    "Reports by email",
    "Informed parties",
    "Suppliers and processors",
    "Other bodies told",
    "Webhooks",
    "Service accounts for the API",
]


def rows_of(page: str) -> dict[str, str]:
    """Each summary-list row's key and its state line, as text."""
    found = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">\s*<p[^>]*>(.*?)</p>',
        page,
        re.S,
    )
    return {key.strip(): html.unescape(re.sub(r"\s+", " ", value).strip()) for key, value in found}


def test_the_settings_page_states_each_setting_of_a_new_organisation(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    page = client.get(reverse("organisations:settings", args=[cast.school_a.uuid])).content.decode()
    rows = rows_of(page)
    assert list(rows) == TITLES  # every app's line, in order
    assert rows["People and roles"] == "3 people hold 3 roles here."  # alice, bob and the admin
    assert rows["Role titles"] == "The usual names are used (no titles of your own)."
    assert rows["Contacts"] == "No contacts yet."
    assert rows["Letterhead and signatory"].startswith("Not set")
    assert rows["Timescales"] == "None set here: the usual timescales are used."
    assert rows["Incident types"].endswith("built in, none added here.")
    assert rows["Tags"].startswith("No tags yet")
    assert rows["Public report page and poster"].startswith("Not set up")
    assert rows["Informed parties"].startswith("Nobody named")
    assert rows["Webhooks"].startswith("None:")
    assert rows["People in bulk and leavers"].endswith("nobody is flagged as a possible leaver.")
    assert rows["Sign-in with Microsoft or Google"].startswith("No email domains claimed")
    assert rows["Service accounts for the API"].startswith("None:")
    assert rows["Suppliers and processors"] == "No suppliers or processors yet."
    assert rows["Other bodies told"] == "The usual bodies for each type, or those of the organisation above."


def test_each_line_follows_what_the_organisation_set(client, cast: Cast) -> None:
    admin = school_admin(cast)
    school = cast.school_a
    RoleTitle.objects.create(organisation=school, role=Role.SIRO, title="Headteacher")
    Contact.objects.create(
        organisation=school, kind=Contact.Kind.values[0], name="Pat Auditor", email="pat@example.org"
    )
    Letterhead.objects.create(organisation=cast.county, signatory_name="Sam Signer", signatory_title="Head of DPO")
    Timescales.objects.create(organisation=cast.county, outcome_minor_days=25)
    Timescales.objects.create(organisation=school, triage_days=2)
    IncidentType.objects.create(organisation=school, name="Lost lanyard", position=1000)
    InformedParty.objects.create(
        organisation=school, role=InformedParty.Role.values[0], name="Pay system owner", email="pay@example.org"
    )
    SignInDomain.objects.create(organisation=school, domain="school-a.example")
    public_page = page_for(school)
    client.force_login(admin)
    page = client.get(reverse("organisations:settings", args=[school.uuid])).content.decode()
    rows = rows_of(page)
    assert rows["Role titles"] == "Senior Information Risk Owner is called Headteacher."
    assert rows["Contacts"].startswith("1 contact: ")
    assert rows["Letterhead and signatory"] == "None of its own: letters use the letterhead of Testshire DPO Service."
    assert rows["Timescales"] == (
        f"1 of {len(FIELD_NAMES)} set here, 1 from Testshire DPO Service, {len(FIELD_NAMES) - 2} the usual ones."
    )
    assert "1 added here" in rows["Incident types"]
    assert rows["Public report page and poster"] == (
        f"Open at /r/{public_page.slug}/; staff see anonymous reports' times to the day only."
    )
    assert reverse("anonymous:poster", args=[public_page.slug]) in page
    assert rows["Informed parties"] == "Told about incidents that affect a service: Pay system owner."
    assert rows["Sign-in with Microsoft or Google"] == (
        "1 domain (school-a.example), through the connection of the organisation above, if any."
    )


def test_every_linked_page_opens_and_links_back_to_the_settings(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    page_for(cast.school_a)
    settings_url = reverse("organisations:settings", args=[cast.school_a.uuid])
    links = [href for setting in settings_of(cast.school_a) for href, _ in setting["links"]]
    assert len(links) >= len(TITLES)
    page = client.get(settings_url).content.decode()
    back = f'<a href="{settings_url}" class="govuk-back-link">Back to settings</a>'
    for href in links:
        assert f'href="{href}"' in page
        response = client.get(href.split("#")[0])
        assert response.status_code == 200, href
        if href.endswith(".pdf") or "#" in href:  # the poster; the organisation's page (its own back link)
            continue
        assert back in response.content.decode(), href


def test_the_settings_are_reached_from_the_organisation_item_and_page(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    settings_url = reverse("organisations:settings", args=[cast.school_a.uuid])
    assert settings_url in client.get(reverse("organisations:list")).content.decode()
    assert settings_url in client.get(reverse("organisations:detail", args=[cast.school_a.uuid])).content.decode()


def test_only_admins_of_the_organisation_or_above_see_its_settings(client, cast: Cast) -> None:
    county_admin = school_admin(cast)
    Membership.objects.filter(user=county_admin).update(organisation=cast.county)
    client.force_login(county_admin)
    assert client.get(reverse("organisations:settings", args=[cast.school_b.uuid])).status_code == 200
    assert powers(county_admin, cast.school_b).can_change_settings
    # The incident manager and the DPO above hold no admin role: not their page (and not told it exists).
    for person in (cast.alice, cast.carol):
        assert not powers(person, cast.school_a).can_change_settings
        client.force_login(person)
        assert client.get(reverse("organisations:settings", args=[cast.school_a.uuid])).status_code == 404
