"""Lessons, known errors, training and the one search (issue 18; issue 20's index).

The search is checked against a reference ranking computed here in plain Python from the
rule in docs/decisions/0035-full-text-search.md: the same results, in the same order, on
SQLite and on PostgreSQL (CI runs this file on both).
"""

import io
import random
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from openpyxl import Workbook

from audit.models import Event
from incidents import lifecycle
from incidents.models import Incident
from learning import search, services
from learning.corpus import description, make_incidents
from learning.models import KnownError, SearchEntry, TrainingRecord
from organisations.models import Membership, Role

from .conftest import Cast, People
from .factories import UserFactory, reported_incident
from .lifecycle_states import build


def reference_ranking(user_incident_ids: set[int], text: str) -> list[tuple[str, int]]:
    """The rule, in Python: every word begins a word present; score; newer incident, kind, newer key."""
    terms = search.query_terms(text)
    ranked = []
    for entry in SearchEntry.objects.filter(incident_id__in=user_incident_ids):
        tokens = entry.body.split()  # blind words: one for each beginning of each word
        hits = [sum(1 for token in tokens if token == blind) for blind in search.blind_terms(terms)]
        if not all(hits):
            continue
        score = 100 * sum(1 for h in hits if h) + (1000 * sum(hits)) // (entry.words + 20)
        ranked.append((-score, -entry.incident_id, entry.kind, -entry.key))
    ranked.sort()
    return [(kind, -key) for _, _, kind, key in ranked]


@pytest.mark.django_db
def test_a_blind_word_is_found_exactly_where_the_clear_word_begins_a_word() -> None:
    vocabulary = ["email", "emails", "emailed", "em", "it", "item", "parent", "parents", "apparent", "ém"]
    for word in (w for text in vocabulary for w in search.words(text)):
        held = set(search.blind_words([word]))
        for term in search.query_terms(" ".join(vocabulary)):
            begins = word.startswith(term) if len(term) >= search.PREFIX_FROM else word == term
            assert (search.blind_terms([term])[0] in held) == begins, (word, term)
        assert not set(search.words(word)) & held  # no clear word is kept


QUERIES = ["laptop", "wrong parent", "printer office", "Class-List", "ransomware backup", "EMAIL néar", "nothingatall"]


def test_search_ranks_a_generated_corpus_by_the_engine_independent_rule(cast: Cast) -> None:
    make_incidents([cast.school_a, cast.school_b], 400, seed=11)
    search.rebuild()
    carol_sees = set(Incident.objects.visible_to(cast.carol).values_list("pk", flat=True))
    assert len(carol_sees) == 400
    for text in QUERIES:
        got = [(e.kind, e.key) for e in search.entries(cast.carol, text)]
        assert got == reference_ranking(carol_sees, text), text
    assert search.entries(cast.carol, "laptop").count() > 10
    # Scores differ, so the order is not only the tie-break.
    scores = [e.score for e in search.entries(cast.carol, "wrong parent")]  # type: ignore[attr-defined]
    assert len(set(scores)) > 1


def walk(monkeypatch: pytest.MonkeyPatch, from_a_root: bool) -> None:
    """Make the search take one way or the other, whoever asks."""
    from incidents.models.incident import IncidentQuerySet

    monkeypatch.setattr(IncidentQuerySet, "seen_from_a_root", lambda self, user: from_a_root)


@pytest.mark.parametrize("from_a_root", [True, False], ids=["through the index", "through the stored words"])
def test_both_ways_of_matching_give_the_same_ranking(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, from_a_root: bool
) -> None:
    """Someone who sees from the top of a tree walks the engine's index; a school or trust
    reads its own entries' words. Each gives the reference ranking, "similar"'s any-word match too."""
    walk(monkeypatch, from_a_root)
    make_incidents([cast.school_a, cast.school_b], 300, seed=5)
    search.rebuild()
    carol_sees = set(Incident.objects.visible_to(cast.carol).values_list("pk", flat=True))
    for text in QUERIES:
        got = [(e.kind, e.key) for e in search.entries(cast.carol, text)]
        assert got == reference_ranking(carol_sees, text), text
    terms = ["printer", "parent"]
    either = {e.pk for e in search.matching(cast.carol, terms, any_word=True)}
    both = {e.pk for e in search.matching(cast.carol, terms)}
    assert both < either
    assert either == {
        e.pk
        for e in SearchEntry.objects.filter(incident_id__in=carol_sees)
        if {search.blind_terms(["printer"])[0], search.blind_terms(["parent"])[0]} & set(e.body.split())
    }
    assert [e.pk for e in search.matching(cast.carol, terms)] == sorted(both, reverse=True)  # newest entry first


