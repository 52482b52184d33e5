"""Fixtures for browser tests: a real headless Chromium driven by Playwright.

Tests opt in by asking for `page` (and `site` for the live server's URL); nothing
here is autouse. Chromium is Debian's, not Playwright's own download: run
scripts/ensure-chromium to install or check it, or point CHROMIUM_PATH at one.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test's thread, so Django
# sees a running loop and raises SynchronousOnlyOperation for ORM calls made in the
# test body (factories, assertions on the database). Our tests are plain sync code
# that merely shares the thread with that loop, so the check does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No internet here: without these Chromium keeps trying to phone home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Chromium")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"Browser tests need Chromium, and there is none at {path}. "
            "Run scripts/ensure-chromium (installs Debian's chromium when root), "
            "or `sudo apt-get install chromium`, or set CHROMIUM_PATH.",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        pytest.fail(
            f"Chromium at {path} would not start ({exc}). Check it with scripts/ensure-chromium.",
            pytrace=False,
        )
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh page in its own context (no shared cookies) for each test."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site(live_server):
    """The live server's base URL, e.g. "http://localhost:41234" (no trailing slash)."""
    return live_server.url
