"""Signed checkpoints of every chain head, kept outside the database.

A checkpoint lists, for each organisation, its chain's last position and hash at one
moment, signed with the record's current key (HMAC-SHA256). It is written to
RECORD_CHECKPOINT_FILE every 15 minutes (audit/tasks.py) and by `manage.py
checkpoint_record`, and a copy is emailed each morning to RECORD_CHECKPOINT_EMAILS.

`verify_events` compares the chains with it: a chain deleted whole, or a tail cut off and
its head row pointed back, no longer reaches the position and hash the checkpoint shows.
Someone who can also rewrite this file can go back only to an older checkpoint; the
emailed copies, out of their reach, show that too (`verify_events --checkpoint FILE`).
"""

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from . import keys
from .models import ChainHead, canonical_json

VERSION = 1


class CheckpointError(Exception):
    """The checkpoint file cannot be trusted (unreadable, wrong signature, unknown key)."""


@dataclass(frozen=True)
class Checkpoint:
    written_on: datetime
    key_id: str
    heads: dict[int, tuple[int, str]]

    def payload(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "written_on": self.written_on.astimezone(UTC).isoformat(timespec="seconds"),
            "key_id": self.key_id,
            "heads": {str(org): [seq, digest] for org, (seq, digest) in sorted(self.heads.items())},
        }

    def signed_text(self) -> str:
        payload = self.payload()
        payload["signature"] = keys.load().sign(self.key_id, canonical_json(self.payload()).encode())
        return json.dumps(payload, indent=1, sort_keys=True) + "\n"

    def describe(self) -> str:
        return f"{self.written_on.astimezone(UTC):%d %B %Y %H:%M} UTC"


def default_path() -> Path:
    return Path(settings.RECORD_CHECKPOINT_FILE)


def take() -> Checkpoint:
    """The heads of every chain now (committed rows only), under the current key."""
    heads = {head.organisation_id: (head.sequence, head.hash) for head in ChainHead.objects.filter(sequence__gt=0)}
    return Checkpoint(written_on=datetime.now(UTC), key_id=keys.load().current, heads=heads)


def write(path: Path | None = None) -> Checkpoint:
    """Take a checkpoint and replace the file with it atomically (mode 0600)."""
    path = path or default_path()
    checkpoint = take()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".record-checkpoint-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(checkpoint.signed_text())
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return checkpoint


def read(path: Path | None = None) -> Checkpoint | None:
    """The checkpoint in the file, its signature checked; None if there is no file."""
    path = path or default_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        signature = data.pop("signature")
        key_id = str(data["key_id"])
        written_on = datetime.fromisoformat(data["written_on"])
        heads = {int(org): (int(seq), str(digest)) for org, (seq, digest) in data["heads"].items()}
        if data.get("version") != VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"the checkpoint file {path} cannot be read ({exc})") from exc
    ring = keys.load()
    if key_id not in ring.keys:
        raise CheckpointError(f"the checkpoint file {path} is signed with a key that is not in the keys file")
    checkpoint = Checkpoint(written_on=written_on, key_id=key_id, heads=heads)
    if ring.sign(key_id, canonical_json(checkpoint.payload()).encode()) != signature:
        raise CheckpointError(f"the checkpoint file {path} was changed after it was signed")
    return checkpoint


def email(checkpoint: Checkpoint, addresses: list[str]) -> int:
    """Send a copy of the checkpoint to each address (the DPO), as an attachment to keep."""
    if not addresses:
        return 0
    message = EmailMessage(
        subject=f"Incident Desk: checkpoint of the record, {checkpoint.describe()}",
        body=(
            "This email holds a signed checkpoint of Incident Desk's record: the last entry of each "
            "organisation's chain at the time above.\n\n"
            "Keep it. If the record is ever doubted, the system administrator can check the record "
            "against this copy with:\n\n"
            "    python manage.py verify_events --checkpoint record-checkpoint.json\n\n"
            "It holds no personal data: organisation numbers, counts and hashes only.\n"
        ),
        to=addresses,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach("record-checkpoint.json", checkpoint.signed_text(), "application/json")
    connection = mailers.default
    connection.send_messages([message])
    return len(addresses)
