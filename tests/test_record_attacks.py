"""Each way of rewriting the record that `verify_events` once missed (issue 12, finding 2), on both engines.

The attacker here can read and write the database (as its owner: triggers switched off),
and the evidence folder, but not the keys file: that is the boundary the keyed chain draws.
Before this change, deleting a whole chain, rehashing an edited chain, forging events and
cutting the tail all gave "all intact", and evidence bytes were never re-read.
"""

import hashlib
import importlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import checkpoint, guards, keys
from audit.models import ChainHead, Event, canonical_json, event_content
from audit.verify import verify_all
from evidence import storage
from evidence.models import Evidence
from evidence.services import add_evidence

from .conftest import Cast
from .factories import reported_incident
from .record_tamper import tamper

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def record(cast: Cast) -> Cast:
    """Three reports and a piece of evidence at school A, one report at school B, then a checkpoint."""
    first = reported_incident(cast.school_a, cast.bob, description="Report 0")
    add_evidence(incident=first, content=b"Screenshot notes", original_name="notes.txt", actor=cast.alice)
    for n in (1, 2):
        reported_incident(cast.school_a, cast.bob, description=f"Report {n}")
    reported_incident(cast.school_b, None, description="Elsewhere")
    checkpoint.write()
    return cast


def chain_of(organisation_id: int) -> list[Event]:
    return list(Event.objects.filter(organisation_id=organisation_id).order_by("sequence"))


def problems() -> list[str]:
    report = verify_all()
    return [problem.describe() for problem in report.breaks]


def unkeyed_hash(event: Event) -> str:
    """What an attacker without the key can compute: a plain SHA-256 of the content."""
    return hashlib.sha256(canonical_json(event_content(event)).encode()).hexdigest()


def test_the_untouched_record_verifies_with_its_checkpoint_and_evidence(record: Cast, capsys) -> None:
    call_command("verify_events")
    out = capsys.readouterr().out
    assert "All 5 events intact in 2 chains." in out
    assert "Every chain reaches the checkpoint" in out
    assert "All 1 evidence files match the record." in out


@pytest.mark.asvs("V16.4.2")
def test_edited_event_is_detected(record: Cast) -> None:
    target = chain_of(record.school_a.pk)[1]
    tamper("UPDATE audit_event SET reason = %s WHERE id = %s", ["nothing happened", target.pk])
    where = f"organisation {record.school_a.pk}, position 2, event id {target.pk}"
    assert problems() == [f"{where}: the event was changed after it was written"]
    with pytest.raises(CommandError, match=f"event id {target.pk}"):
        call_command("verify_events")


@pytest.mark.asvs("V16.4.2")
def test_edited_and_rehashed_chain_is_detected(record: Cast) -> None:
    events = chain_of(record.school_a.pk)
    previous = events[0].hash
    for event in events[1:]:
        if event.sequence == 2:
            event.reason = "rewritten"
        event.previous_hash = previous
        event.hash = unkeyed_hash(event)
        previous = event.hash
        tamper(
            "UPDATE audit_event SET reason = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [event.reason, event.previous_hash, event.hash, event.pk],
        )
    tamper("UPDATE audit_chainhead SET hash = %s WHERE organisation_id = %s", [previous, record.school_a.pk])
    found = problems()
    assert len(found) == 1 and f"position 2, event id {events[1].pk}: the event was changed" in found[0]


@pytest.mark.asvs("V16.4.2")
@pytest.mark.parametrize("with_head", [True, False], ids=["with its head row", "head row left"])
def test_deleted_chain_is_detected(record: Cast, with_head: bool) -> None:
    tamper("DELETE FROM audit_event WHERE organisation_id = %s", [record.school_b.pk])
    if with_head:
        tamper("DELETE FROM audit_chainhead WHERE organisation_id = %s", [record.school_b.pk])
    found = problems()
    assert len(found) == 1 and found[0].startswith(f"organisation {record.school_b.pk}")
    if with_head:
        assert "the whole chain is missing (the checkpoint of" in found[0] and "shows 1 events" in found[0]
    else:
        assert "events after this point are missing" in found[0]


