"""Keys and keyed hashes for anonymous reporting.

Receipts: 40 random digits (log2(10^40) ≈ 132.9 bits) shown in 8 groups of 5. Only
HMAC-SHA256(key derived from SECRET_KEY, digits) is stored. Rotating SECRET_KEY makes
existing receipts unusable.

Client keys for rate limits: HMAC of the day and the network address, held in memory for
one request and never stored: `anonymous.ratelimit` stores a count only under HMAC(random
salt of the window, client key), and deletes the salt when the window ends.
"""

import hashlib
import hmac
import secrets
from datetime import date

from django.conf import settings
from django.utils.crypto import salted_hmac

RECEIPT_DIGITS = 40
RECEIPT_GROUP = 5


def _key(purpose: str) -> bytes:
    # Derived, not the SECRET_KEY itself: a leak of one purpose's key does not give the others.
    return salted_hmac(f"incidentdesk.anonymous.{purpose}", "key", algorithm="sha256").digest()


def new_receipt() -> str:
    """A fresh receipt: 40 digits, uniformly random."""
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def format_receipt(digits: str) -> str:
    return " ".join(digits[i : i + RECEIPT_GROUP] for i in range(0, len(digits), RECEIPT_GROUP))


def normalise_receipt(text: str) -> str:
    """What the reporter typed, reduced to its digits (spaces, dashes and the like dropped).

    Anything at all comes back as a string to hash: a malformed receipt is hashed and
    looked up like a well-formed one, so both take the same path.
    """
    return "".join(ch for ch in (text or "")[:200] if ch.isdigit() and ch.isascii())


def receipt_digest(digits: str) -> str:
    return hmac.new(_key("receipt"), digits.encode(), hashlib.sha256).hexdigest()


def client_key(address: str, today: date | None = None) -> str:
    """A keyed, daily-changing stand-in for a network address, for rate limits only."""
    day = (today or date.today()).isoformat()
    return hmac.new(_key("client"), f"{day}|{address}".encode(), hashlib.sha256).hexdigest()[:32]


def token_salt(purpose: str) -> str:
    return f"incidentdesk.anonymous.token.{purpose}"


def secret_key_configured() -> bool:
    return bool(settings.SECRET_KEY)
