"""Notifications, preferences, timescales and an incident's deadlines in a real browser, with axe-core."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from deadlines.scan import scan
from incidents.models import report_incident
from organisations.models import Membership, Organisation, Role

from ..factories import OrganisationFactory, UserFactory
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def overdue(transactional_db: None) -> dict:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    people = {}
    for key, role in [("siro", Role.SIRO), ("admin", Role.ADMIN), ("manager", Role.INCIDENT_MANAGER)]:
        people[key] = UserFactory(email=f"{key}@example.org")
        Membership.objects.create(user=people[key], organisation=school, role=role)
    with transaction.atomic():
        incident, _ = report_incident(
            organisation=school,
            reported_by=None,
            submission_key=None,
            fields={"description": "Lost a register"},
            reported_on=timezone.now() - timedelta(days=10),
        )
    scan()
    return {"incident": incident, "school": school}


def test_siro_sees_the_escalation_and_chooses_a_digest(page: Page, site: str, overdue: dict) -> None:
    sign_in(page, site, "siro@example.org")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_text(f"Overdue: Triage for {overdue['incident'].reference}")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("You have no unread notifications.")).to_be_visible()
    page.get_by_role("link", name="Choose how you get notifications").click()
    assert_accessible(page)
    page.get_by_role("group", name="A new incident is reported where you handle incidents").get_by_label(
        "One email a day with all of them"
    ).check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()


def test_incident_shows_its_deadlines_and_escalation(page: Page, site: str, overdue: dict) -> None:
    sign_in(page, site, "siro@example.org")
    page.goto(f"{site}/incidents/{overdue['incident'].uuid}/")
    expect(page.get_by_role("heading", name="Deadlines")).to_be_visible()
    expect(page.get_by_text("Escalated: not triaged in time")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/incidents/")
    expect(page.get_by_role("cell", name="Triage: overdue by")).to_be_visible()
    assert_accessible(page)


def test_admin_edits_timescales(page: Page, site: str, overdue: dict) -> None:
    sign_in(page, site, "admin@example.org")
    page.goto(f"{site}/notifications/")
    page.get_by_role("link", name="Timescales for Appleby Primary School").click()
    assert_accessible(page)
    page.get_by_label("Triage within (working days)").fill("2")
    page.get_by_role("button", name="Save timescales").click()
    expect(page.get_by_text("Timescales for Appleby Primary School are saved.")).to_be_visible()
    expect(
        page.get_by_role("row", name="Triage within (working days) 2 working days This organisation")
    ).to_be_visible()
    page.goto(f"{site}/notifications/organisations/{overdue['school'].uuid}/informed-parties/")
    assert_accessible(page)
    page.goto(f"{site}/notifications/")
    page.get_by_role("link", name="Emails that could not be sent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails that could not be sent")
    assert_accessible(page)
