"""Rate limits of the public pages (issue 12, finding 5).

Counts were kept for ever under HMAC(key from SECRET_KEY, day | address): anyone with the
key could match a row to an address. `cache.incr` on the database cache re-set the row's
expiry, so a window could end early. Now each window has a random salt deleted with it.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from anonymous import ratelimit
from anonymous.keys import client_key
from anonymous.models import RateLimitCount, RateLimitWindow
from anonymous.tasks import purge_rate_limits

LIMIT = ratelimit.Limit("test", 3, 600)
START = 1_796_342_400  # a window boundary: 2026-12-04 00:00 UTC, a multiple of 600


def at(seconds: float) -> float:
    return START + seconds


@pytest.mark.asvs("V14.2.4")
def test_a_stored_count_cannot_be_matched_to_an_address_even_with_the_secret_key(db) -> None:
    address = "203.0.113.5"
    client = client_key(address)
    assert ratelimit.hit(LIMIT, client, at=at(1))
    row = RateLimitCount.objects.get()
    assert address not in row.key and client not in row.key
    # The old scheme's key, and the client key hashed with any SECRET_KEY-derived key, match nothing:
    # the only key that does is the window's random salt.
    assert not RateLimitCount.objects.filter(key__in=[client, client[:32]]).exists()
    salt = bytes(row.window.salt)
    assert row.key == hmac.new(salt, client.encode(), hashlib.sha256).hexdigest()
    # Once the window has ended, the purge deletes the salt with the counts.
    assert ratelimit.purge(datetime.fromtimestamp(at(599), tz=UTC)) == 0  # the window is still open
    assert purge_rate_limits.call() == 1  # the periodic job, now that it has ended
    assert not RateLimitWindow.objects.exists() and not RateLimitCount.objects.exists()


@pytest.mark.asvs("V2.4.1")
def test_counting_never_moves_the_end_of_a_window(db) -> None:
    client = client_key("203.0.113.5")
    assert all(ratelimit.hit(LIMIT, client, at=at(s)) for s in (1, 200, 400))
    window = RateLimitWindow.objects.get()
    assert window.expires_on == datetime.fromtimestamp(START + 600, tz=UTC)
    assert not ratelimit.hit(LIMIT, client, at=at(599))  # the fourth in the window: refused
    assert RateLimitWindow.objects.get().expires_on == window.expires_on  # counting did not extend it
    assert RateLimitCount.objects.get().used == 4
    assert ratelimit.hit(LIMIT, client, at=at(600))  # a new window, a new salt
    windows = list(RateLimitWindow.objects.order_by("number"))
    assert len(windows) == 2 and bytes(windows[0].salt) != bytes(windows[1].salt)


def test_each_client_has_its_own_count(db) -> None:
    one, other = client_key("203.0.113.5"), client_key("203.0.113.6")
    for _ in range(3):
        assert ratelimit.hit(LIMIT, one, at=at(1))
    assert not ratelimit.hit(LIMIT, one, at=at(2))
    assert ratelimit.hit(LIMIT, other, at=at(2))


def test_the_purge_keeps_open_windows(db) -> None:
    ratelimit.hit(LIMIT, "a", at=at(1))
    ratelimit.hit(LIMIT, "a", at=at(601))
    assert ratelimit.purge(datetime.fromtimestamp(at(700), tz=UTC)) == 1
    assert RateLimitWindow.objects.get().number == (START + 600) // 600


def test_the_public_page_is_limited_through_the_salted_counts(client, db, monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "RECEIPT_LOOKUP", ratelimit.Limit("receipt", 1, 600))
    url = reverse("anonymous:receipt")
    assert client.post(url, {"receipt": "1"}, REMOTE_ADDR="203.0.113.1").status_code == 200
    assert client.post(url, {"receipt": "1"}, REMOTE_ADDR="203.0.113.1").status_code == 429
    count = RateLimitCount.objects.get()
    assert count.used == 2 and count.window.expires_on > datetime.now(tz=UTC) - timedelta(seconds=1)
