"""Each role's home, from sign-in, on the demo data: 1280 and 320 px wide, axe-core clean, no
sideways scrolling, at most six top navigation items, and the day's work one click away.

UPDATE_SCREENSHOTS=1 writes docs/screenshots/home-<role>.png (1280 px) for the docs.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from demo import load as demo

from .axe import assert_accessible
from .test_reporting_journey import sign_in as shared_sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# (role, demo person, a link their home must offer)
PEOPLE = [
    ("reporter", "teacher@brookside.example.org", None),
    ("incident-manager", "sbm@brookside.example.org", None),
    ("investigator", "investigator@brookside.example.org", None),
    ("siro", "head@brookside.example.org", None),
    ("dpo", "dpo@example.org", None),
    ("governance-viewer", "governor@brookside.example.org", "Reports and trends"),
    ("admin", "admin@example.org", "Your organisation's settings"),
]


def sign_in(page: Page, site: str, email: str) -> None:
    shared_sign_in(page, site, email, password=demo.DEMO_PASSWORD)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px window"


def test_every_role_lands_on_their_home_and_reaches_their_work(page: Page, site: str, transactional_db) -> None:  # type: ignore[no-untyped-def]
    demo.load(incident_count=24)
    for role, email, link in PEOPLE:
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_in(page, site, email)
        if role == "reporter":  # a reporter's home is the report form, their reports beneath
            assert page.url.endswith(reverse("intake:report")), f"{role} landed on {page.url}"
            expect(page.get_by_role("heading", level=1)).to_have_text("Report an incident")
        else:
            assert page.url.rstrip("/") == site, f"{role} landed on {page.url}"
            expect(page.get_by_role("heading", level=1)).to_contain_text("what needs you now")
        top = page.get_by_role("navigation", name="Menu").locator(".govuk-service-navigation__link")
        texts = [t for t in top.all_inner_texts() if not t.startswith("Notifications")]
        assert len(texts) <= 6, f"{role}: {texts}"
        assert_accessible(page)
        if os.environ.get("UPDATE_SCREENSHOTS"):
            page.screenshot(path=str(SCREENSHOTS / f"home-{role}.png"), full_page=False)
        page.set_viewport_size({"width": 320, "height": 800})
        no_sideways_scroll(page)
        assert_accessible(page)
        page.set_viewport_size({"width": 1280, "height": 900})
        if link:
            expect(page.get_by_role("main").get_by_role("link", name=link).first).to_be_visible()
        # Everyone can start a report from their home (a start button: a link styled as a button).
        if role != "reporter":
            expect(page.get_by_role("main").get_by_role("button", name="Report an incident")).to_be_visible()
        work = page.locator("ol.app-home-list > li")
        if role in ("incident-manager", "dpo", "siro"):
            assert work.count() > 0, f"{role} has nothing to do on the demo data"
            # The first thing to do opens its page in one click.
            work.first.get_by_role("link").first.click()
            assert page.url != f"{site}/"
            page.go_back()
        page.get_by_role("button", name="Sign out").click()
        if page.get_by_role("button", name="Sign out").count():
            page.get_by_role("button", name="Sign out").click()
