"""Find a person (issue 17): where a name, email address or identifier stands, across every
incident the searcher may open, the events written, and the subject access bundle.

Run on both engines (CI's PostgreSQL job runs every file; locally with DATABASE_URL set).
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import Event
from breaches.engine import Facts
from breaches.models import Assessment
from evidence.models import Evidence
from evidence.services import add_evidence
from incidents import lifecycle, restriction
from incidents.models import OutsideAccess
from learning import find_person, search
from learning.models import SearchEntry
from organisations.models import Membership, Role

from .conftest import Cast, People
from .factories import reported_incident
from .test_contract import PNG

PUPIL = "Jessica Pemberton-Oyelaran"


def pdf_text(content: bytes) -> str:
    """The PDF's text, line breaks and runs of spaces made single spaces (as tests/test_breaches.py)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def places_of(found: find_person.Found) -> set[tuple[str, str]]:
    return {(place.incident.reference or "", place.where.split(" of ")[0]) for place in found.places}


@pytest.fixture
def two_incidents(cast: Cast) -> tuple:
    """Jessica named in school A's report, a message, a note, an evidence file name, the breach
    record and a correction; and in school B's people involved."""
    first = reported_incident(
        cast.school_a,
        cast.bob,
        description="A class list was emailed to the wrong parent.",
        people_involved=f"{PUPIL} (Year 6), her teacher Mr Okafor",
        personal_data="yes",
    )
    lifecycle.add_note(first, by=cast.alice, body=f"Spoke to Jessica's mother about {PUPIL}; Sam Jones was there too.")
    lifecycle.message_reporter(first, by=cast.alice, body=f"Did the list include {PUPIL}? Call 07700 900123.")
    with transaction.atomic():
        add_evidence(incident=first, content=PNG, original_name="jessica-pemberton-oyelaran.png", actor=cast.alice)
    facts = Facts.from_dict(
        {"data_categories": ["basic_identifiers"], "harm_notes": f"{PUPIL}'s address was on the list, pupil 123456"}
    )
    Assessment.record_assessment(incident=first, facts=facts, by=cast.carol)
    second = reported_incident(
        cast.school_b, None, description="A report card went home in the wrong bag.", people_involved=PUPIL
    )
    return first, second


def test_finds_a_pupil_across_incidents_messages_notes_evidence_and_the_breach_record(
    cast: Cast, two_incidents: tuple
) -> None:
    first, second = two_incidents
    found = find_person.find(cast.carol, PUPIL)
    assert places_of(found) == {
        (first.reference, "the report"),
        (first.reference, "note"),
        (first.reference, "message to the reporter"),
        (first.reference, "evidence file name"),
        (first.reference, "breach record"),
        (second.reference, "the report"),
    }
    note = next(p for p in found.places if p.kind == SearchEntry.Kind.NOTE)
    ((label, pieces),) = note.parts
    assert label == "Note"
    assert (PUPIL, "match") in pieces
    assert ("Sam Jones", "redact") in pieces  # someone else's name, marked for redaction
    message = next(p for p in found.places if p.kind == SearchEntry.Kind.MESSAGE)
    assert ("07700 900123", "redact") in message.parts[0][1]
    breach = next(p for p in found.places if p.kind == SearchEntry.Kind.BREACH)
    assert breach.parts[0][0] == "Assessment 1: harm" and ("123456", "redact") in breach.parts[0][1]
    # The text shown is the row's current value, read afresh: a correction shows at once.
    lifecycle.correct(
        first, by=cast.alice, field="people_involved", value="Jessica P. (Year 6)", reason="Initials only"
    )
    again = find_person.find(cast.carol, "Pemberton")
    assert (first.reference, "correction") in places_of(again)
    assert (first.reference, "the report") not in places_of(again)  # the report no longer names her


def test_finds_by_email_address_and_by_pupil_number(cast: Cast) -> None:
    incident = reported_incident(
        cast.school_a,
        None,
        description="A parent, jo.bloggs@example.net, was sent another family's report. UPN A123456789012.",
    )
    assert [p.incident for p in find_person.find(cast.alice, "jo.bloggs@example.net").places] == [incident]
    (place,) = find_person.find(cast.alice, "A123456789012").places
    assert ("A123456789012", "match") in place.parts[0][1]
    assert ("jo.bloggs@example.net", "redact") in place.parts[0][1]


def test_finds_only_what_visible_to_lets_the_searcher_open(cast: Cast, people: People, two_incidents: tuple) -> None:
    first, second = two_incidents
    # Another school's incident: alice (school A) never finds school B's.
    assert {p.incident for p in find_person.find(cast.alice, PUPIL).places} == {first}
    assert {p.incident for p in find_person.find(cast.dave, PUPIL).places} == {second}
    # A restricted incident the searcher is not named on: not found.
    restriction.restrict(first, by=cast.carol, people=[people.siro], reason="Safeguarding")
    assert {p.incident for p in find_person.find(cast.alice, PUPIL).places} == set()
    assert first in {p.incident for p in find_person.find(people.siro, PUPIL).places}
    # Outside help: found while it lasts, not once it has expired.
    access = OutsideAccess.objects.create(
        incident=second,
        name="Alice",
        email=cast.alice.email,
        ends_on=timezone.now() + timedelta(days=2),
        invited_by=cast.dave,
        invited_on=timezone.now(),
        person=cast.alice,
    )
    assert {p.incident for p in find_person.find(cast.alice, PUPIL).places} == {second}
    OutsideAccess.objects.filter(pk=access.pk).update(ends_on=timezone.now() - timedelta(minutes=1))
    assert find_person.find(cast.alice, PUPIL).places == []


