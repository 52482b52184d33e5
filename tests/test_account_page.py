"""The account page ("Daily work"): a person's name, email, password, two-step verification and
notification settings in one place in the house style, reached from the header."""

from django.urls import reverse

from .conftest import Cast


def test_the_account_page_is_reached_from_the_header_and_saves_the_name(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    home = client.get(reverse("account")).content.decode()
    assert f'href="{reverse("account")}">{cast.bob.email}' in home
    for link in ("account_email", "account_change_password", "mfa_index", "notifications:preferences"):
        assert f'href="{reverse(link)}"' in home, link
    response = client.post(reverse("account"), {"full_name": "Robert Reporter"})
    assert response.status_code == 302
    cast.bob.refresh_from_db()
    assert cast.bob.full_name == "Robert Reporter"
    empty = client.post(reverse("account"), {"full_name": ""}).content.decode()
    assert "Enter your name" in empty


def test_the_email_page_is_in_the_house_style_and_offers_no_remove_for_the_only_address(client, cast: Cast) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=cast.bob, email=cast.bob.email, primary=True, verified=True)
    client.force_login(cast.bob)
    page = client.get(reverse("account_email")).content.decode()
    assert "Your email address" in page and "Email Addresses" not in page
    assert "Remove" not in page and cast.bob.email in page
    EmailAddress.objects.create(user=cast.bob, email="bob.other@example.org", primary=False, verified=True)
    page = client.get(reverse("account_email")).content.decode()
    assert "Remove this address" in page