@pytest.mark.asvs("V16.4.2")
def test_deleted_head_is_detected(record: Cast) -> None:
    tamper("DELETE FROM audit_chainhead WHERE organisation_id = %s", [record.school_a.pk])
    assert problems() == [
        f"organisation {record.school_a.pk}, position 5, the end of the chain: the chain's head row is missing"
    ]


@pytest.mark.asvs("V16.4.2")
@pytest.mark.parametrize("key_id", ["current", "invented"])
def test_forged_event_is_detected(record: Cast, key_id: str) -> None:
    last = chain_of(record.school_a.pk)[-1]
    forged = Event(
        organisation_id=record.school_a.pk,
        sequence=last.sequence + 1,
        action="incident.closed",
        reason="Nothing to investigate",
        created_on=last.created_on,
        previous_hash=last.hash,
        key_id=keys.load().current if key_id == "current" else "k-attacker",
    )
    forged.hash = unkeyed_hash(forged)
    tamper(
        "INSERT INTO audit_event (organisation_id, sequence, action, record_type, record_id, target_type, target_id,"
        " reason, created_on, request_id, previous_hash, key_id, hash)"
        " VALUES (%s, %s, %s, '', '', '', '', %s, %s, '', %s, %s, %s)",
        [
            forged.organisation_id,
            forged.sequence,
            forged.action,
            forged.reason,
            forged.created_on,
            forged.previous_hash,
            forged.key_id,
            forged.hash,
        ],
    )
    tamper(
        "UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE organisation_id = %s",
        [forged.sequence, forged.hash, record.school_a.pk],
    )
    found = problems()
    assert len(found) == 1 and f"position {forged.sequence}" in found[0]
    expected = "the event was changed after it was written" if key_id == "current" else "not in the keys file"
    assert expected in found[0]


@pytest.mark.asvs("V16.4.2")
def test_truncated_tail_is_detected(record: Cast) -> None:
    events = chain_of(record.school_a.pk)
    kept = events[-3]
    for event in events[-2:]:
        tamper("DELETE FROM audit_event WHERE id = %s", [event.pk])
    tamper(
        "UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE organisation_id = %s",
        [kept.sequence, kept.hash, record.school_a.pk],
    )
    found = problems()
    assert len(found) == 1
    assert f"organisation {record.school_a.pk}, position {kept.sequence + 1}, the end of the chain" in found[0]
    assert "events from here on were removed" in found[0] and f"shows {len(events)} events" in found[0]


@pytest.mark.asvs("V16.4.2")
@pytest.mark.usefixtures("evidence_store")  # in the folder and in a bucket on a real S3 server
@pytest.mark.parametrize("cover", ["file only", "file and the row's digest", "file deleted"])
def test_altered_evidence_file_is_detected(record: Cast, cover: str) -> None:
    evidence = Evidence.objects.get()
    storage.remove(evidence.stored_name)
    if cover != "file deleted":
        storage.store().save(storage.key(evidence.stored_name), ContentFile(b"Something else entirely"))
    if cover == "file and the row's digest":
        new_digest = hashlib.sha256(b"Something else entirely").hexdigest()
        Evidence.objects.filter(pk=evidence.pk).update(sha256=new_digest)
    found = problems()
    assert len(found) == 1 and str(evidence.uuid) in found[0]
    expected = {
        "file only": "no longer matches its digest",
        "file and the row's digest": "differs from the record's",
        "file deleted": "is missing",
    }[cover]
    assert expected in found[0]
    with pytest.raises(CommandError, match="evidence"):
        call_command("verify_events")
    call_command("verify_events", "--skip-files")  # the chains themselves are intact


@pytest.mark.asvs("V16.4.2")
def test_a_checkpoint_changed_after_signing_is_refused(record: Cast, settings) -> None:
    path = Path(settings.RECORD_CHECKPOINT_FILE)
    data = json.loads(path.read_text())
    data["heads"][str(record.school_a.pk)][0] = 1
    path.write_text(json.dumps(data))
    assert any("was changed after it was signed" in problem for problem in problems())


