import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.log import record, verify
from audit.models import Event

from .conftest import Cast
from .factories import reported_incident
from .record_tamper import tamper


@pytest.fixture
def chain(cast: Cast) -> list[Event]:
    for n in range(3):
        reported_incident(cast.school_a, cast.bob, description=f"Report {n}")
    reported_incident(cast.school_b, None, description="Elsewhere")
    return list(Event.objects.filter(organisation=cast.school_a).order_by("sequence"))


def test_intact_chains_verify_with_a_count(chain: list[Event], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("verify_events")
    assert "All 4 events intact in 2 chains." in capsys.readouterr().out


def test_each_organisation_has_its_own_chain(chain: list[Event], cast: Cast) -> None:
    assert [e.sequence for e in chain] == [1, 2, 3]
    assert chain[1].previous_hash == chain[0].hash
    other = Event.objects.get(organisation=cast.school_b)
    assert other.sequence == 1 and other.previous_hash == "0" * 64


@pytest.mark.parametrize(
    ("column", "value"),
    [("reason", "nothing to see"), ("action", "incident.deleted"), ("after", '{"description": "edited"}')],
)
def test_changing_a_stored_event_breaks_the_chain_at_that_event(chain: list[Event], column: str, value: str) -> None:
    target = chain[1]
    tamper(f"UPDATE audit_event SET {column} = %s WHERE id = %s", [value, target.pk])  # noqa: S608
    checked, broken = verify()
    assert broken is not None and broken.event_id == target.pk and checked == 1
    with pytest.raises(CommandError, match=f"event id {target.pk}"):
        call_command("verify_events")


def test_changing_the_time_of_an_event_is_detected(chain: list[Event]) -> None:
    target = chain[0]
    tamper("UPDATE audit_event SET created_on = %s WHERE id = %s", ["2020-01-01 00:00:00", target.pk])
    _, broken = verify()
    assert broken is not None and broken.event_id == target.pk


def test_deleting_an_event_is_detected(chain: list[Event]) -> None:
    tamper("DELETE FROM audit_event WHERE id = %s", [chain[1].pk])
    _, broken = verify()
    assert broken is not None and broken.sequence == 2


def test_deleting_the_last_event_is_detected(chain: list[Event]) -> None:
    tamper("DELETE FROM audit_event WHERE id = %s", [chain[-1].pk])
    _, broken = verify()
    assert broken is not None and broken.event_id is None


def test_recomputing_a_changed_event_hash_still_breaks_the_next_link(chain: list[Event]) -> None:
    event = chain[0]
    # What the chain covers is the stored form (for an incident's event, its sealed content).
    before, after, _ = getattr(event, "_stored", (event.before, event.after, event.reason))
    event._stored = (before, after, "rewritten")  # type: ignore[attr-defined]
    new_hash = event.compute_hash()
    tamper("UPDATE audit_event SET reason = %s, hash = %s WHERE id = %s", ["rewritten", new_hash, event.pk])
    _, broken = verify()
    assert broken is not None and broken.event_id == chain[1].pk


@pytest.mark.asvs("V16.4.2")
def test_direct_changes_are_refused_on_both_engines(chain: list[Event]) -> None:
    statements = ("UPDATE audit_event SET reason = 'x' WHERE id = %s", "DELETE FROM audit_event WHERE id = %s")
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [chain[0].pk])
    assert verify()[1] is None


def test_record_refuses_to_write_outside_a_transaction(transactional_db: None, cast: Cast) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(organisation_id=cast.school_a.pk, action="x")
