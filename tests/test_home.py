"""A home for each person (issue 13): what needs me now, most urgent first, from the existing rules;
a short navigation (no more than six top items for anyone, the rest beneath)."""

from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from actions.services import create_action
from incidentdesk.navigation import MAX_TOP_ITEMS, groups_for, navigation
from incidents import lifecycle
from incidents.models import Incident
from organisations.models import Membership, Role

from .factories import UserFactory, reported_incident
from .lifecycle_helpers import Team, aware_now, classification, make_team, to_outcome_submitted


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def home(client: Client, user: Any) -> Any:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


def work(response: Any) -> list[tuple[str, str]]:
    return [(item.what, item.incident.reference if item.incident else item.title) for item in response.context["items"]]


def test_the_incident_manager_sees_triage_waiting_oldest_deadline_first_with_how_late(client, team: Team) -> None:
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        older = reported_incident(team.school, team.reporter)
    newer = reported_incident(team.school, team.reporter)
    elsewhere = reported_incident(team.sibling, None)
    response = home(client, team.manager)
    triage = [ref for what, ref in work(response) if what == "Triage the report"]
    assert triage == [older.reference, newer.reference]  # the overdue one first
    assert elsewhere.reference not in response.content.decode()  # a sibling school's report: never
    first = response.context["items"][0]
    assert first.state == "overdue" and first.phrase.startswith("overdue by")
    page = response.content.decode()
    assert "Overdue</strong>" in page and first.phrase in page
    assert reverse("incidents:triage", args=[older.uuid]) in page


def test_the_most_urgent_fifty_are_shown_and_all_of_them_on_asking(client, team: Team, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from incidentdesk import home as home_view

    monkeypatch.setattr(home_view, "LIMIT", 3)  # candidates LIMIT * 6, shown LIMIT
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False):
        oldest = reported_incident(team.school, team.reporter)
    others = [reported_incident(team.school, team.reporter) for _ in range(4)]
    response = home(client, team.manager)
    page = response.content.decode()
    everything = client.get("/?all=1")
    total = len(everything.context["items"])
    assert {oldest.pk, *(o.pk for o in others)} <= {i.incident.pk for i in everything.context["items"] if i.incident}
    assert len(response.context["items"]) == 3 and response.context["total"] == total
    assert response.context["items"] == everything.context["items"][:3]  # the most urgent, in order
    overdue = sum(1 for i in everything.context["items"] if i.state == "overdue")
    assert overdue >= 1 and f"{total} things to do, {overdue} overdue." in page and oldest.reference in page
    assert "These are the 3 most urgent." in page and f'href="?all=1">Show all {total} things to do' in page
    assert "most urgent." not in everything.content.decode()


