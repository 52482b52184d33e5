"""Restricted incidents and outside help (issue 16): who may restrict, who is told, what the
people left out still see (reference and status), and time-limited access for one outside
person, ending at its date on the next request whatever the daily job does.

The permission matrices (tests/test_permission_matrix.py, tests/test_api_permissions.py) walk
every URL and API operation of a restricted incident as every role it does not name.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from audit.models import Event
from core.exceptions import StepRefused
from incidents import lifecycle, restriction
from incidents.models import Incident, OutsideAccess
from insights.scope import Scope
from lib import clock
from notifications.models import Notification, Outbox
from organisations.powers import needs_second_factor
from webhooks.models import Subscription
from webhooks.payloads import standard

from .conftest import People
from .factories import reported_incident
from .lifecycle_states import classification

WORDS = "The business manager copied the payroll to a memory stick"


def events(incident: Incident, action: str) -> list[Event]:
    return list(Event.objects.filter(record_id=str(incident.pk), action=action))


@pytest.fixture
def restricted(people: People) -> Incident:
    """An incident at school A restricted by the DPO (carol) to herself and the SIRO: the
    incident manager (alice) is implicated."""
    incident = reported_incident(people.cast.school_a, people.cast.bob, description=WORDS)
    restriction.restrict(incident, by=people.cast.carol, people=[people.siro], reason="The manager is implicated")
    return incident


def test_a_count_of_what_a_handler_sees_never_reads_the_rows_to_check_a_restriction(
    people: People, restricted: Incident
) -> None:
    """On SQLite the restriction is asked as the few restricted ids that don't name the person,
    so a count by organisation and month is read from the index alone; on PostgreSQL as
    `restricted_on IS NULL OR named`, which its reported_on index carries (migration 0023)."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from .explain import plan

    cast = people.cast
    reported_incident(cast.school_a, cast.bob)
    counted = Incident.objects.visible_to(cast.alice).filter(reported_on__gte=clock.now() - timedelta(days=365))
    with CaptureQueriesContext(connection) as captured:
        rows = list(counted.order_by().values("organisation_id").annotate(n=Count("id")))
    assert rows == [{"organisation_id": cast.school_a.pk, "n": 1}]  # the restricted one not among them
    (query,) = captured.captured_queries
    if connection.vendor == "sqlite":
        assert any("incidents_incident USING COVERING INDEX" in line for line in plan(query["sql"]))
    else:
        assert '"incidents_incident"."restricted_on" IS NULL' in query["sql"]
    named = Incident.objects.visible_to(people.siro).filter(organisation=cast.school_a)
    assert named.count() == 2  # the SIRO is named: both


def test_only_the_dpo_or_siro_restricts_and_names_only_people_who_would_see_it(people: People) -> None:
    cast = people.cast
    incident = reported_incident(cast.school_a, cast.bob)
    with pytest.raises(StepRefused):
        restriction.restrict(incident, by=cast.alice, people=[], reason="Why")  # an incident manager
    with pytest.raises(StepRefused):
        restriction.restrict(incident, by=cast.carol, people=[cast.dave], reason="Elsewhere")  # school B
    with pytest.raises(StepRefused):
        restriction.restrict(incident, by=cast.carol, people=[], reason=" ")
    assert not Incident.objects.get(pk=incident.pk).is_restricted
    restriction.restrict(incident, by=people.siro, people=[], reason="The head is implicated")
    (event,) = events(incident, "restriction.set")
    assert event.after == {"named": [people.siro.pk]} and event.reason == "The head is implicated"


def test_a_restriction_leaves_out_everyone_it_does_not_name_and_shows_them_it_exists(
    people: People, restricted: Incident
) -> None:
    cast = people.cast
    for named in (cast.carol, people.siro):
        assert Incident.objects.visible_to(named).filter(pk=restricted.pk).exists()
        assert not Incident.objects.restricted_from(named).filter(pk=restricted.pk).exists()
    for left_out in (cast.alice, cast.bob, cast.dave, people.investigator, people.governor, people.admin):
        assert not Incident.objects.visible_to(left_out).filter(pk=restricted.pk).exists()
    # The placeholder, for those who would otherwise see it: its reference and status only.
    (placeholder,) = Incident.objects.restricted_in_reach(cast.alice)
    assert (placeholder.reference, placeholder.status) == (restricted.reference, "reported")
    assert placeholder.get_deferred_fields() >= {"description", "severity", "reported_by_id"}
    assert not Incident.objects.restricted_in_reach(cast.dave).exists()
    # The reporter follows it no more: their list shows that it exists.
    assert not Incident.objects.reported_by_person(cast.bob).exists()


