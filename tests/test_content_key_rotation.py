"""Rotating the master key of incidents' content (rotate_content_keys), and the content keys in
the backup archive (decision 0038; docs/encryption.md).
"""

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from audit import backup, keys, sealing
from evidence.models import Evidence
from evidence.services import add_evidence, read_evidence
from incidents.models import Incident

from .conftest import Cast
from .factories import reported_incident

CANARY = "Jemima Puddleduck's care plan was left on the printer"
FILE = b"Notes of the call with the parent.\n" * 4000  # three sealed chunks


@pytest.fixture
def content_keys(settings, tmp_path: Path) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A content keys file of this test's own, so a rotation touches nothing else."""
    settings.CONTENT_KEYS_FILE = tmp_path / "keys" / "content-keys.json"
    sealing.clear_cache()
    yield settings.CONTENT_KEYS_FILE
    sealing.clear_cache()


def incident_with_content(cast: Cast) -> tuple[Incident, Evidence]:
    incident = reported_incident(cast.school_a, cast.bob)
    incident.description = CANARY
    incident.save()
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=FILE, original_name="call.txt", actor=cast.alice)
    return incident, evidence


def master_keys_of_rows() -> set[str]:
    return {key.partition(":")[0] for key in Incident.objects.values_list("content_key", flat=True) if key}


def all_open(evidence: Evidence) -> None:
    """Everything sealed before opens, read afresh with no key at hand."""
    sealing.clear_cache()
    assert Incident.objects.get(pk=evidence.incident_id).description == CANARY
    fresh = Evidence.objects.get(pk=evidence.pk)
    assert fresh.original_name == "call.txt" and read_evidence(fresh) == FILE


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_content_keys", *args, stdout=out)
    return out.getvalue()


def test_after_a_rotation_every_data_key_is_wrapped_anew_and_everything_still_opens(
    cast: Cast, content_keys: Path
) -> None:
    incidents = [incident_with_content(cast) for _ in range(3)]
    old = sealing.ring().current
    assert master_keys_of_rows() == {old}

    said = rotate("--batch-size", "2")
    new = sealing.ring().current
    assert new != old and set(sealing.ring().keys) == {old, new}  # the old one kept for reading
    assert f"Re-wrapped 3 incident data key(s) under {new}" in said
    assert master_keys_of_rows() == {new}
    for _incident, evidence in incidents:
        all_open(evidence)
    later = reported_incident(cast.school_a, cast.bob)
    assert later.content_key.startswith(f"{new}:")  # type: ignore[union-attr]
    assert content_keys.stat().st_mode & 0o077 == 0


def test_an_interrupted_rotation_carries_on_when_run_again(
    cast: Cast, content_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        _incident, evidence = incident_with_content(cast)
    old = sealing.ring().current
    real, calls = sealing.rewrapped, []

    def dies_on_the_fourth(wrapped: str) -> str | None:
        calls.append(wrapped)
        if len(calls) == 4:
            raise KeyboardInterrupt  # the operator's ^C, or the machine going down
        return real(wrapped)

    monkeypatch.setattr(sealing, "rewrapped", dies_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        rotate("--batch-size", "2")
    monkeypatch.setattr(sealing, "rewrapped", real)
    new = sealing.ring().current
    # The first batch was committed; the second rolled back; the rest were never reached.
    assert sorted(key.partition(":")[0] for key in Incident.objects.values_list("content_key", flat=True)) == sorted(
        [new, new, old, old, old]
    )
    all_open(evidence)  # half-way is a working state: each key names its master key

    said = rotate("--resume")
    assert "Carrying on with master key" in said and "Re-wrapped 3 incident" in said
    assert sealing.ring().current == new and master_keys_of_rows() == {new}
    assert "Re-wrapped 0 incident" in rotate("--resume")
    all_open(evidence)


def test_a_key_destroyed_while_the_rotation_runs_stays_destroyed(
    cast: Cast, content_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = incident_with_content(cast)
    _second, evidence = incident_with_content(cast)
    real = sealing.rewrapped

    def disposed_meanwhile(wrapped: str) -> str | None:
        if wrapped == first.content_key:  # a disposal commits between the read and the write
            Incident.objects.filter(pk=first.pk).update(content_key=sealing.DESTROYED)
        return real(wrapped)

    monkeypatch.setattr(sealing, "rewrapped", disposed_meanwhile)
    said = rotate()
    assert "1 changed while this ran" in said
    assert Incident.objects.get(pk=first.pk).content_key == sealing.DESTROYED  # not brought back
    assert master_keys_of_rows() == {sealing.ring().current}
    all_open(evidence)


def test_retire_unused_removes_master_keys_no_data_key_uses_but_keeps_the_oldest(
    cast: Cast, content_keys: Path
) -> None:
    _incident, evidence = incident_with_content(cast)
    rotate()
    rotate()
    before = set(sealing.ring().keys)
    said = rotate("--retire-unused")
    current = sealing.ring().current
    # The search words are keyed by the smallest id (`sealing.blind`): kept with the current.
    kept = {current, min(before | {current})}
    retired = sorted(before - kept)
    assert f"Retired {len(retired)} master key(s) no data key uses: {retired}" in said and retired
    assert set(sealing.ring().keys) == kept
    all_open(evidence)


@pytest.mark.django_db(transaction=True)
def test_backup_holds_the_content_keys_and_restore_merges_them(
    cast: Cast, content_keys: Path, settings, tmp_path: Path
) -> None:
    settings.RECORD_KEYS_FILE = tmp_path / "keys" / "record-keys.json"
    _incident, evidence = incident_with_content(cast)
    call_command("checkpoint_record", stdout=io.StringIO())
    before = sealing.ring()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as opened:
        held = keys.parse(opened.extractfile(backup.CONTENT_KEYS_NAME).read().decode())  # type: ignore[union-attr]
    assert held == before

    # The machine is lost: a new one with an empty database and a content keys file of its own.
    call_command("flush", interactive=False)
    content_keys.unlink()
    sealing.clear_cache()
    here = sealing.ring().current  # made afresh, as a new development machine would
    out = io.StringIO()
    call_command("restore", str(archive), interactive=False, stdout=out)
    assert "1 master key(s) added to the content keys file." in out.getvalue()
    merged = sealing.ring()
    assert merged.current == here and set(before.keys) <= set(merged.keys)  # merged, never replaced
    all_open(evidence)


def test_an_archive_made_before_sealing_still_unpacks(tmp_path: Path) -> None:
    """Its manifest names no content keys (there were none): that is not damage."""
    work = tmp_path / "work"
    work.mkdir()
    manifest: dict[str, Any] = {"format": backup.FORMAT, "files": {}}
    for part, name in (("database", "database.sqlite3"), ("keys", "record-keys.json"), ("checkpoint", "cp.json")):
        (work / name).write_text(name)
        manifest[part] = {"name": name, "sha256": backup._sha256(work / name)}
    (work / backup.MANIFEST).write_text(json.dumps(manifest))
    archive = tmp_path / "old.tar.gz"
    with tarfile.open(archive, "w:gz") as out:
        for path in work.iterdir():
            out.add(path, arcname=path.name)
    assert backup._unpack(archive, tmp_path / "unpacked") == manifest
