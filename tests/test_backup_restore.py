"""Backup, wipe, restore (issue 12, "Backup and restore"), on the engine the suite runs on.

The round trip must give back every row and every evidence file byte for byte, a record
that verifies, and a demo receipt that still opens its report.
"""

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from anonymous.models import Receipt
from audit import keys
from demo.anonymous import demo_receipt


def all_rows() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read with plain SQL in a stable order."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the database)
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def demo(transactional_db: None, settings, tmp_path: Path) -> Path:
    settings.RECORD_KEYS_FILE = tmp_path / "keys" / "record-keys.json"
    call_command("load_demo", incidents=6, stdout=io.StringIO())
    call_command("checkpoint_record", stdout=io.StringIO())
    return tmp_path


@pytest.mark.asvs("V14.2.4")
def test_backup_wipe_restore_gives_back_every_row_file_and_a_verified_record(demo: Path, settings, client) -> None:
    media = Path(settings.MEDIA_ROOT)
    rows_before, files_before = all_rows(), file_hashes(media)
    assert rows_before["audit_event"] and len(files_before) > 3
    archive = demo / "backups" / "incidentdesk.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    assert archive.stat().st_mode & 0o077 == 0

    # Wipe: every table emptied, the evidence store and the keys file gone.
    call_command("flush", interactive=False)
    assert not Receipt.objects.exists()
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    Path(settings.RECORD_KEYS_FILE).unlink()

    out = io.StringIO()
    call_command("restore", str(archive), interactive=False, stdout=out)
    assert "The record is intact" in out.getvalue()
    assert all_rows() == rows_before
    assert file_hashes(media) == files_before
    verified = io.StringIO()
    call_command("verify_events", stdout=verified)
    assert "Every chain reaches the checkpoint" in verified.getvalue()
    opened = client.post("/r/receipt/", {"receipt": demo_receipt()}).content.decode()
    assert "SEN register" in opened


def test_restore_refuses_a_damaged_archive_and_another_secret_key(demo: Path, settings) -> None:
    archive = demo / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    rows_before = all_rows()

    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(CommandError, match="SECRET_KEY differs"):
        call_command("restore", str(archive), interactive=False)

    damaged = demo / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            content = data.read() if data else b""
            if member.name.startswith("files/evidence/"):
                content = b"altered" + content
                member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(damaged), interactive=False, different_secret_key=True)
    assert all_rows() == rows_before  # nothing was touched


def test_restore_keeps_keys_already_here(demo: Path, settings) -> None:
    archive = demo / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    old = keys.load().current
    call_command("rotate_record_key", stdout=io.StringIO())
    new = keys.load().current
    call_command("restore", str(archive), interactive=False, stdout=io.StringIO())
    ring = keys.load()
    assert ring.current == new and {old, new} <= set(ring.keys)
