import pytest

from .axe import assert_accessible

pytestmark = pytest.mark.browser


def test_sign_in_page_loads_and_is_accessible(page, site):
    response = page.goto(f"{site}/accounts/login/")

    assert response.status == 200
    # allauth's own template titles the page "Sign In"; once the app's base template
    # wraps it, tighten this to: assert "Incident Desk" in page.title()
    assert page.title().strip()
    assert page.locator("h1").count() >= 1
    assert_accessible(page)
