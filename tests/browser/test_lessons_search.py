"""Issue 18's journey: a lesson from a closed incident is found by searching a word of it."""

import pytest
from playwright.sync_api import Page, expect

from incidents import lifecycle
from incidents.models import IncidentType
from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory, reported_incident
from ..lifecycle_states import classification, settle
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser

LESSON = "Keep the minibus register in the locked glovebox, never on the dashboard."


@pytest.fixture
def closed_incident(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    manager = UserFactory(email="manager@example.org", full_name="Mina Manager")
    officer = UserFactory(email="officer@example.org", full_name="Ian Officer")
    staff = UserFactory(email="staff@example.org", full_name="Sam Staff")
    Membership.objects.create(user=manager, organisation=school, role=Role.INCIDENT_MANAGER)
    Membership.objects.create(user=officer, organisation=school, role=Role.INVESTIGATOR)
    Membership.objects.create(user=staff, organisation=school, role=Role.REPORTER)
    kind = IncidentType.objects.create(organisation=school, name="Paper records lost on a trip")
    incident = reported_incident(school, staff, description="The trip register was left on the coach.")
    lifecycle.triage(incident, by=manager, investigator=officer, **classification("minor", incident_type=kind))
    lifecycle.start_investigation(incident, by=officer)
    settle(incident, manager)
    lifecycle.save_outcome_draft(
        incident,
        by=officer,
        sections={
            "summary": "The register was found by the driver.",
            "root_cause": "No agreed place for it.",
            "containment_and_recovery": "Returned the same day.",
            "lessons_learned": LESSON,
        },
    )
    lifecycle.submit_outcome(incident, by=officer)
    lifecycle.review_outcome(incident, by=manager, accept=True)
    lifecycle.close(incident, by=manager)
    return {"incident": incident}


def test_a_lesson_from_a_closed_incident_is_found_by_searching_a_word_of_it(
    page: Page, site: str, closed_incident: dict
) -> None:
    incident = closed_incident["incident"]
    sign_in(page, site, "manager@example.org")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Incidents", exact=True).click()
    page.get_by_role("link", name="Search", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    assert_accessible(page)
    page.get_by_label("Search for").fill("glovebox")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("link", name=f"Lesson from {incident.reference}")
    expect(result).to_be_visible()
    expect(page.get_by_text(LESSON)).to_be_visible()
    assert_accessible(page)
    result.click()
    expect(page.get_by_text(LESSON)).to_be_visible()

    page.goto(f"{site}/learning/lessons/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lessons learned")
    page.get_by_label("Search the lessons").fill("minibus")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text(LESSON)).to_be_visible()
    assert_accessible(page)
