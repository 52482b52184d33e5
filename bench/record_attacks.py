"""Every attack on the record of issue 12 (finding 2), against a larger record: found or not, and the cost.

    .venv/bin/python bench/record_attacks.py [--organisations 20] [--events 20000] [--evidence 200]
    DATABASE_URL=postgres://... .venv/bin/python bench/record_attacks.py

Makes a throwaway test database (SQLite by default, or the DATABASE_URL server's
test_<name>) and a temporary evidence store and keys file, writes `--events` events across
`--organisations` chains (through `audit.log.record`, so with the HMAC and the head lock) and
`--evidence` evidence files, writes a checkpoint, then:
- times writing events (events per second), `verify_events` over the intact record, and a
  checkpoint;
- applies each attack in its own transaction (rolled back after; evidence files put back)
  and reports whether `verify_events` found it and what it said;
- times `manage.py backup` and `manage.py restore` of the whole thing.
Not a test: tests never assert timings. On SQLite it uses the same test database file as
pytest (VAR_DIR/test.sqlite3): run with another VAR_DIR, or not while pytest runs.
"""

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=20)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--evidence", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()
    with tempfile.TemporaryDirectory(prefix="record-bench-") as temporary:
        settings.MEDIA_ROOT = Path(temporary) / "media"
        settings.RECORD_KEYS_FILE = Path(temporary) / "record-keys.json"
        settings.RECORD_CHECKPOINT_FILE = Path(temporary) / "record-checkpoint.json"
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            run(args.organisations, args.events, args.evidence, Path(temporary))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def tamper(sql: str, params: list[object] | None = None) -> None:
    from audit import guards

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
            return
    with guards.lifted(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def run(organisation_count: int, event_count: int, evidence_count: int, work: Path) -> None:
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from audit import checkpoint
    from audit.log import record
    from audit.models import ChainHead, Event, canonical_json, event_content
    from audit.verify import verify_all
    from evidence import storage
    from evidence.models import Evidence
    from evidence.services import add_evidence, read_evidence
    from incidents.models import report_incident
    from organisations.models import Organisation

    print(f"engine: {connection.vendor}; {organisation_count} chains, {event_count} events, {evidence_count} files")
    organisations = [Organisation.objects.create(name=f"Bench school {n}") for n in range(organisation_count)]
    incidents = []
    for n in range(evidence_count):
        incident, _ = report_incident(
            organisation=organisations[n % organisation_count],
            reported_by=None,
            submission_key=None,
            fields={"description": f"Bench report {n}"},
        )
        incidents.append(incident)
        content = f"Bench evidence {n}\n".encode() * 1000  # about 20 KB of text each
        add_evidence(incident=incident, content=content, original_name=f"notes-{n}.txt", actor=None)
    written = first = Event.objects.count()
    started = time.perf_counter()
    while written < event_count:
        with transaction.atomic():
            for _ in range(min(500, event_count - written)):
                incident = incidents[written % len(incidents)] if incidents else None
                organisation = organisations[written % organisation_count]
                record(
                    organisation_id=organisation.pk,
                    action="incident.viewed",
                    record=incident if incident and incident.organisation_id == organisation.pk else None,
                    after={"n": written},
                )
                written += 1
    elapsed = time.perf_counter() - started
    print(
        f"write: {written - first} events through audit.log.record in {elapsed:.1f} s "
        f"({(written - first) / elapsed:,.0f} events/s, 500 per transaction)"
    )

    started = time.perf_counter()
    checkpoint.write()
    print(f"checkpoint: {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    report = verify_all()
    elapsed = time.perf_counter() - started
    assert report.intact, report.breaks
    print(
        f"verify_events, intact: {report.events} events in {elapsed:.2f} s "
        f"({report.events / elapsed:,.0f} events/s, files included)"
    )
    started = time.perf_counter()
    verify_all(run_checks=False)
    print(f"verify_events --skip-files: {time.perf_counter() - started:.2f} s")

    victim = organisations[0].pk
    other = organisations[1].pk
    evidence = Evidence.objects.order_by("pk").first()

    def chain(org: int) -> list[Event]:
        return list(Event.objects.filter(organisation_id=org).order_by("sequence"))

    def edited() -> None:
        target = chain(victim)[len(chain(victim)) // 2]
        tamper("UPDATE audit_event SET reason = 'edited' WHERE id = %s", [target.pk])

    def rehashed() -> None:
        events = chain(victim)
        middle = len(events) // 2
        previous = events[middle - 1].hash
        for event in events[middle:]:
            if event is events[middle]:
                event.reason = "rewritten"
            event.previous_hash = previous
            event.hash = hashlib.sha256(canonical_json(event_content(event)).encode()).hexdigest()
            previous = event.hash
            tamper(
                "UPDATE audit_event SET reason = %s, previous_hash = %s, hash = %s WHERE id = %s",
                [event.reason, event.previous_hash, event.hash, event.pk],
            )
        tamper("UPDATE audit_chainhead SET hash = %s WHERE organisation_id = %s", [previous, victim])

    def deleted_chain() -> None:
        tamper("DELETE FROM audit_event WHERE organisation_id = %s", [other])
        tamper("DELETE FROM audit_chainhead WHERE organisation_id = %s", [other])

    def deleted_chain_head_left() -> None:
        tamper("DELETE FROM audit_event WHERE organisation_id = %s", [other])

    def deleted_head() -> None:
        tamper("DELETE FROM audit_chainhead WHERE organisation_id = %s", [victim])

    def forged() -> None:
        head = ChainHead.objects.get(organisation_id=victim)
        last = Event.objects.get(organisation_id=victim, sequence=head.sequence)
        fake = Event(
            organisation_id=victim,
            sequence=head.sequence + 1,
            action="incident.closed",
            created_on=last.created_on,
            previous_hash=head.hash,
            key_id=last.key_id,
        )
        fake.hash = hashlib.sha256(canonical_json(event_content(fake)).encode()).hexdigest()
        tamper(
            "INSERT INTO audit_event (organisation_id, sequence, action, record_type, record_id, target_type,"
            " target_id, reason, created_on, request_id, previous_hash, key_id, hash)"
            " VALUES (%s, %s, %s, '', '', '', '', '', %s, '', %s, %s, %s)",
            [victim, fake.sequence, fake.action, fake.created_on, fake.previous_hash, fake.key_id, fake.hash],
        )
        tamper(
            "UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE organisation_id = %s",
            [fake.sequence, fake.hash, victim],
        )

    def truncated() -> None:
        events = chain(victim)
        kept = events[-11]
        tamper("DELETE FROM audit_event WHERE organisation_id = %s AND sequence > %s", [victim, kept.sequence])
        tamper(
            "UPDATE audit_chainhead SET sequence = %s, hash = %s WHERE organisation_id = %s",
            [kept.sequence, kept.hash, victim],
        )

    original = read_evidence(evidence) if evidence else b""

    def overwrite(content: bytes) -> None:
        assert evidence is not None
        storage.remove(evidence.stored_name)
        storage.store().save(storage.key(evidence.stored_name), ContentFile(content))

    def altered_file() -> None:
        overwrite(original[:-1] + b"!")

    attacks: list[tuple[str, Callable[[], None]]] = [
        ("edited event", edited),
        ("edited and rehashed chain", rehashed),
        ("deleted chain (with head row)", deleted_chain),
        ("deleted chain (head row left)", deleted_chain_head_left),
        ("deleted head row", deleted_head),
        ("forged event", forged),
        ("truncated tail (10 events, head pointed back)", truncated),
        ("altered evidence file", altered_file),
    ]
    print("\n| attack | found | verify time | what verify_events says |\n| --- | --- | --- | --- |")
    for name, attack in attacks:
        try:
            with transaction.atomic():
                attack()
                started = time.perf_counter()
                result = verify_all()
                elapsed = time.perf_counter() - started
                raise Rollback
        except Rollback:
            pass
        finally:
            if evidence is not None:
                overwrite(original)
        said = result.breaks[0].describe() if result.breaks else "all intact"
        print(f"| {name} | {'yes' if not result.intact else 'NO'} | {elapsed:.2f} s | {said[:110]} |")
    assert verify_all().intact

    archive = work / "backup.tar.gz"
    started = time.perf_counter()
    call_command("backup", str(archive), stdout=io.StringIO())
    backed = time.perf_counter() - started
    started = time.perf_counter()
    call_command("restore", str(archive), interactive=False, stdout=io.StringIO())
    restored = time.perf_counter() - started
    print(
        f"\nbackup: {backed:.1f} s, {archive.stat().st_size / 1e6:.1f} MB; "
        f"restore (with verify_events): {restored:.1f} s"
    )


if __name__ == "__main__":
    main()
