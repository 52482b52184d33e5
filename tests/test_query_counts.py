"""Query pins for the incident pages, for every person who can open them, in every state.

The detail page (reported through closed, with and without a personal data breach) costs at
most 15 queries, counted from the first request of a fresh sign-in: 2 for the session and the
person, 1 for their memberships (visibility and every permission on the page), 1 for the
incident with its report, routing and type, 3 for the "viewed" event, the checklist and the
report's reviews when there are any, the severity wording, the role titles, the navigation,
the breach panel when personal data is involved, the timescales and the timeline. Every list
the page shows (notes, messages, evidence, actions, earlier classifications, related
incidents, duplicates, the breach record's assessments, ...) comes in one query together,
whatever the number of lists and of rows (`core.rows.fetch_lists`), so a fully loaded
incident seen by a county DPO at the root of a deep tree costs no more than 15 either.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.services import create_action
from evidence.services import add_evidence
from incidents import lifecycle
from incidents.panels import detail_incidents

from .factories import reported_incident
from .full_incident import county, full_incident, lists_filled
from .lifecycle_states import STATES, People, build, classification
from .test_contract import PNG

DETAIL_LIMIT = 15
LIST_LIMIT = 10


@pytest.mark.parametrize("state", STATES)
def test_the_incident_page_costs_at_most_15_queries_for_every_viewer(
    client, people: People, state: str, django_assert_max_num_queries
) -> None:
    incident = build(state, people)
    url = reverse("incidents:detail", args=[incident.uuid])
    viewers = 0
    for user in people.everyone().values():
        client.force_login(user)
        with django_assert_max_num_queries(DETAIL_LIMIT):
            status = client.get(url).status_code
        viewers += status == 200
    assert viewers >= 3  # the manager, the DPO and the SIRO at least (and the investigator once assigned)
    # The page's query is built once a process and copied each request: the shared one is never
    # run itself (a cached result would show one person's incident to the next).
    assert detail_incidents()._result_cache is None


def test_a_full_page_costs_one_query_per_list_shown_whatever_its_length(
    client, people: People, django_assert_max_num_queries
) -> None:
    alice = people.cast.alice
    incident = build("major submitted breach all accepted", people)

    def add_rows(first: int, last: int) -> None:
        for i in range(first, last + 1):
            lifecycle.add_note(incident, by=alice, body=f"Note {i}")
            lifecycle.message_reporter(incident, by=alice, body=f"Message {i}")
            create_action(by=alice, incident=incident, title=f"Action {i}", owner=people.investigator, due_on=None)
            with transaction.atomic():
                add_evidence(incident=incident, content=PNG, original_name=f"photo-{i}.png", actor=alice)

    add_rows(1, 1)
    lifecycle.reclassify(incident, by=alice, reason="More found", **classification("major", "yes", nature="event"))
    url = reverse("incidents:detail", args=[incident.uuid])
    # The lists come in one query together, so the page stays within its 15.
    limit = DETAIL_LIMIT
    for user in (alice, people.cast.carol, people.siro, people.investigator):
        client.force_login(user)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
    add_rows(2, 5)
    client.force_login(alice)
    with django_assert_max_num_queries(limit):
        page = client.get(url).content.decode()
    assert page.count("Note ") >= 5, "notes"
    assert "Action 5" in page, "actions"
    assert "photo-5.png" in page, "evidence"


@pytest.mark.parametrize("restricted", [False, True], ids=["open", "restricted"])
def test_a_fully_loaded_incident_costs_at_most_15_queries_for_every_viewer_of_a_deep_tree(
    client, db: None, restricted: bool, django_assert_max_num_queries
) -> None:
    """Every panel filled (tests/full_incident.py), seen by a county DPO whose memberships sit
    at the root and the trust of county > trust > school, by the trust's SIRO and by the
    school's people; a restricted one too, with the people it names and outside help."""
    c = county()
    incident = full_incident(c, restricted=restricted)
    url = reverse("incidents:detail", args=[incident.uuid])
    shown = 0
    for name, user in c.everyone().items():
        client.force_login(user)
        with django_assert_max_num_queries(DETAIL_LIMIT):
            page = client.get(url)
        if page.status_code == 200:
            shown += 1
            assert all(lists_filled(page).values()), (name, lists_filled(page))
            body = page.content.decode()
            for words in ("Note 2", "Message 2", "Action 2", "photo-2.png", "Mailco", "Wrong recipient"):
                assert words in body, (name, words)
    assert shown == (3 if restricted else 5)  # restricted: the DPO who restricted it and the two it names


def test_the_incident_list_costs_at_most_10_queries_for_every_viewer(
    client, people: People, django_assert_max_num_queries
) -> None:
    cast = people.cast
    for n in range(60):
        incident = reported_incident(cast.school_a if n % 2 else cast.school_b, None, description=f"Report {n}")
        if n % 3 == 0 and n % 2:
            lifecycle.triage(incident, by=cast.alice, investigator=people.investigator, **classification("minor"))
    for user in people.everyone().values():
        client.force_login(user)
        with django_assert_max_num_queries(LIST_LIMIT):
            assert client.get(reverse("incidents:list")).status_code == 200


# An incident in each state that puts something on a handler's home: triage, an investigation,
# reviews to do, a close waiting on the breach record, an ICO clock, a critical one overseen.
HOME_STATES = [
    "reported",
    "major investigating report written",
    "minor submitted",
    "major submitted manager accepted",
    "major submitted breach all accepted",
    "major submitted breach all accepted ico decided",
    "critical triaged",
]
# 14 before issues 16 and 18; each app's home items cost their own queries, the same however
# many incidents wait (asserted above): policies to read (the person's organisations, the
# versions that apply, their acknowledgements), policy reviews due, drafts to approve,
# exceptions to decide or ending, and the outside bodies' and controller's deadlines.
HOME_LIMIT = 24


def test_the_home_page_costs_the_same_queries_however_many_incidents_wait(client, people: People) -> None:
    """The home asks the lifecycle's blockers of every candidate incident; what they read (the
    report's reviews, the checklist, the breach record's assessments) is fetched for all at
    once, so four times the incidents cost no more queries."""
    viewers = (people.cast.alice, people.cast.carol, people.siro, people.investigator)

    def visit() -> tuple[list[int], list[int]]:
        queries, items = [], []
        for user in viewers:
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                page = client.get(reverse("home"))
            assert page.status_code == 200
            queries.append(len(captured.captured_queries))
            items.append(len(page.context["items"]) + len(page.context["oversee"]))
        return queries, items

    for state in HOME_STATES:
        build(state, people)
    few, items_few = visit()
    for state in HOME_STATES * 3:
        build(state, people)
    many, items_many = visit()
    assert all(n > 0 for n in items_few), items_few
    assert [n * 4 for n in items_few] == items_many  # four times the work shown...
    assert few == many, (few, many)  # ...for the same queries
    assert max(many) <= HOME_LIMIT, many