def test_a_confidential_reporter_is_found_only_by_those_who_may_know_them(cast: Cast, people: People) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="A phishing email.")
    incident.reporter_confidential = True
    incident.save(update_fields=["reporter_confidential"])
    assert find_person.find(cast.alice, "Bob Reporter").places == []  # the incident manager may not know
    (place,) = find_person.find(people.siro, "bob@example.org").places
    assert place.incident == incident and place.where == "the reporter"


def test_the_index_names_each_place_and_the_search_page_still_looks_only_in_its_own(
    cast: Cast, two_incidents: tuple
) -> None:
    first, _ = two_incidents
    kinds = set(SearchEntry.objects.filter(incident=first).values_list("kind", flat=True))
    assert {"incident", "people", "reporter", "note", "message", "evidence", "breach"} <= kinds
    assert {e.kind for e in search.entries(cast.carol, "Pemberton")} == {"incident"}  # only the report's words
    assert {e.kind for e in search.entries(cast.carol, "Okafor")} == set()  # people involved: find a person's


def test_rebuild_writes_the_same_places_as_the_live_index(cast: Cast, two_incidents: tuple) -> None:
    live = sorted(SearchEntry.objects.values_list("kind", "key", "incident_id", "body", "words"))
    search.rebuild()
    assert sorted(SearchEntry.objects.values_list("kind", "key", "incident_id", "body", "words")) == live


def test_rebuild_writes_each_incident_s_entries_together_oldest_incident_first(
    cast: Cast, two_incidents: tuple
) -> None:
    # Newest entries first is newest incidents first, as the live index writes them: a county's
    # search walks the entries newest first (`search.matching`), and the places of every incident
    # written after all the incidents' own entries made it read through them first.
    search.rebuild(batch=1)
    written = list(SearchEntry.objects.exclude(kind="known_error").order_by("id").values_list("incident_id", "kind"))
    order = [incident_id for incident_id, _ in written]
    assert order == sorted(order)
    assert {kind for _, kind in written} >= {"incident", "people", "note"}
    assert len(set(order)) == 2


def test_the_page_lists_each_place_and_records_the_search(client, cast: Cast, two_incidents: tuple) -> None:
    first, _ = two_incidents
    client.force_login(cast.carol)
    page = client.get(reverse("learning:find_a_person"), {"q": PUPIL}).content.decode()
    assert "Found in 6 places in 2 incidents" in page
    assert f'<mark class="app-match">{PUPIL}</mark>' in page
    assert "(for redaction) </span>Sam Jones" in page
    assert "note of " in page and "evidence file name" in page and "breach record" in page
    event = Event.objects.get(action="person.searched")
    after = event.after or {}
    assert event.organisation_id == cast.county.pk and event.actor == cast.carol
    # The record never names the person: the words searched for are kept as blind words.
    assert after["query_blind_words"] == search.blind_terms(search.query_terms(PUPIL)) and after["places"] == 6
    assert PUPIL.split()[0].lower() not in json.dumps(after).lower()
    assert first.reference in after["incidents"]


def test_only_handlers_may_find_a_person(client, cast: Cast, people: People) -> None:
    for user in (cast.bob, people.investigator, people.governor, people.admin):
        client.force_login(user)
        assert client.get(reverse("learning:find_a_person"), {"q": "x"}).status_code == 404
    assert not Event.objects.filter(action="person.searched").exists()


def test_the_bundle_holds_the_pdf_and_the_evidence_files_and_is_recorded(
    client, cast: Cast, two_incidents: tuple
) -> None:
    first, second = two_incidents
    client.force_login(cast.carol)
    response = client.post(reverse("learning:find_a_person_bundle"), {"q": PUPIL})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "subject-access-jessica-pemberton-oyelaran" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names[0] == "bundle.pdf"
    (photo,) = [n for n in names if n.startswith("evidence/")]
    assert photo.endswith(f"{first.reference}-jessica-pemberton-oyelaran.png")
    assert archive.read(photo) == PNG
    text = pdf_text(archive.read("bundle.pdf"))
    assert "6 places in 2 incidents" in text
    assert f"{first.reference}: note of" in text and f"{second.reference}: the report" in text
    assert "Sam Jones [redact]" in text and "Mr Okafor [redact]" in text
    assert "Call 07700 900123 [redact]" in text
    event = Event.objects.get(action="person.bundle_exported")
    after = event.after or {}
    assert event.organisation_id == cast.county.pk
    assert after["query_blind_words"] == search.blind_terms(search.query_terms(PUPIL))
    assert after["files"] == [str(Evidence.objects.get(incident=first).uuid)] and photo.endswith(".png")
    custody = Event.objects.get(action="evidence.downloaded")
    custody_after = custody.after or {}
    assert custody.organisation_id == cast.school_a.pk and custody_after["in"] == "subject access bundle"


def test_a_school_incident_manager_s_search_is_on_their_school_s_chain(client, cast: Cast, two_incidents) -> None:
    Membership.objects.create(user=cast.alice, organisation=cast.school_b, role=Role.SIRO)
    client.force_login(cast.alice)
    client.get(reverse("learning:find_a_person"), {"q": PUPIL})
    assert Event.objects.get(action="person.searched").organisation_id == cast.school_a.pk