@pytest.mark.asvs("V16.4.3")
def test_an_emailed_checkpoint_catches_a_tail_cut_behind_an_older_checkpoint_file(record: Cast, settings) -> None:
    """An attacker who can also write the checkpoint file puts back an older one; the DPO's
    emailed copy, out of their reach, still shows the cut."""
    older = Path(settings.RECORD_CHECKPOINT_FILE).read_text()
    reported_incident(record.school_a, record.bob, description="Later report")
    call_command("checkpoint_record", "--email")
    assert mail.outbox == []  # RECORD_CHECKPOINT_EMAILS is empty: nothing sent
    settings.RECORD_CHECKPOINT_EMAILS = ["dpo@example.org"]
    call_command("checkpoint_record", "--email")
    (message,) = mail.outbox
    assert message.to == ["dpo@example.org"] and "checkpoint of the record" in message.subject
    _name, emailed, _type = message.attachments[0]
    copy = Path(settings.RECORD_CHECKPOINT_FILE).with_name("emailed.json")
    copy.write_text(emailed)

    last = chain_of(record.school_a.pk)[-1]
    kept = chain_of(record.school_a.pk)[-2]
    tamper("DELETE FROM audit_event WHERE id = %s", [last.pk])
    tamper(
        "UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE organisation_id = %s",
        [kept.sequence, kept.hash, record.school_a.pk],
    )
    Path(settings.RECORD_CHECKPOINT_FILE).write_text(older)
    assert problems() == []  # the file on the server was rolled back with the database
    with pytest.raises(CommandError, match="events from here on were removed"):
        call_command("verify_events", "--checkpoint", str(copy))


def test_the_application_account_cannot_move_a_head_back_or_delete_it(record: Cast) -> None:
    head = ChainHead.objects.get(organisation=record.school_a)
    for sql, params in [
        ("UPDATE audit_chainhead SET sequence = %s WHERE organisation_id = %s", [head.sequence - 1, head.pk]),
        ("UPDATE audit_chainhead SET hash = %s WHERE organisation_id = %s", ["0" * 64, head.pk]),
        ("DELETE FROM audit_chainhead WHERE organisation_id = %s", [head.pk]),
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert problems() == []


def test_the_guards_are_in_place_after_every_migration(db: None) -> None:
    names = guards.present(connection)
    if connection.vendor == "sqlite":
        assert set(guards.SQLITE_NAMES) <= names
    else:
        assert {name for _, name in guards.POSTGRESQL_TRIGGERS} <= names


@pytest.mark.asvs("V11.1.1")
def test_rotating_the_key_keeps_older_events_verifiable(cast: Cast, settings, tmp_path: Path, capsys) -> None:
    settings.RECORD_KEYS_FILE = tmp_path / "keys.json"
    reported_incident(cast.school_a, cast.bob, description="Before rotation")
    first = keys.load().current
    call_command("rotate_record_key")
    assert "is kept for older events" in capsys.readouterr().out
    reported_incident(cast.school_a, cast.bob, description="After rotation")
    assert [e.key_id for e in chain_of(cast.school_a.pk)] == [first, keys.load().current]
    assert keys.load().current != first and (tmp_path / "keys.json").stat().st_mode & 0o077 == 0
    assert problems() == []
    # Losing the old key leaves the old events unverifiable: the keys file must be backed up.
    data = json.loads((tmp_path / "keys.json").read_text())
    del data["keys"][first]
    (tmp_path / "keys.json").write_text(json.dumps(data))
    assert any("not in the keys file" in problem for problem in problems())


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"RECORD_KEYS_FILE", "ENVIRONMENT"}}
    code = "import django; django.setup(); from audit import keys; keys.load()"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "incidentdesk.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.asvs("V13.3.1")
def test_production_needs_a_keys_file_outside_the_database_and_never_makes_one(tmp_path: Path) -> None:
    unset = run_settings({"ENVIRONMENT": "production"})
    assert unset.returncode != 0 and "RECORD_KEYS_FILE must name" in unset.stderr
    missing = run_settings({"ENVIRONMENT": "production", "RECORD_KEYS_FILE": str(tmp_path / "absent.json")})
    assert missing.returncode != 0 and "rotate_record_key" in missing.stderr
    assert not (tmp_path / "absent.json").exists()


