"""Throttling failed sign-ins (accounts/throttle.py): per account, per address, shared by every
process, and never locking out the people who already sign in on their own browsers."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .conftest import PASSWORD, Cast
from .factories import UserFactory
from .mfa import add_totp, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SCHOOL_NAT = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
TOO_MANY = b"Too many failed login attempts"


def attempt(client: Client, email: str, password: str) -> bool:
    """One sign-in attempt; True if the password was accepted (signed in, or asked for a code)."""
    response = client.post(LOGIN, {"login": email, "password": password})
    return response.status_code == 302


def refused_as_too_many(client: Client, email: str) -> bool:
    response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    return response.status_code == 200 and TOO_MANY in response.content


@pytest.mark.asvs("V6.3.1")
def test_five_wrong_passwords_lock_the_account_for_five_minutes_from_anywhere(cast: Cast, time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    attacker = Client(REMOTE_ADDR=ELSEWHERE)
    for _ in range(5):
        assert not attempt(attacker, "bob@example.org", "wrong password")
    assert refused_as_too_many(attacker, "bob@example.org")
    # A new browser somewhere else is refused too: the count is the account's.
    assert refused_as_too_many(Client(REMOTE_ADDR=SCHOOL_NAT), "bob@example.org")
    # Another account is not affected.
    assert attempt(Client(REMOTE_ADDR=ELSEWHERE), "alice@example.org", PASSWORD)
    time_machine.shift(301)
    assert attempt(Client(REMOTE_ADDR=SCHOOL_NAT), "bob@example.org", PASSWORD)


@pytest.mark.asvs("V6.3.1")
def test_password_spraying_from_one_address_is_stopped(cast: Cast) -> None:
    limit = int(settings.SIGNIN_FAILURES_PER_ADDRESS.split("/")[0])
    for n in range(limit):
        UserFactory(email=f"staff{n}@example.org")
    sprayer = Client(REMOTE_ADDR=SCHOOL_NAT)
    for n in range(limit):
        assert not attempt(sprayer, f"staff{n}@example.org", "Summer2026!")
    # The next guess from that address is refused without trying the password.
    assert refused_as_too_many(sprayer, "bob@example.org")
    # The same accounts from another address are not locked (each had one failure).
    assert attempt(Client(REMOTE_ADDR=ELSEWHERE), "bob@example.org", PASSWORD)


@pytest.mark.asvs("V6.3.1")
def test_a_spray_behind_the_school_nat_never_locks_out_staff_on_their_own_browsers(cast: Cast) -> None:
    """The address limit stops the sprayer; people on browsers they signed in on before carry on."""
    bobs_browser = Client(REMOTE_ADDR=SCHOOL_NAT)
    assert attempt(bobs_browser, "bob@example.org", PASSWORD)
    assert settings.SIGNIN_DEVICE_COOKIE_NAME in bobs_browser.cookies
    bobs_browser.post(reverse("account_logout"))

    limit = int(settings.SIGNIN_FAILURES_PER_ADDRESS.split("/")[0])
    sprayer = Client(REMOTE_ADDR=SCHOOL_NAT)
    for n in range(limit + 5):
        sprayer.post(LOGIN, {"login": f"guess{n}@example.org", "password": "Summer2026!"})
    assert refused_as_too_many(sprayer, "carol@example.org")
    # Bob, same address, his own browser: in.
    assert attempt(bobs_browser, "bob@example.org", PASSWORD)
    # The device cookie names no one and cannot be forged or moved to another account.
    cookie = bobs_browser.cookies[settings.SIGNIN_DEVICE_COOKIE_NAME].value
    assert "bob" not in cookie
    forged = Client(REMOTE_ADDR=SCHOOL_NAT)
    forged.cookies[settings.SIGNIN_DEVICE_COOKIE_NAME] = cookie[:-4] + "AAAA"
    assert refused_as_too_many(forged, "bob@example.org")
    carols_try = Client(REMOTE_ADDR=SCHOOL_NAT)
    carols_try.cookies[settings.SIGNIN_DEVICE_COOKIE_NAME] = cookie
    assert refused_as_too_many(carols_try, "carol@example.org")


@pytest.mark.asvs("V6.3.1")
def test_an_attacker_cannot_lock_a_person_out_of_their_own_browser(cast: Cast) -> None:
    bobs_browser = Client(REMOTE_ADDR=SCHOOL_NAT)
    assert attempt(bobs_browser, "bob@example.org", PASSWORD)
    bobs_browser.post(reverse("account_logout"))
    attacker = Client(REMOTE_ADDR=ELSEWHERE)
    for _ in range(6):
        attacker.post(LOGIN, {"login": "bob@example.org", "password": "wrong password"})
    assert refused_as_too_many(attacker, "bob@example.org")
    assert attempt(bobs_browser, "bob@example.org", PASSWORD)
    # Guessing on Bob's own browser has its own limit of five.
    bobs_browser.post(reverse("account_logout"))
    for _ in range(5):
        assert not attempt(bobs_browser, "bob@example.org", "wrong password")
    assert refused_as_too_many(bobs_browser, "bob@example.org")


@pytest.mark.asvs("V6.3.1")
def test_wrong_security_codes_are_throttled_too(cast: Cast) -> None:
    add_totp(cast.alice)
    client = Client(REMOTE_ADDR=ELSEWHERE)
    assert attempt(client, "alice@example.org", PASSWORD)
    wrong = "000000" if totp_code() != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 200 and TOO_MANY in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.asvs("V6.3.1")
def test_the_counts_are_in_a_database_table_every_process_shares(cast: Cast) -> None:
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    attacker = Client(REMOTE_ADDR=ELSEWHERE)
    for _ in range(5):
        attempt(attacker, "bob@example.org", "wrong password")
    table = settings.CACHES["default"]["LOCATION"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 (a setting, not input)
        keys = [row[0] for row in cursor.fetchall()]
    assert any(":accounts:login_failed:" in key for key in keys)
    assert not any("bob@example.org" in key or ELSEWHERE in key for key in keys)
    # Another process starts with nothing in memory: it reads the same rows.
    cache.close()
    assert refused_as_too_many(Client(REMOTE_ADDR=SCHOOL_NAT), "bob@example.org")