@pytest.mark.parametrize("from_a_root", [True, False], ids=["through the index", "through the stored words"])
def test_only_the_newest_matches_are_ranked_and_the_page_says_so(
    cast: Cast, client, monkeypatch: pytest.MonkeyPatch, from_a_root: bool
) -> None:
    walk(monkeypatch, from_a_root)
    monkeypatch.setattr(search, "CANDIDATES", 5)
    make_incidents([cast.school_a, cast.school_b], 200, seed=3)
    search.rebuild()
    carol_sees = set(Incident.objects.visible_to(cast.carol).values_list("pk", flat=True))
    newest = sorted((e.pk for e in search.matching(cast.carol, ["laptop"])), reverse=True)
    assert len(newest) > 5
    ranked = search.entries(cast.carol, "laptop")
    assert {e.pk for e in ranked} == set(newest[:5])
    assert [(e.kind, e.key) for e in ranked] == [
        pair
        for pair in reference_ranking(carol_sees, "laptop")
        if SearchEntry.objects.get(kind=pair[0], key=pair[1]).pk in newest[:5]
    ]
    assert search.more_than_ranked(cast.carol, "laptop")
    assert not search.more_than_ranked(cast.carol, "nothingatall")
    client.force_login(cast.carol)
    page = client.get(reverse("learning:search"), {"q": "laptop"}).content.decode()
    assert "More than 5 entries match “laptop”. These are the best matches among the 5 newest." in page


def test_search_respects_visible_to_in_the_query(cast: Cast) -> None:
    reported_incident(cast.school_a, cast.bob, description="The minibus register went missing")
    reported_incident(cast.school_b, None, description="Another minibus register was photographed")
    found = {e.organisation_id for e in search.entries(cast.alice, "minibus register")}
    assert found == {cast.school_a.pk}
    assert {e.organisation_id for e in search.entries(cast.dave, "minibus")} == {cast.school_b.pk}
    assert search.entries(cast.carol, "minibus").count() == 2
    assert search.entries(cast.bob, "minibus").count() == 0  # a reporter opens no incident here
    # The visibility is a condition of the query itself, not a filter over rows in Python.
    assert "learning_searchentry" in str(search.entries(cast.alice, "minibus").query)
    assert 'incident_id" IN (SELECT' in str(search.entries(cast.alice, "minibus").query)


def outside_help(incident: Incident, person: Any, *, by: Any) -> None:
    """`person` let into `incident` for three days (outside help), invited by `by`."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import OutsideAccess

    OutsideAccess.objects.create(
        incident=incident,
        name="Helper",
        email=person.email,
        ends_on=timezone.now() + timedelta(days=3),
        invited_by=by,
        invited_on=timezone.now(),
        person=person,
    )


def test_a_trust_searches_its_schools_through_the_index_on_postgresql(cast: Cast) -> None:
    """A trust's incident manager finds the matches of the trust's schools and no others: not a
    school outside the trust, not a restricted incident that doesn't name them; outside help
    adds the one incident it opens. On PostgreSQL the trust's entries are met with the engine's
    index (the organisations as an array, the words through GIN); a school's on their stored words."""

    from django.db import connection

    from incidents import restriction
    from organisations.models import Organisation

    from .factories import OrganisationFactory

    trust = OrganisationFactory(name="Trust", kind=Organisation.Kind.TRUST, parent=cast.county)
    first, second = (OrganisationFactory(name=f"Trust school {n}", parent=trust) for n in (1, 2))
    manager = UserFactory(email="trust@example.org")
    Membership.objects.create(user=manager, organisation=trust, role=Role.INCIDENT_MANAGER)
    Membership.objects.create(user=cast.alice, organisation=first, role=Role.INCIDENT_MANAGER)
    theirs = [
        reported_incident(school, None, description="The minibus register went missing") for school in (first, second)
    ]
    kept_from = reported_incident(first, None, description="A minibus register photographed")
    restriction.restrict(kept_from, by=cast.carol, people=[cast.alice], reason="The trust's manager is implicated")
    elsewhere = reported_incident(cast.school_b, None, description="Another minibus register lost")
    helped = reported_incident(cast.school_b, None, description="A minibus register in the wrong bag")
    outside_help(helped, manager, by=cast.carol)

    def found(user: object, text: str) -> set[int]:
        return {e.incident_id for e in search.entries(user, text)}

    assert found(manager, "minibus register") == {*(i.pk for i in theirs), helped.pk}
    assert elsewhere.pk not in found(manager, "minibus") and kept_from.pk in found(cast.alice, "minibus")
    assert {e.incident_id for e in search.similar(manager, elsewhere, kinds=["incident"])} == {
        *(i.pk for i in theirs),
        helped.pk,
    }
    trusts, schools = (str(search.matching(u, ["minibus"]).query) for u in (manager, cast.alice))
    any_word = str(search.matching(manager, ["minibus", "register"], any_word=True).query)
    if connection.vendor == "postgresql":
        assert '"organisation_id" = ANY(ARRAY(' in trusts and "@@ to_tsquery" in trusts
        # "Similar": most entries match; a subquery lets PostgreSQL walk them newest first.
        assert '"organisation_id" = ANY(' not in any_word and '"organisation_id" IN (SELECT' in any_word
        assert "@@" in any_word
        assert "@@" not in schools and "LIKE" in schools
    else:
        assert all("LIKE" in sql for sql in (trusts, any_word, schools))  # FTS5 can't meet the organisation index