def insert_legacy_chain(organisation_id: int, reasons: list[str]) -> None:
    """Events as the release before the keyed chain wrote them: plain SHA-256, no key id
    (an empty one: the column is there at today's schema), written with the guards lifted."""
    legacy_hash = importlib.import_module("audit.migrations.0004_rekey_chains").legacy_hash
    previous = "0" * 64
    with guards.lifted(connection):
        for sequence, reason in enumerate(reasons, start=1):
            event = Event(
                organisation_id=organisation_id,
                sequence=sequence,
                action="incident.reported",
                reason=reason,
                created_on=datetime(2026, 11, 1, 9, sequence, tzinfo=UTC),
                previous_hash=previous,
            )
            event.hash = legacy_hash(event)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_event (organisation_id, sequence, action, record_type, record_id, target_type,"
                    " target_id, reason, created_on, request_id, previous_hash, key_id, hash)"
                    " VALUES (%s, %s, %s, '', '', '', '', %s, %s, '', %s, '', %s)",
                    [organisation_id, sequence, event.action, reason, event.created_on, previous, event.hash],
                )
            previous = event.hash
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_chainhead (organisation_id, sequence, hash) VALUES (%s, %s, %s)",
                [organisation_id, len(reasons), previous],
            )


def rekey() -> None:
    """audit/migrations/0004_rekey_chains run as migrate runs it: its function, with the app
    registry and a schema editor in one transaction. Today's models stand in for the
    historical ones (the columns it reads and writes are unchanged since); the migration's
    real path, from the previous release's database, is tests/test_migrate_from_previous.py.
    Migrating the audit app back and forth instead took a minute: it unapplies the sealing
    of incidents and everything after it."""
    from django.apps import apps

    forwards = importlib.import_module("audit.migrations.0004_rekey_chains").forwards
    with connection.schema_editor(atomic=True) as editor:
        forwards(apps, editor)


def clear_record() -> None:
    with guards.lifted(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_event")
        cursor.execute("DELETE FROM audit_chainhead")


def test_the_rekey_migration_signs_old_chains_and_refuses_a_broken_one(transactional_db: None, cast: Cast) -> None:
    try:
        clear_record()
        insert_legacy_chain(cast.school_a.pk, ["one", "two", "three"])
        insert_legacy_chain(cast.school_b.pk, ["elsewhere"])
        rekey()
        current = keys.load().current
        assert set(Event.objects.values_list("key_id", flat=True)) == {current}
        assert verify_all().intact

        clear_record()
        insert_legacy_chain(cast.school_a.pk, ["one", "two"])
        tamper("UPDATE audit_event SET reason = 'changed before the upgrade' WHERE sequence = 2")
        with pytest.raises(RuntimeError, match="does not verify at position 2"):
            rekey()
        # Refused whole: nothing was re-keyed.
        assert set(Event.objects.values_list("key_id", flat=True)) == {""}
    finally:
        clear_record()
    expected = set(guards.SQLITE_NAMES) if connection.vendor == "sqlite" else {n for _, n in guards.POSTGRESQL_TRIGGERS}
    assert expected <= guards.present(connection)  # the guards came back after each lifting


def test_the_scheduler_writes_a_checkpoint_and_mails_the_dpo_each_morning(record: Cast, settings) -> None:
    from crontask import scheduler

    from audit.tasks import email_checkpoint, write_checkpoint

    scheduled = {job.name: str(job.trigger) for job in scheduler.get_jobs()}
    assert "minute='*/15'" in scheduled["write_checkpoint"] and "hour='6'" in scheduled["email_checkpoint"]
    Path(settings.RECORD_CHECKPOINT_FILE).unlink()
    assert write_checkpoint.call() == 2
    assert checkpoint.read() is not None and checkpoint.read().heads.keys() == {record.school_a.pk, record.school_b.pk}
    settings.RECORD_CHECKPOINT_EMAILS = ["dpo@example.org", "deputy@example.org"]
    assert email_checkpoint.call() == 2
    assert mail.outbox[0].to == ["dpo@example.org", "deputy@example.org"]


def test_an_old_checkpoint_is_pointed_out(record: Cast, capsys) -> None:
    import time_machine

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3)):
        call_command("verify_events")
    assert "minutes old: is the scheduler running?" in capsys.readouterr().out
