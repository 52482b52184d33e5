"""Incidents' content sealed at rest (decision 0038, audit/sealing.py).

A canary typed into a report, a note, a message, a correction, the DPO's advice, the outcome
report and the events of it all is found nowhere in clear in the database; every page still
shows it; a sealed value moved to another incident or changed does not open; destroying the
incident's key makes every copy unreadable, the record's events included, while the record
still verifies. Runs on SQLite and PostgreSQL (DATABASE_URL).
"""

from typing import Any

import pytest
from django.db import connection, transaction
from django.urls import reverse

from audit import sealing
from audit.log import events_for
from audit.models import Event
from audit.verify import verify_all
from incidents import lifecycle
from incidents.models import Incident, InternalNote, ReporterMessage

from .factories import reported_incident
from .full_incident import County, county
from .lifecycle_helpers import classification
from .lifecycle_states import settle
from .test_anonymous_canary import dump

CANARY = "Quillonby-7c41"


@pytest.fixture
def c(db: None) -> County:
    return county()


def canary_incident(c: County) -> Incident:
    incident = reported_incident(
        c.school,
        c.reporter,
        description=f"A class list naming {CANARY} went to the wrong parent.",
        location=f"{CANARY}'s classroom",
        people_involved=f"{CANARY} and a teacher",
        personal_data="yes",
    )
    manager = c.manager
    lifecycle.triage(incident, by=manager, investigator=c.investigator, **classification("minor"))
    lifecycle.start_investigation(incident, by=c.investigator)
    lifecycle.add_note(incident, by=manager, body=f"Spoke to {CANARY}'s parent.")
    lifecycle.message_reporter(incident, by=manager, body=f"Did {CANARY} see it?")
    lifecycle.correct(incident, by=manager, field="location", value=f"{CANARY}'s office", reason=f"{CANARY} said so")
    settle(incident, manager)
    lifecycle.save_outcome_draft(incident, by=c.investigator, sections={"summary": f"{CANARY} was told."})
    incident.refresh_from_db()
    return incident


def clear_copies(tables: dict[str, set[tuple[str, ...]]], needle: str) -> dict[str, int]:
    return {table: n for table, rows in tables.items() if (n := sum(needle in " ".join(row) for row in rows))}


@pytest.mark.django_db(transaction=True)
def test_the_database_holds_no_clear_copy_of_an_incidents_content(c: County, client: Any) -> None:
    incident = canary_incident(c)
    found = clear_copies(dump(), CANARY)
    assert found == {}, f"the canary is stored in clear in {found}"
    # ... and whoever may see it still reads it everywhere.
    client.force_login(c.manager)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert f"A class list naming {CANARY}" in page
    assert f"Spoke to {CANARY}" in page and f"Did {CANARY} see it?" in page
    assert CANARY in InternalNote.objects.get(incident=incident).body
    assert any(CANARY in str(event.after) for event in events_for(incident))


@pytest.mark.django_db
def test_a_sealed_value_moved_to_another_incident_or_column_does_not_open(c: County) -> None:
    first = canary_incident(c)
    other = reported_incident(c.school, c.reporter, description="Another one")
    stored = Incident.objects.filter(pk=first.pk).values_list("description", flat=True).get()
    assert sealing.is_sealed(stored) and CANARY not in stored
    with pytest.raises(sealing.SealingError):
        sealing.open_text(stored, "incidents_incident.location")  # another column
    moved = sealing.PREFIX + str(other.uuid) + ":" + stored.split(":", 3)[3]
    with pytest.raises(sealing.SealingError):
        sealing.open_text(moved, "incidents_incident.description")  # another incident's key
    with pytest.raises(ValueError, match="sealed"):
        Incident.objects.filter(pk=first.pk).update(description="written around the seal")


@pytest.mark.django_db
def test_destroying_the_key_leaves_nothing_readable_and_the_record_provable(c: County) -> None:
    incident = canary_incident(c)
    with transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(content_key=sealing.DESTROYED)
    sealing.clear_cache()
    again = Incident.objects.get(pk=incident.pk)
    assert again.description == "" and again.location == ""
    assert ReporterMessage.objects.get(incident=incident).body == ""
    events = list(Event.objects.filter(record_id=str(incident.pk), record_type="incidents.incident"))
    assert events and all(getattr(event, "disposed", False) for event in events if event.before is None)
    assert not any(CANARY in str((event.before, event.after, event.reason)) for event in events)
    report = verify_all(run_checks=False)
    assert report.breaks == [] and report.events >= len(events)


@pytest.mark.django_db
def test_events_of_an_incident_are_stored_sealed_and_the_chain_covers_what_is_stored(c: County) -> None:
    incident = canary_incident(c)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT before, after, reason FROM audit_event WHERE record_type = %s AND record_id = %s",
            ["incidents.incident", str(incident.pk)],
        )
        rows = cursor.fetchall()
    assert rows and all(CANARY not in " ".join(str(v) for v in row) for row in rows)
    assert all("sealed:1:" in str(row[0]) for row in rows if row[0] is not None)
    assert verify_all(run_checks=False).breaks == []


@pytest.mark.django_db
def test_values_rows_open_their_sealed_columns_and_unwrap_no_key_when_none_was_read(
    c: County, django_assert_num_queries: Any
) -> None:
    incident = reported_incident(c.school, c.reporter, description=f"{CANARY} lost a laptop", location="Library")
    sealing.clear_cache()
    row = dict(Incident.objects.filter(pk=incident.pk).values("uuid", "content_key", "reference", "description").get())
    with django_assert_num_queries(0):  # the row's own key, not asked for by its id
        sealing.open_values(Incident, row)
    assert row["description"] == f"{CANARY} lost a laptop" and row["reference"] == incident.reference
    assert str(incident.uuid) in sealing._cache

    sealing.clear_cache()
    plain = Incident.objects.filter(pk=incident.pk).values("uuid", "content_key", "reference", "severity").get()
    assert sealing.open_values(Incident, dict(plain)) == plain
    assert sealing._cache == {}, "a row with nothing sealed in it unwrapped its key"

    sealing.clear_cache()
    by_id = dict(Incident.objects.filter(pk=incident.pk).values("location").get())
    assert sealing.open_values(Incident, by_id) == {"location": "Library"}  # the key found by its id
