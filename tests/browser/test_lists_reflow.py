"""Lists that tell, at 1280 and 320 px wide (WCAG 1.4.10 reflow): every incident list and the
monitoring log, opened on the demo data by the person whose list it is, never scrolls sideways
and axe-core finds no WCAG 2.2 A/AA violation on it.

At 320 px each table row stacks into a block led by its column headings (`app-table--stack`
in frontend/src/app.scss); the table stays a table for screen readers.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from demo import load as demo
from insights import log

from .axe import assert_accessible
from .test_home_journey import no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser

ALL_COLUMNS = "?" + "&".join(f"columns={c.key}" for c in log.SCREEN_COLUMNS)
# (demo person, their lists: (url name, query, a heading the page must show))
PEOPLE = [
    (
        "sbm@brookside.example.org",  # incident manager
        [
            ("incidents:queue", "", "Triage queue"),
            ("incidents:list", "", "Incidents"),
            ("home", "", "what needs you now"),
        ],
    ),
    ("investigator@brookside.example.org", [("incidents:mine", "", "Assigned to me")]),
    ("head@brookside.example.org", [("incidents:serious", "", "Major and critical incidents")]),
    (
        "dpo@example.org",
        [
            ("deadlines:ico_clocks", "", "Running ICO clocks"),
            ("insights:log", "", "Monitoring log"),
            ("insights:log", ALL_COLUMNS, "Monitoring log"),
            ("actions:list", "", "Actions"),
        ],
    ),
    ("teacher@brookside.example.org", [("intake:my_reports", "", "My reports")]),
]


def check(page: Page) -> None:
    no_sideways_scroll(page)
    assert_accessible(page)


def chromium_roles(page: Page) -> set[str]:
    """The roles in Chromium's own accessibility tree (what a screen reader is given)."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return {str(node.get("role", {}).get("value")) for node in nodes}


def test_every_list_reflows_at_320_and_passes_axe_at_both_widths(page: Page, site: str, transactional_db) -> None:  # type: ignore[no-untyped-def]
    demo.load(incident_count=24)
    rows_seen = 0
    for email, lists in PEOPLE:
        page.set_viewport_size({"width": 1280, "height": 900})
        sign_in(page, site, email)
        for name, query, heading in lists:
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(f"{site}{reverse(name)}{query}")
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            if name != "insights:log" or not query:  # every column of the log is wide by choice
                check(page)
            else:
                assert_accessible(page)
            page.set_viewport_size({"width": 320, "height": 800})
            check(page)
            stacked = page.locator("table.app-table--stack tbody tr").count()
            if stacked:
                # Stacked, and still a table to a screen reader: rows, cells and their column headings.
                assert {"table", "row", "cell", "columnheader"} <= chromium_roles(page), name
            rows_seen += stacked
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="Sign out").click()
    assert rows_seen > 20, "the demo's lists should have rows to reflow"


def test_the_log_s_column_chooser_works_without_javascript(page: Page, browser, site: str, transactional_db) -> None:  # type: ignore[no-untyped-def]
    demo.load(incident_count=12)
    sign_in(page, site, "dpo@example.org")
    page.goto(f"{site}{reverse('insights:log')}")
    # The sticky header: positioned by the stylesheet, not by any inline style.
    assert page.evaluate("getComputedStyle(document.querySelector('table thead th')).position") == "sticky"
    # The same person, signed in, in a browser with JavaScript turned off.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    try:
        plain.goto(f"{site}{reverse('insights:log')}")
        plain.get_by_text("Choose columns").click()  # <details> opens without script
        plain.get_by_label("Nature", exact=True).check()
        plain.get_by_label("Organisation", exact=True).uncheck()
        plain.get_by_role("button", name="Show these columns").click()
        head = plain.locator("table thead th")
        expect(head.filter(has_text="Nature")).to_have_count(1)
        expect(head.filter(has_text="Organisation")).to_have_count(0)
        expect(head.filter(has_text="What happened")).to_have_count(1)
        assert "columns=nature" in plain.url
    finally:
        context.close()
