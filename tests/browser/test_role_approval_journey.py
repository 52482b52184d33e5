"""An admin asks for a new DPO; the county DPO approves it from the page the notification links to."""

import pytest
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def school(transactional_db: None) -> Organisation:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    for email, org, role in [("admin@example.org", school, Role.ADMIN), ("dpo@example.org", county, Role.DPO)]:
        Membership.objects.create(
            user=UserFactory(email=email, full_name=email.split("@")[0].title()), organisation=org, role=role
        )
    return school


def test_a_new_dpo_waits_for_the_county_dpo_to_approve(page: Page, site: str, school: Organisation) -> None:
    sign_in(page, site, "admin@example.org")
    page.goto(f"{site}/organisations/{school.uuid}/invite/")
    assert_accessible(page)
    page.get_by_label("Email address").fill("new.dpo@example.org")
    page.get_by_label("Data Protection Officer").check()
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("once someone else who is Data Protection Officer approves")).to_be_visible()
    expect(page.get_by_text("Waiting for someone else to approve")).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()

    sign_in(page, site, "dpo@example.org")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    expect(page.get_by_text("new.dpo@example.org is waiting to be made Data Protection Officer")).to_be_visible()
    page.goto(f"{site}/organisations/approvals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roles waiting for your approval")
    assert_accessible(page)
    page.get_by_role("button", name="Approve new.dpo@example.org").click()
    expect(page.get_by_text("is now Data Protection Officer at Appleby Primary School")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your approval.")).to_be_visible()
    assert Membership.objects.filter(user__email="new.dpo@example.org", organisation=school, role=Role.DPO).exists()
