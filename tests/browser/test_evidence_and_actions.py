"""Evidence and remedial actions in a real browser, with axe-core on every page visited."""

import hashlib

import pytest
from playwright.sync_api import Page, expect

from actions.models import RemedialAction
from evidence.models import Evidence
from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory, reported_incident
from ..test_contract import PNG
from .axe import assert_accessible
from .test_reporting_journey import sign_in, sign_out, via_menu

pytestmark = pytest.mark.browser


@pytest.fixture
def school(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    manager = UserFactory(email="manager@example.org", full_name="Mina Manager")
    staff = UserFactory(email="staff@example.org", full_name="Sam Staff")
    Membership.objects.create(user=manager, organisation=school, role=Role.INCIDENT_MANAGER)
    Membership.objects.create(user=staff, organisation=school, role=Role.REPORTER)
    incident = reported_incident(school, staff, description="The Year 5 class list went to a parent.")
    return {"incident": incident}


def test_manager_adds_evidence_and_an_action_and_the_owner_marks_it_done(page: Page, site: str, school) -> None:
    incident = school["incident"]
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    expect(page.get_by_role("heading", name="Evidence", level=2)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    assert_accessible(page)
    page.get_by_role("button", name="Add evidence").click()  # nothing chosen: an accessible error
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("File").set_input_files({"name": "sent-email.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_label("What it is and how it was obtained").fill("Screenshot of the sent email")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("Added sent-email.png.")).to_be_visible()
    digest = hashlib.sha256(PNG).hexdigest()
    expect(page.get_by_test_id("sha256")).to_have_text(digest)
    assert Evidence.objects.get().sha256 == digest
    page.get_by_text("Custody log").click()
    expect(page.get_by_text("Evidence added by Mina Manager")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a remedial action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a remedial action")
    assert_accessible(page)
    page.get_by_label("What needs to be done").fill("Turn on delayed sending for the office mailbox")
    page.get_by_label("Who will do it").select_option(label="Sam Staff (staff@example.org)")
    page.get_by_label("Due by").fill("2020-01-31")
    page.get_by_label("The investigation").check()
    page.get_by_label("Change-management reference").fill("CHG-1042")
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("link", name="Turn on delayed sending for the office mailbox")).to_be_visible()
    expect(page.get_by_role("cell", name="Overdue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions")
    expect(page.get_by_role("link", name="Turn on delayed sending for the office mailbox")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, site, "staff@example.org")
    via_menu(page, "My actions")
    assert_accessible(page)
    page.get_by_role("link", name="Turn on delayed sending for the office mailbox").click()
    expect(page.get_by_role("link", name="Mark as done")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Mark as done").click()
    assert_accessible(page)
    page.get_by_label("What was done (optional)").fill("Delay of one minute set on 3 March.")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-tag", has_text="Done")).to_be_visible()
    assert_accessible(page)
    assert RemedialAction.objects.get().status == RemedialAction.Status.DONE
