"""Secrets the product must keep and use again, sealed at rest: organisations' identity-provider
client secrets and webhooks' signing secrets (neither can be hashed: each is used as it is).

Fernet (AES-128-CBC with HMAC-SHA256) with one key kept in `settings.SECRETS_KEY_FILE`,
outside the database, so a copy of the database alone gives no secret away.
Development and tests make the key file on first use; production names it.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings


def _key() -> bytes:
    path = Path(settings.SECRETS_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made a moment ago by another process
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(Fernet.generate_key())
    return path.read_bytes().strip()


def seal(secret: str) -> str:
    return Fernet(_key()).encrypt(secret.encode()).decode() if secret else ""


def unseal(token: str) -> str:
    return Fernet(_key()).decrypt(token.encode()).decode() if token else ""
