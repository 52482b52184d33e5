"""The keys that sign the record, kept in a file outside the database (RECORD_KEYS_FILE).

The file is JSON: `{"current": "<key id>", "keys": {"<key id>": "<32 random bytes, base64>"}}`,
mode 0600. Each event stores the id of the key its HMAC was made with, so rotating
(`manage.py rotate_record_key`) adds a key and makes it current without invalidating the
events signed with older ones. Someone who can write to the database but cannot read this
file cannot recompute an event's HMAC, so cannot rewrite the chain unnoticed.

Development and tests make the file on first use; production refuses to (the operator makes
it once with `rotate_record_key` and keeps it outside the database's folder, VAR_DIR).
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]

    def sign(self, key_id: str, message: bytes) -> str:
        """HMAC-SHA256 of `message` with key `key_id`, hex. KeyError for an unknown key."""
        return hmac.new(self.keys[key_id], message, hashlib.sha256).hexdigest()


_cache: dict[str, tuple[tuple[int, int], KeyRing]] = {}


def keys_path() -> Path:
    return Path(settings.RECORD_KEYS_FILE)


def new_key_id() -> str:
    return f"k{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def _encode(ring: KeyRing) -> str:
    return json.dumps(
        {"current": ring.current, "keys": {kid: base64.b64encode(key).decode() for kid, key in ring.keys.items()}},
        indent=2,
        sort_keys=True,
    )


def parse(text: str) -> KeyRing:
    data = json.loads(text)
    keys = {str(kid): base64.b64decode(value) for kid, value in data["keys"].items()}
    if data["current"] not in keys or any(len(key) < 32 for key in keys.values()):
        raise ImproperlyConfigured("A keys file is damaged: its current key is missing or a key is short.")
    return KeyRing(current=str(data["current"]), keys=keys)


def _write(path: Path, ring: KeyRing, *, replace: bool) -> bool:
    """Write the file atomically with mode 0600. Without `replace`, never overwrite: False if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".record-keys-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(_encode(ring))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        if replace:
            os.replace(temporary, path)
            return True
        try:
            # link() fails if the file exists: two processes making it at once agree on one.
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def load(path: Path | None = None, *, command: str = "rotate_record_key") -> KeyRing:
    """The key ring in `path` (the record's by default), re-read when the file changes (a rotation
    by another process). The content keys (audit/sealing.py) are a ring of the same shape.
    """
    path = path or keys_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                f"The keys file {path} does not exist. Create it with: python manage.py {command}"
            ) from None
        kid = new_key_id()
        _write(path, KeyRing(current=kid, keys={kid: secrets.token_bytes(32)}), replace=False)
        stat = path.stat()
    signature = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == signature:
        return cached[1]
    ring = parse(path.read_text(encoding="utf-8"))
    _cache[str(path)] = (signature, ring)
    return ring


def rotate(path: Path | None = None) -> tuple[str, str | None]:
    """Add a new key and make it current; older keys stay to check older events.

    Makes the file if there is none. Returns (new key id, previous key id or None).
    """
    path = path or keys_path()
    previous: KeyRing | None = parse(path.read_text(encoding="utf-8")) if path.exists() else None
    kid = new_key_id()
    keys = dict(previous.keys) if previous else {}
    keys[kid] = secrets.token_bytes(32)
    _write(path, KeyRing(current=kid, keys=keys), replace=True)
    _cache.pop(str(path), None)
    return kid, previous.current if previous else None


def merge(other: KeyRing, path: Path | None = None) -> int:
    """Add `other`'s keys to the file (a restore); never drops or changes a key. Returns keys added."""
    path = path or keys_path()
    if not path.exists():
        _write(path, other, replace=True)
        _cache.pop(str(path), None)
        return len(other.keys)
    mine = parse(path.read_text(encoding="utf-8"))
    clash = [kid for kid in other.keys if kid in mine.keys and mine.keys[kid] != other.keys[kid]]
    if clash:
        raise ImproperlyConfigured(f"Key ids {clash} have different secrets here and in the backup.")
    added = {kid: key for kid, key in other.keys.items() if kid not in mine.keys}
    if added:
        _write(path, KeyRing(current=mine.current, keys=mine.keys | added), replace=True)
        _cache.pop(str(path), None)
    return len(added)


def retire(ids: set[str], path: Path | None = None) -> list[str]:
    """Remove keys `ids` from the file (never the current one). Returns the ids removed."""
    path = path or keys_path()
    mine = parse(path.read_text(encoding="utf-8"))
    gone = sorted(kid for kid in ids if kid in mine.keys and kid != mine.current)
    if gone:
        kept = {kid: key for kid, key in mine.keys.items() if kid not in gone}
        _write(path, KeyRing(current=mine.current, keys=kept), replace=True)
        _cache.pop(str(path), None)
    return gone
