import pytest

from .axe import assert_accessible

pytestmark = pytest.mark.browser


def test_sign_in_page_loads_and_is_accessible(page, site):
    response = page.goto(f"{site}/accounts/login/")

    assert response.status == 200
    assert "Incident Desk" in page.title()
    assert page.locator("h1").inner_text() == "Sign in to Incident Desk"
    assert "Sign up" not in page.content()
    assert_accessible(page)