def test_lifting_a_restriction_is_an_event_and_opens_the_incident_again(people: People, restricted: Incident) -> None:
    cast = people.cast
    with pytest.raises(StepRefused):
        restriction.lift(restricted, by=cast.carol, reason="")
    restriction.lift(restricted, by=people.siro, reason="The manager was cleared")
    (event,) = events(restricted, "restriction.lifted")
    assert event.before == {"named": sorted([cast.carol.pk, people.siro.pk])}
    assert Incident.objects.visible_to(cast.alice).filter(pk=restricted.pk).exists()
    assert not restricted.restriction_names.exists()


def test_notifications_of_a_restricted_incident_go_only_to_the_named_people(
    people: People, restricted: Incident
) -> None:
    cast = people.cast
    restriction.restrict(restricted, by=cast.carol, people=[people.siro, people.investigator], reason="Implicated")
    Notification.objects.all().delete()
    Outbox.objects.all().delete()
    # Major and assigned: the DPO and the SIRO, the investigator, the governance viewers would be told.
    lifecycle.triage(restricted, by=people.siro, **classification("major"), investigator=people.investigator)
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert told == {cast.carol.email, people.investigator.email}
    assert set(Outbox.objects.values_list("to_address", flat=True)) <= told
    assert WORDS not in "".join(Outbox.objects.values_list("text", flat=True))


def test_a_webhook_hears_of_a_restricted_incident_by_reference_and_status_only(
    people: People, restricted: Incident
) -> None:
    subscription = Subscription(
        organisation=people.cast.school_a, include_details=True, details_granted_by=people.cast.carol
    )
    lifecycle.triage(restricted, by=people.siro, **classification("critical"))
    event = events(restricted, "incident.triaged")[0]
    restricted.refresh_from_db()
    incident = standard(subscription, "incident.triaged", event, restricted)["data"]["incident"]
    assert incident["restricted"] is True and incident["status"] == "triaged"
    assert {"severity", "reported_at", "anonymous"}.isdisjoint(incident)
    assert "details" not in standard(subscription, "incident.triaged", event, restricted)["data"]


def test_counts_for_governance_leave_a_restricted_incident_out_but_say_it_exists(
    client: Any, people: People, restricted: Incident
) -> None:
    reported_incident(people.cast.school_a, people.cast.bob)
    scope = Scope(people.cast.school_a, [people.cast.school_a], is_handler=False, user=people.governor)
    assert scope.incidents().count() == 1
    assert [i.reference for i in scope.restricted()] == [restricted.reference]
    client.force_login(people.governor)
    page = client.get(reverse("insights:dashboard")).content.decode()
    assert 'data-restricted="1"' in page and restricted.reference in page and WORDS not in page


# ── Outside help ─────────────────────────────────────────────────────────────────────────


def invitation_link(access: OutsideAccess) -> str:
    (message,) = Outbox.objects.filter(to_address=access.email, kind="outside_invited")
    assert WORDS not in message.text
    match = re.search(r"https?://[^/\s]+(/incidents/invitation/\S+/)", message.text)
    assert match, message.text
    return match.group(1)


def invite(people: People, incident: Incident, mode: str = "read", days: int = 14) -> OutsideAccess:
    return restriction.invite(
        incident,
        by=people.cast.alice,
        name="Pat Forensic",
        firm="Forensics Ltd",
        email="Pat@Forensics.example",
        mode=mode,
        ends_on=clock.now() + timedelta(days=days),
    )


