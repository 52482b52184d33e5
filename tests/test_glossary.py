"""Help in place ("Daily work"): each term of the work defined once, shown beside it where it is
used and together on the glossary page, in the organisation's own role titles."""

import pytest
from django.urls import reverse

from breaches.engine import Facts
from breaches.models import Assessment
from incidents.models import Incident
from organisations.glossary import BY_KEY, TERMS, glossary
from organisations.models import ROLE_DESCRIPTIONS, Role, RoleTitle

from .conftest import Cast, People
from .factories import reported_incident


def test_every_classification_choice_has_its_definition_on_the_triage_page(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="A USB stick was found in the car park.")
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:triage", args=[incident.uuid])).content.decode()
    for value in [*Incident.Nature.values, *Incident.BreachStatus.values, *Incident.BreachType.values]:
        definition = BY_KEY[value].definition.replace("'", "&#x27;")
        assert definition in page, value
    assert BY_KEY["personal_data_breach"].definition in page


def test_the_glossary_page_defines_every_term_and_role_in_the_organisations_titles(client, cast: Cast) -> None:
    RoleTitle.objects.create(organisation=cast.school_a, role=Role.SIRO, title="Headteacher")
    client.force_login(cast.bob)
    page = client.get(reverse("organisations:glossary")).content.decode().replace("&#x27;", "'")
    for term in TERMS:
        assert term.definition in page, term.key
    assert "Headteacher (Senior Information Risk Owner)" in page
    for description in ROLE_DESCRIPTIONS.values():
        assert description in page
    assert 'href="/organisations/glossary/"' in client.get(reverse("incidents:list")).content.decode()


def test_roles_are_defined_by_the_one_description_an_admin_reads() -> None:
    roles = {term.key: term.definition for term in glossary(None) if term.key.startswith("role_")}
    assert roles == {f"role_{role.value}": text for role, text in ROLE_DESCRIPTIONS.items()}


def test_role_titles_show_plain_names_and_the_invite_form_says_what_each_role_does(client, people: People) -> None:
    client.force_login(people.admin)
    school = people.cast.school_a
    detail = client.get(reverse("organisations:detail", args=[school.uuid])).content.decode()
    key = '<dt class="govuk-summary-list__key">'
    for code in ("Incidentmanager", "Siro", "Dpo"):
        assert f"{key}{code}<" not in detail
    assert f"{key}Senior Information Risk Owner<" in detail and f"{key}Data Protection Officer<" in detail
    invite = client.get(reverse("organisations:invite", args=[school.uuid])).content.decode()
    for text in ROLE_DESCRIPTIONS.values():
        assert text.replace("'", "&#x27;") in invite


@pytest.mark.django_db
def test_the_breach_result_explains_enisa_severity(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="A class list went to the wrong parent.")
    assessment = Assessment.record_assessment(
        incident=incident, facts=Facts.from_dict({"data_categories": ["basic_identifiers"]}), by=cast.alice
    )
    client.force_login(cast.alice)
    page = client.get(reverse("breaches:version", args=[incident.uuid, assessment.version])).content.decode()
    assert "What is ENISA severity?" in page
    assert BY_KEY["enisa"].definition.replace("'", "&#x27;") in page
