"""A confidential report in a real browser: the handler sees "Confidential reporter", asks
the DPO with a reason, the DPO grants, the handler looks; axe on every page."""

import pytest
from playwright.sync_api import Page, expect

from audit.models import Event
from incidents.models import Incident
from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory
from .axe import assert_accessible
from .test_reporting_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    result = {}
    for key, name, org, role in [
        ("staff", "Sally Staff", school, Role.REPORTER),
        ("manager", "Mina Manager", school, Role.INCIDENT_MANAGER),
        ("dpo", "Dora Dpo", county, Role.DPO),
    ]:
        result[key] = UserFactory(email=f"{key}@example.org", full_name=name)
        Membership.objects.create(user=result[key], organisation=org, role=role)
    return result


def test_confidential_reporter_named_only_after_the_dpo_grants(page: Page, site: str, people) -> None:
    sign_in(page, site, "staff@example.org")
    page.get_by_label("What happened?").fill("The head of year shares their password with the office.")
    page.get_by_label("Keep my name confidential").check()
    assert_accessible(page)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    incident = Incident.objects.get()
    assert incident.reporter_confidential and incident.reported_by == people["staff"]
    sign_out(page)

    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    expect(page.get_by_role("heading", name="Confidential reporter")).to_be_visible()
    expect(page.get_by_text("Sally Staff")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Ask the DPO who reported this").fill("I need to ask them which office PC it was.")
    page.get_by_role("button", name="Ask the DPO").click()
    expect(page.get_by_text("Your request has been sent to the DPO.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, site, "dpo@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    expect(page.get_by_test_id("confidential-name")).to_have_text("Sally Staff")
    expect(page.get_by_text("I need to ask them which office PC it was.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Grant for 30 days").click()
    expect(page.get_by_text("Your decision is recorded.")).to_be_visible()
    sign_out(page)

    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/incidents/{incident.uuid}/")
    expect(page.get_by_text("Sally Staff")).to_have_count(0)
    page.get_by_role("button", name="Show who reported this").click()
    expect(page.get_by_test_id("revealed-name")).to_have_text("Sally Staff")
    assert_accessible(page)
    actions = set(Event.objects.filter(record_id=str(incident.pk)).values_list("action", flat=True))
    assert {"identity.requested", "identity.granted", "identity.revealed"} <= actions