def test_the_investigator_sees_their_next_step_and_the_reporter_only_their_reports(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    response = home(client, team.investigator)
    assert work(response) == [("Start the investigation", incident.reference)]
    assert response.context["items"][0].due.kind == "outcome"

    # A reporter's home is the report form, with their reports beneath it.
    client.force_login(team.reporter)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:report")
    page = response.content.decode()
    assert "Report an incident" in page and "Your reports" in page and incident.reference in page


def test_reviews_to_do_go_to_whoever_the_table_says_reviews(client, team: Team) -> None:
    minor = to_outcome_submitted(team, "minor")
    major = to_outcome_submitted(team, "major")
    manager = [ref for what, ref in work(home(client, team.manager)) if what == "Review the outcome report"]
    assert set(manager) == {minor.reference, major.reference}
    dpo = [ref for what, ref in work(home(client, team.dpo)) if what == "Review the outcome report"]
    assert dpo == [major.reference]  # the DPO reviews major and critical only


def test_once_every_review_is_in_the_manager_is_asked_to_close(client, team: Team) -> None:
    incident = to_outcome_submitted(team, "major")
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    assert ("Close the incident", incident.reference) not in work(home(client, team.manager))  # the DPO's review
    lifecycle.review_outcome(incident, by=team.dpo, accept=True)
    assert ("Close the incident", incident.reference) in work(home(client, team.manager))
    assert ("Close the incident", incident.reference) not in work(home(client, team.investigator))


def test_the_dpo_sees_the_ico_clock_and_what_they_oversee(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter, personal_data="yes")
    lifecycle.triage(
        incident,
        by=team.manager,
        investigator=team.investigator,
        **classification("major", personal_data_breach="yes", aware_on=aware_now()),
    )
    response = home(client, team.dpo)
    clocks = [item for item in response.context["items"] if item.what.startswith("ICO clock")]
    assert [c.incident for c in clocks] == [incident]
    assert clocks[0].due.kind == "ico" and clocks[0].due_soon is False
    assert [item.incident for item in response.context["oversee"]] == [incident]
    # The SIRO oversees it too; the governance viewer sees no incident at all.
    assert [item.incident for item in home(client, team.siro).context["oversee"]] == [incident]
    assert home(client, team.governor).context["items"] == []


def test_the_reporter_wrote_last_asks_the_manager_to_reply(client, team: Team) -> None:
    from django.utils import timezone

    from incidents.models import ReporterMessage

    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    ReporterMessage.objects.create(
        incident=incident, direction=ReporterMessage.Direction.FROM_REPORTER, body="Any news?", sent_on=timezone.now()
    )
    assert ("The reporter wrote: reply to them", incident.reference) in work(home(client, team.manager))
    lifecycle.message_reporter(incident, by=team.manager, body="We are looking into it.")
    assert ("The reporter wrote: reply to them", incident.reference) not in work(home(client, team.manager))


def test_an_action_owner_sees_their_action_with_its_due_date(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    due = (datetime.now(UTC) - timedelta(days=10)).date()
    action = create_action(
        by=team.manager, incident=incident, title="Lock the filing cabinet", owner=team.reporter, due_on=due
    )
    response = home(client, team.reporter)
    [item] = response.context["items"]
    assert item.title == action.title and item.state == "overdue"
    assert reverse("actions:detail", args=[action.pk]) in response.content.decode()


# ── Navigation ───────────────────────────────────────────────────────────────────────────


ROLES = [r.value for r in Role]


@pytest.mark.parametrize("count", [1, 2, 3, len(ROLES)])
def test_no_role_or_combination_of_roles_has_more_than_six_top_items(count: int) -> None:
    for roles in combinations(ROLES, count):
        for owns_actions in (False, True):
            assert len(groups_for(set(roles), owns_actions)) <= MAX_TOP_ITEMS, roles


def test_the_incidents_pages_sit_under_incidents_as_a_sub_navigation(client, team: Team) -> None:
    client.force_login(team.manager)
    page = client.get(reverse("incidents:queue"))
    context = page.context
    assert [i["text"] for i in context["nav_items"]] == [
        "Home",
        "Report an incident",
        "Incidents",
        "Actions",
        "Reports",
        "Policies",
    ]
    assert [i["text"] for i in context["nav_items"] if i["active"]] == ["Incidents"]
    assert context["sub_nav"]["label"] == "Incidents"
    assert [i["text"] for i in context["sub_nav"]["items"]] == [
        "All incidents",
        "Triage queue",
        "Assigned to me",
        "ICO clocks",
        "Search",
        "Lessons",
        "Known errors",
        "Training",
        "Find a person",
        "Disposal lists",
    ]
    assert [i["text"] for i in context["sub_nav"]["items"] if i["active"]] == ["Triage queue"]
    html = page.content.decode()
    assert 'aria-label="Incidents"' in html and "Notifications" in html


def test_the_siro_and_dpo_find_major_and_critical_under_incidents(team: Team) -> None:
    Membership.objects.create(user=team.manager, organisation=team.school, role=Role.ADMIN)
    request = RequestFactory().get(reverse("incidents:serious"))
    for person in (team.siro, team.dpo):
        request.user = person
        sub = navigation(request)["sub_nav"]
        assert "Major and critical" in [i["text"] for i in sub["items"]]
    request.user = UserFactory()
    assert [i["text"] for i in navigation(request)["nav_items"]] == ["Report an incident"]


def test_a_reporter_is_not_offered_incidents_actions_or_reports(team: Team) -> None:
    request = RequestFactory().get(reverse("intake:report"))
    request.user = team.reporter
    items = navigation(request)["nav_items"]
    # Their home is the report form: no separate "Home" to go round by; the policies they read.
    assert [i["text"] for i in items] == ["Report an incident", "Policies"]
    assert [i["text"] for i in items if i["current"]] == ["Report an incident"]
    assert Incident.objects.count() == 0
