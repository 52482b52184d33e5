"""The disposal ledger: every disposal, one JSON line, in a file outside the database.

A backup restored from before a disposal would bring the incident's content back. The ledger
lives beside the record's checkpoint (`DISPOSAL_LEDGER_FILE`), not in the database and not in
the backup archive, so `manage.py restore` leaves it as it is and then `replay`s it: every
incident it names that the restored database still holds undisposed is disposed of again,
before the service starts (decision 0038). A line holds no personal data: the incident's id
and reference, its organisation's id, the rule, the approver's account id and the moments.

Lines are appended in the disposal's transaction, just before it commits, and fsynced: a
disposal whose commit then failed leaves a line whose replay disposes of an incident someone
approved (letting go of it is what was decided), where appending after the commit could lose
a disposal that happened.
"""

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings


def path() -> Path:
    return Path(settings.DISPOSAL_LEDGER_FILE)


def append(line: dict[str, Any]) -> None:
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = (json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n").encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def lines() -> list[dict[str, Any]]:
    """Every line of the ledger, in order; a torn last line (a crash mid-write) is skipped."""
    target = path()
    if not target.exists():
        return []
    found = []
    for raw in target.read_text(encoding="utf-8").splitlines():
        try:
            found.append(json.loads(raw))
        except ValueError:
            continue
    return found


def replay() -> str:
    """Dispose again of every incident the ledger names that the database holds undisposed."""
    from .disposal import dispose_again

    done = [line["reference"] for line in lines() if dispose_again(line)]
    if not done:
        return ""
    return f"{len(done)} incident(s) disposed of since the backup were disposed of again: {', '.join(done)}."
