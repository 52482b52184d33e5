"""Disposal removes every copy of an incident's content (issue 17, decision 0038), the record
still verifies afterwards, and a restore of an older backup disposes of it again from the ledger.

A canary word is put in the report's description, a note, a message with the reporter, an
evidence file (its content and its name) and so the search index; after disposal it is found in
no table but the event log's, in no stored file and in no log line.
"""

import io
import json
import logging
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from audit.log import events_for
from evidence.models import Evidence
from evidence.services import add_evidence
from incidents.lifecycle.work import add_note, message_reporter
from incidents.models import Incident
from learning.models import SearchEntry
from retention import disposal, ledger
from retention.drafting import draft
from retention.models import Disposal, DisposalEntry

from .conftest import Cast
from .factories import OrganisationFactory, UserFactory, reported_incident
from .retention_helpers import close, day

CANARY = "quokkacanary"


def tables_holding(word: str) -> dict[str, int]:
    """Every table with a value that contains `word`, read with plain SQL: the record's events
    included, whose copies of the content are sealed (decision 0038) and so never hold it in clear."""
    found: dict[str, int] = {}
    needle = word.lower()
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(include_views=False)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the database)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    if needle in text.lower():
                        found[table] = found.get(table, 0) + 1
    return found


def files_holding(root: Path, word: str) -> list[str]:
    return [
        str(path)
        for path in root.rglob("*")
        if word in path.name or (path.is_file() and word.encode() in path.read_bytes())
    ]


def incident_full_of(word: str, cast: Cast) -> Incident:
    incident = reported_incident(
        cast.school_a,
        cast.bob,
        description=f"The {word} list of pupils was emailed to the wrong parent.",
        location=f"Office of {word}",
        people_involved=f"{word} Jones",
    )
    add_note(incident, by=cast.alice, body=f"Spoke to {word} about it.")
    message_reporter(incident, by=cast.alice, body=f"Thank you, {word} is dealt with.")
    add_evidence(
        incident=incident,
        content=f"Mail log: sent to {word}@example.org\n".encode(),
        original_name=f"{word}-mail-log.txt",
        actor=cast.alice,
        description=f"The {word} log",
    )
    return close(incident, day(2015, 7, 1))


@pytest.mark.django_db
def test_disposal_removes_every_copy_of_the_content(cast: Cast, settings, caplog) -> None:
    incident = incident_full_of(CANARY, cast)
    other = incident_full_of("wombatcanary", cast)  # another incident's content stays
    media = Path(settings.MEDIA_ROOT)
    # Sealed at rest (decision 0038): no table or file holds it in clear, yet it reads back.
    assert tables_holding(CANARY) == {} and files_holding(media, CANARY) == []
    assert CANARY in Incident.objects.get(pk=incident.pk).description
    assert any(CANARY in str(event.after) for event in events_for(incident))
    assert SearchEntry.objects.filter(incident=incident).exists()

    draft(date(2025, 3, 1))
    with caplog.at_level(logging.DEBUG):
        done = disposal.approve(DisposalEntry.objects.get(incident=incident), by=cast.alice)

    assert tables_holding(CANARY) == {}
    assert files_holding(media, CANARY) == []
    assert CANARY not in caplog.text
    # What statistics need is kept; the rest is gone.
    incident.refresh_from_db()
    assert incident.reference == done.reference and incident.status == Incident.Status.CLOSED
    assert incident.disposed_on is not None and incident.closed_on == day(2015, 7, 1)
    assert not Evidence.objects.filter(incident=incident).exists()
    assert not SearchEntry.objects.filter(incident=incident).exists()
    # The record's copies cannot be opened any more: its events read as disposed of.
    events = list(events_for(incident))
    assert events and not any(CANARY in str((e.before, e.after, e.reason)) for e in events)
    assert any(getattr(e, "disposed", False) for e in events)
    # The other incident is untouched, and the record still verifies.
    assert "wombatcanary" in Incident.objects.get(pk=other.pk).description
    assert Evidence.objects.filter(incident=other).exists()
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    assert "intact" in out.getvalue().lower() or "every chain" in out.getvalue().lower()
    # The disposal is on the organisation's chain and in the ledger, with no content.
    line = ledger.lines()[-1]
    assert (line["incident"], line["reference"], line["organisation"]) == (
        incident.pk,
        incident.reference,
        cast.school_a.pk,
    )
    assert CANARY not in json.dumps(ledger.lines())
    assert other.pk not in {entry["incident"] for entry in ledger.lines()}


@pytest.fixture
def backed_up(transactional_db: None, settings, tmp_path: Path) -> tuple[Incident, Path]:
    settings.RECORD_KEYS_FILE = tmp_path / "keys" / "record-keys.json"
    school = OrganisationFactory(name="Replay School")
    manager = UserFactory(email="manager@example.org", full_name="Mina Manager")
    reporter = UserFactory(email="rep@example.org", full_name="Remy Reporter")
    from organisations.models import Membership, Role

    Membership.objects.create(user=manager, organisation=school, role=Role.INCIDENT_MANAGER)
    Membership.objects.create(user=reporter, organisation=school, role=Role.REPORTER)
    incident = incident_full_of(CANARY, Cast(school, school, school, manager, reporter, manager, manager))
    call_command("checkpoint_record", stdout=io.StringIO())
    archive = tmp_path / "backups" / "before-disposal.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    return incident, archive


def test_restore_of_an_older_backup_disposes_again_of_what_the_ledger_names(
    backed_up: tuple[Incident, Path], settings
) -> None:
    incident, archive = backed_up
    media = Path(settings.MEDIA_ROOT)
    draft(date(2025, 3, 1))
    manager = incident.organisation.memberships.get(role="incident_manager").user
    disposal.approve(DisposalEntry.objects.get(incident=incident), by=manager)
    assert tables_holding(CANARY) == {}
    ledger_before = ledger.path().read_bytes()

    out = io.StringIO()
    call_command("restore", str(archive), interactive=False, stdout=out)

    # The backup brought the content back; the ledger's replay took it away again before anyone could read it.
    assert "disposed of again" in out.getvalue() and incident.reference in out.getvalue()
    assert "The record is intact" in out.getvalue()
    incident.refresh_from_db()
    assert incident.disposed_on is not None and incident.description == ""
    assert tables_holding(CANARY) == {}
    assert files_holding(media, CANARY) == []
    replayed = Disposal.objects.get(incident=incident)
    assert replayed.replayed_on is not None and replayed.approved_by_id == manager.pk
    # The ledger lives outside the archive: restore neither rolled it back nor wrote it twice.
    assert ledger.path().read_bytes() == ledger_before
    verified = io.StringIO()
    call_command("verify_events", stdout=verified)
    assert "Every chain reaches the checkpoint" in verified.getvalue()
    # A second restore of the same archive replays again; a replay of a disposed incident does nothing.
    assert ledger.replay() == ""
