"""An admin adds a webhook, copies its secret, reads its delivery log, pauses and removes it."""

import re

import pytest
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation, Role
from webhooks import delivery
from webhooks.models import Subscription

from ..factories import OrganisationFactory, UserFactory, reported_incident
from ..test_webhooks import Receiver
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser


def test_admin_adds_reads_pauses_and_removes_a_webhook(page: Page, site: str, transactional_db: None) -> None:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=school, role=Role.ADMIN)
    receiver = Receiver()
    try:
        sign_in(page, site, "admin@example.org")
        page.goto(f"{site}/organisations/{school.uuid}/")
        page.get_by_role("link", name="See and add webhooks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        assert_accessible(page)
        page.get_by_role("link", name="Add a webhook").click()
        page.get_by_role("button", name="Add the webhook").click()  # empty: the errors are shown
        expect(page.get_by_role("alert")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Name").fill("IT service desk")
        page.get_by_label("Address").fill(receiver.url)
        page.get_by_label("Microsoft Teams (incoming webhook, Adaptive Card)").check()
        page.get_by_label("An incident is reported").check()
        page.get_by_role("button", name="Add the webhook").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The webhook “IT service desk” is added")
        expect(page.get_by_label("Signing secret")).to_have_value(re.compile(r"^whsec_"))
        assert_accessible(page)
        page.get_by_role("link", name="I have copied it").click()
        incident = reported_incident(school, None)
        delivery.deliver()
        page.reload()
        expect(page.get_by_role("cell", name=incident.reference).first).to_be_visible()
        expect(page.get_by_role("cell", name="204")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Pause").click()
        expect(page.get_by_text("is paused")).to_be_visible()
        page.get_by_role("link", name="Remove").click()
        assert_accessible(page)
        page.get_by_role("button", name="Remove the webhook").click()
        expect(page.get_by_text("There are no webhooks here yet.")).to_be_visible()
    finally:
        receiver.close()
    assert not Subscription.objects.exists()