def test_an_invited_outside_person_signs_up_accepts_and_sees_that_incident_only(client: Any, people: People) -> None:
    cast = people.cast
    incident = reported_incident(cast.school_a, cast.bob, description=WORDS)
    other = reported_incident(cast.school_a, cast.bob)
    with pytest.raises(StepRefused):  # the SIRO restricts; the incident manager or the DPO invites
        restriction.invite(
            incident, by=people.siro, name="X", firm="", email="x@example.net", mode="read", ends_on=clock.now()
        )
    access = invite(people, incident)
    link = invitation_link(access)
    # Signed out: the page, and a sign-up open to the invited address alone.
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "pat@forensics.example" in page.content.decode()
    signup = reverse("account_signup")
    refused = client.post(
        signup, {"email": "someone@else.example", "password1": "x7!Long-pass", "password2": "x7!Long-pass"}
    )
    assert refused.status_code == 200 and not get_user_model().objects.filter(email="someone@else.example").exists()
    client.post(signup, {"email": "pat@forensics.example", "password1": "x7!Long-pass", "password2": "x7!Long-pass"})
    pat = get_user_model().objects.get(email="pat@forensics.example")
    assert not needs_second_factor(pat)
    client.force_login(pat)
    assert client.post(link).status_code == 302
    assert len(events(incident, "outside.accepted")) == 1
    assert needs_second_factor(get_user_model().objects.get(pk=pat.pk))
    detail = client.get(reverse("incidents:detail", args=[incident.uuid]))
    assert detail.status_code == 200 and WORDS in detail.content.decode()
    assert [e.actor_id for e in events(incident, "incident.viewed")] == [pat.pk]
    assert client.get(reverse("incidents:detail", args=[other.uuid])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert incident.reference in home and other.reference not in home
    assert list(Incident.objects.visible_to(pat)) == [incident]
    # Read only: no evidence added, nothing else of the organisation.
    assert client.get(reverse("evidence:upload", args=[incident.uuid])).status_code == 403
    for name in (
        "incidents:add_note",
        "incidents:message_reporter",
        "incidents:triage",
        "incidents:reopen",
        "incidents:outside_help",
        "incidents:restrict",
        "actions:add",
        "breaches:assess",
    ):
        assert client.get(reverse(name, args=[incident.uuid])).status_code == 403, name
    assert client.get(reverse("insights:dashboard")).status_code == 404


def test_someone_signed_in_with_another_address_cannot_take_an_invitation(client: Any, people: People) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    link = invitation_link(invite(people, incident))
    client.force_login(people.cast.dave)
    answer = client.post(link).content.decode()
    assert "Sign in with that address" in answer
    assert not Incident.objects.visible_to(people.cast.dave).filter(pk=incident.pk).exists()
    assert client.get("/incidents/invitation/forged/").status_code == 404


def accepted(people: People, incident: Incident, mode: str = "read", days: int = 14) -> tuple[OutsideAccess, Any]:
    access = invite(people, incident, mode=mode, days=days)
    pat = get_user_model().objects.create_user(email="pat@forensics.example", password="x")
    restriction.accept(access, pat)
    return access, pat


def test_access_ends_at_its_date_without_the_job_and_the_job_records_it_once(client: Any, people: People) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    access, pat = accepted(people, incident, mode="contribute", days=3)
    client.force_login(pat)
    assert client.get(reverse("evidence:upload", args=[incident.uuid])).status_code == 200
    with time_machine.travel(access.ends_on - timedelta(minutes=1), tick=False):
        client.force_login(pat)  # a fresh sign-in: the session of three days ago has run out
        assert client.get(reverse("incidents:detail", args=[incident.uuid])).status_code == 200
    with time_machine.travel(access.ends_on + timedelta(minutes=1), tick=False):
        client.force_login(pat)
        # No job has run: the request itself asks the date.
        assert client.get(reverse("incidents:detail", args=[incident.uuid])).status_code == 404
        assert OutsideAccess.objects.get(pk=access.pk).ended_on is None
        assert restriction.tidy_lapsed() == 1
        assert restriction.tidy_lapsed() == 0
    assert OutsideAccess.objects.get(pk=access.pk).ended_on == access.ends_on
    (event,) = events(incident, "outside.expired")
    assert (event.after or {})["email"] == "pat@forensics.example"


def test_the_incident_manager_ends_access_at_once(client: Any, people: People) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    access, pat = accepted(people, incident)
    client.force_login(people.cast.alice)
    assert client.post(reverse("incidents:end_outside_help", args=[access.uuid])).status_code == 302
    assert len(events(incident, "outside.ended")) == 1
    assert not Incident.objects.visible_to(pat).exists()
    with pytest.raises(StepRefused), transaction.atomic():
        restriction.end(access, by=people.cast.alice)


def test_outside_help_to_a_restricted_incident_is_given_by_a_named_person(
    client: Any, people: People, restricted: Incident
) -> None:
    client.force_login(people.cast.carol)
    ends = (clock.now() + timedelta(days=30)).date().isoformat()
    response = client.post(
        reverse("incidents:outside_help", args=[restricted.uuid]),
        {"name": "Trust DPO", "firm": "", "email": "dpo@trust.example", "mode": "read", "ends_on": ends},
    )
    assert response.status_code == 302
    assert OutsideAccess.objects.get(incident=restricted).email == "dpo@trust.example"
    client.force_login(people.cast.alice)  # the implicated manager: not found
    assert client.get(reverse("incidents:outside_help", args=[restricted.uuid])).status_code == 404


def test_the_demo_restricts_one_incident_to_the_dpo_and_the_head(people: People) -> None:
    from demo import restriction as restriction_demo

    cast = people.cast
    users = {
        "teacher@brookside.example.org": cast.bob,
        "dpo@example.org": cast.carol,
        "head@brookside.example.org": people.siro,
    }
    incident = restriction_demo.load({"brookside": cast.school_a}, users)
    assert incident.is_restricted
    assert set(incident.restriction_names.values_list("person_id", flat=True)) == {cast.carol.pk, people.siro.pk}
    assert not Incident.objects.visible_to(cast.alice).filter(pk=incident.pk).exists()
    assert OutsideAccess.objects.get(incident=incident).person is None  # invited, not yet accepted
