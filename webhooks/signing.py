"""A subscription's signing secret: made once, shown once, kept encrypted, used to sign.

The secret is a Standard Webhooks secret ("whsec_" and 32 random bytes in base64). Signing
needs the secret itself (an HMAC), so it cannot be stored hashed like a password; it is
sealed like every secret the product keeps to use again (`lib.sealed`, a key outside the
database): a copy of the database alone does not give anyone the power to sign (decision 0033).
"""

import base64
import json
import secrets
from datetime import datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def headers(secret: str, message_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for `body` sent now as message `message_id`."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def dumps(payload: object) -> str:
    """The one way a body is written: compact, keys in order, UTF-8 kept (signed as sent)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