def test_outside_help_finds_the_incident_it_opens_and_no_other(cast: Cast) -> None:
    """Someone with no role (a forensics firm) and a handler of another school, each given
    outside help on one incident: their searches and "similar" find that incident only."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from incidents.models import OutsideAccess

    opened = reported_incident(cast.school_a, cast.bob, description="The minibus register went missing")
    reported_incident(cast.school_a, cast.bob, description="A second minibus register was left on the bus")
    pat = get_user_model().objects.create_user(email="pat@forensics.example", password="x")
    for person in (pat, cast.dave):
        outside_help(opened, person, by=cast.alice)
    assert [e.incident_id for e in search.entries(pat, "minibus register")] == [opened.pk]
    assert {e.incident_id for e in search.entries(cast.dave, "minibus")} == {opened.pk}  # not the other of school A
    OutsideAccess.objects.filter(person=pat).update(ends_on=timezone.now() - timedelta(minutes=1))
    assert search.entries(pat, "minibus").count() == 0  # ended: found no more


def test_the_index_changes_in_the_same_transaction_as_the_change(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="Projector cable")
    assert search.entries(cast.alice, "projector").count() == 1

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        lifecycle.add_note(incident, by=cast.alice, body="The quartermaster had the spare key")
        # Inside the note's transaction, before it commits, the note's words are found.
        assert [e.key for e in search.entries(cast.alice, "quartermaster")] == [incident.pk]
        raise Undo
    assert search.entries(cast.alice, "quartermaster").count() == 0
    lifecycle.add_note(incident, by=cast.alice, body="The quartermaster had the spare key")
    assert search.entries(cast.alice, "quartermaster").count() == 1


def test_the_incident_list_filters_through_the_index(client, cast: Cast) -> None:
    wanted = reported_incident(cast.school_a, cast.bob, description="Visitor badge printer jammed")
    reported_incident(cast.school_a, cast.bob, description="Something else entirely")
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:list"), {"q": "badge printer"}).content.decode()
    assert wanted.reference in page and "1 incident" in page
    page = client.get(reverse("incidents:list"), {"q": wanted.reference}).content.decode()
    assert "1 incident" in page


def test_a_lesson_from_an_accepted_report_is_in_the_register_and_found_by_search(client, people: People) -> None:
    incident = build("minor submitted manager accepted", people)
    report = incident.outcome_report
    assert report.status == "accepted"
    alice = people.cast.alice
    client.force_login(alice)
    page = client.get(reverse("learning:lessons")).content.decode()
    assert "Check the recipient." in page and incident.reference in page
    found = client.get(reverse("learning:search"), {"q": "recipient"}).content.decode()
    assert 'data-kind="lesson"' in found and f"Lesson from {incident.reference}" in found
    assert client.get(reverse("learning:lessons"), {"q": "recipient"}).content.decode().count("data-lesson=") == 1
    assert client.get(reverse("learning:lessons"), {"q": "nowhere"}).content.decode().count("data-lesson=") == 0
    # Someone elsewhere finds nothing of it.
    client.force_login(people.cast.dave)
    assert "data-kind" not in client.get(reverse("learning:search"), {"q": "recipient"}).content.decode()


def test_a_known_error_is_raised_from_an_incident_and_offered_at_triage(client, cast: Cast) -> None:
    first = reported_incident(cast.school_a, cast.bob, description="Scanner saves scans into the pupils folder")
    client.force_login(cast.alice)
    response = client.post(
        reverse("learning:raise_known_error", args=[first.uuid]),
        {
            "title": "Scanner sends scans to the pupils folder",
            "symptom": "Scans appear in the pupils shared folder",
            "cause": "The default folder was reset",
            "workaround": "Choose the staff folder before scanning",
            "fix": "",
            "status": "workaround",
        },
    )
    known_error = KnownError.objects.get()
    assert response.status_code == 302 and known_error.incident == first
    raised = Event.objects.get(action="known_error.raised")
    assert (raised.record_id, raised.target_id) == (str(first.pk), str(known_error.pk))
    second = reported_incident(cast.school_a, cast.bob, description="My scans went to the pupils folder again")
    page = client.get(reverse("incidents:triage", args=[second.uuid])).content.decode()
    assert "Known errors that may apply" in page and "Scanner sends scans to the pupils folder" in page
    # Someone who cannot see the first incident is not offered it.
    elsewhere = reported_incident(cast.school_b, None, description="Scans in the pupils folder")
    client.force_login(cast.dave)
    page = client.get(reverse("incidents:triage", args=[elsewhere.uuid])).content.decode()
    assert "Scanner sends scans" not in page
    # Changing it is an event too, and the index follows.
    client.force_login(cast.alice)
    client.post(
        reverse("learning:change_known_error", args=[known_error.pk]),
        {
            "title": "Scanner folder reset",
            "symptom": "Scans in the pupils folder",
            "status": "fixed",
            "fix": "Firmware",
        },
    )
    assert Event.objects.filter(action="known_error.changed").count() == 1
    assert [e.title for e in search.entries(cast.alice, "firmware")] == ["Scanner folder reset"]


def test_similar_incidents_on_the_incident_page_respect_visibility(client, cast: Cast) -> None:
    one = reported_incident(cast.school_a, cast.bob, description="Whiteboard photo showed pupil passwords")
    two = reported_incident(cast.school_a, cast.bob, description="Pupil passwords written on a whiteboard")
    hidden = reported_incident(cast.school_b, None, description="Whiteboard with pupil passwords at school B")
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[one.uuid])).content.decode()
    similar = page.split('id="similar"')[1]
    assert two.reference in similar and hidden.reference not in similar and one.reference not in similar
    client.force_login(cast.carol)
    similar = client.get(reverse("incidents:detail", args=[one.uuid])).content.decode().split('id="similar"')[1]
    assert hidden.reference in similar


def test_similar_ranks_only_the_newest_matches_of_any_word(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SIMILAR_CANDIDATES", 3)
    subject = reported_incident(cast.school_a, cast.bob, description="Whiteboard photo showed pupil passwords")
    # The best match, but the oldest: outside the newest three matches, so not ranked.
    best = reported_incident(cast.school_a, cast.bob, description="Whiteboard photo pupil passwords again")
    newer = [
        reported_incident(cast.school_a, cast.bob, description=f"Pupil passwords seen {n}") for n in range(3)
    ]  # each indexed as it is reported: entries are newest by id
    found = [e.incident_id for e in search.similar(cast.alice, subject, kinds=[SearchEntry.Kind.INCIDENT])]
    assert sorted(found) == sorted(i.pk for i in newer) and best.pk not in found
    monkeypatch.setattr(search, "SIMILAR_CANDIDATES", 10)
    caches["process"].clear()  # what was found with 3 is kept (SIMILAR_KEPT_SECONDS)
    found = [e.incident_id for e in search.similar(cast.alice, subject, kinds=[SearchEntry.Kind.INCIDENT])]
    assert found[0] == best.pk and len(found) == 4


def test_similar_is_kept_for_a_while_and_shown_only_while_the_person_may_see_it(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    subject = reported_incident(cast.school_a, cast.bob, description="Whiteboard photo showed pupil passwords")
    same_school = reported_incident(cast.school_a, cast.bob, description="Pupil passwords on a whiteboard")
    elsewhere = reported_incident(cast.school_b, None, description="Whiteboard with pupil passwords at school B")
    kinds = [SearchEntry.Kind.INCIDENT]
    first = [e.incident_id for e in search.similar(cast.carol, subject, kinds=kinds)]
    assert set(first) == {same_school.pk, elsewhere.pk}
    later = reported_incident(cast.school_a, cast.bob, description="Whiteboard photo pupil passwords again")
    with CaptureQueriesContext(connection) as captured:
        again = [e.incident_id for e in search.similar(cast.carol, subject, kinds=kinds)]
    assert again == first and later.pk not in again  # kept: not ranked again
    assert not any("UNION" in q["sql"] or "LENGTH(" in q["sql"] for q in captured.captured_queries)
    # Carol is now a DPO of school A only: what was kept for her from school B is not shown.
    Membership.objects.filter(user=cast.carol).update(organisation=cast.school_a)
    carol = type(cast.carol).objects.get(pk=cast.carol.pk)  # her roles read afresh, as on her next request
    assert [e.incident_id for e in search.similar(carol, subject, kinds=kinds)] == [same_school.pk]
    # Another person, or the same one after SIMILAR_KEPT_SECONDS, is ranked afresh.
    assert later.pk in [e.incident_id for e in search.similar(cast.alice, subject, kinds=kinds)]
    caches["process"].clear()
    assert later.pk in [e.incident_id for e in search.similar(carol, subject, kinds=kinds)]


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_training_is_imported_entered_and_shown_beside_the_reporter(client, cast: Cast) -> None:
    client.force_login(cast.alice)
    url = reverse("learning:import_training") + f"?scope={cast.school_a.uuid}"
    bad = io.BytesIO(
        b"Email,Course,Completed\nbob@example.org,Data protection,2026-09-14\nnobody@example.org,X,2026-01-01\n"
    )
    bad.name = "training.csv"
    page = client.post(url, {"file": bad}).content.decode()
    assert "nobody@example.org is not one of this organisation" in page and TrainingRecord.objects.count() == 0
    good = io.BytesIO(
        _workbook(
            [["Email address", "Training", "Date completed"], ["bob@example.org", "Data protection", "14/09/2026"]]
        )
    )
    good.name = "training.xlsx"
    assert client.post(url, {"file": good}).status_code == 302
    record = TrainingRecord.objects.get()
    assert (record.person, record.course, record.source) == (cast.bob, "Data protection", "imported")
    assert Event.objects.filter(action="training.imported").count() == 1
    # One by one, too.
    response = client.post(
        reverse("learning:add_training") + f"?scope={cast.school_a.uuid}",
        {"person": cast.alice.pk, "course": "Phishing awareness", "completed_on": "2026-10-01"},
    )
    assert response.status_code == 302 and Event.objects.filter(action="training.recorded").count() == 1
    incident = reported_incident(cast.school_a, cast.bob, description="Left a laptop on the train")
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "The reporter’s training" in page or "The reporter's training" in page
    assert "Data protection, 14 September 2026" in page
    # The figure: two of the school's people (alice, bob) trained; carol is above, not counted at the school.
    assert services.completion(cast.school_a, today=record.completed_on)["trained"] == 1
    dashboard = client.get(reverse("insights:dashboard"), {"scope": cast.school_a.uuid}).content.decode()
    assert 'data-figure="training"' in dashboard
    # Someone elsewhere sees none of it.
    assert TrainingRecord.objects.visible_to(cast.dave).count() == 0


def test_an_anonymous_reporter_has_no_training_shown(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="Anonymous one")
    Incident.objects.filter(pk=incident.pk).update(reporter_anonymous=True)
    TrainingRecord.objects.create(
        organisation=cast.school_a,
        person=cast.bob,
        course="Data protection",
        completed_on="2026-01-01",
        recorded_by=cast.alice,
        recorded_on=incident.reported_on,
    )
    client.force_login(cast.alice)
    assert "reporter-training" not in client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()


def test_the_pack_has_a_training_section_without_names(cast: Cast) -> None:
    from datetime import date

    from insights.pack import Period, build
    from insights.scope import Scope

    UserFactory(email="extra@example.org")
    Membership.objects.filter(user=cast.bob).update(role=Role.REPORTER)
    services.record_training(
        organisation=cast.school_a,
        person=cast.bob,
        course="Data protection",
        completed_on=date(2026, 9, 14),
        by=cast.alice,
    )
    data = build(Scope(cast.school_a, [cast.school_a], True), Period(date(2026, 9, 1), date(2026, 9, 30)))
    (section,) = [s for s in data["sections"] if s["title"] == "Training and awareness"]
    assert section["rows"] == [["Data protection", "1"]]
    assert "Bob" not in str(section)


def test_rebuild_gives_the_same_entries_as_the_live_index(cast: Cast) -> None:
    rng = random.Random(3)
    for _ in range(5):
        reported_incident(cast.school_a, cast.bob, description=description(rng)[0])
    live = sorted(SearchEntry.objects.values_list("kind", "key", "body", "words"))
    search.rebuild()
    assert sorted(SearchEntry.objects.values_list("kind", "key", "body", "words")) == live
