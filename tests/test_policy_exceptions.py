"""Exceptions to a policy point, and the points an incident broke (policies 000-002).

The cast: bob (reporter, school A) asks; the SIRO (school A) or carol (DPO above) decides;
alice (incident manager) may not decide; dave (school B) sees nothing of school A's.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audit.models import Event
from core.exceptions import StepRefused
from incidents import lifecycle
from notifications.models import Notification, Outbox
from policies import exceptions
from policies.models import IncidentException, IncidentPolicyPoint, PolicyException

from .conftest import People
from .factories import reported_incident
from .policy_helpers import point, published_policy

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)


@pytest.fixture
def policy(people: People):  # type: ignore[no-untyped-def]
    # The county's policy applies to its schools (inheritance down the tree).
    return published_policy(people.cast.county)


def ask(people: People, policy) -> PolicyException:  # type: ignore[no-untyped-def]
    return exceptions.request(
        organisation=people.cast.school_a,
        point=point(policy, "2"),
        by=people.cast.bob,
        reason="The music department's laptop is not a school device yet.",
        risk="Pupils' names on a personal laptop could be lost.",
        compensating_measure="Encrypted disk, names only, no photographs.",
    )


def test_asking_tells_the_siro_and_the_dpo_and_is_on_the_record(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    exception = ask(people, policy)
    assert exception.status == PolicyException.Status.REQUESTED
    told = set(Notification.objects.filter(kind="exception_requested").values_list("user__email", flat=True))
    assert told == {"siro@example.org", "carol@example.org"}
    assert Outbox.objects.filter(kind="exception_requested", to_address="siro@example.org").exists()
    assert Event.objects.filter(action="exception.requested", record_id=str(exception.pk)).count() == 1


def test_a_point_of_no_policy_in_force_here_is_refused(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    other = published_policy(people.cast.school_b, title="School B's own policy")
    with pytest.raises(StepRefused):
        exceptions.request(
            organisation=people.cast.school_a,
            point=point(other, "1"),
            by=people.cast.bob,
            reason="r",
            risk="r",
            compensating_measure="m",
        )


def test_the_siro_approves_for_a_limited_time_and_the_holder_is_told(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    exception = ask(people, policy)
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(StepRefused, match="after today"):
            exceptions.approve(exception, by=people.siro, ends_on=date(2026, 11, 2))
        with pytest.raises(StepRefused, match="a year at most"):
            exceptions.approve(exception, by=people.siro, ends_on=date(2028, 1, 1))
        exceptions.approve(exception, by=people.siro, ends_on=date(2026, 12, 2))
        assert list(PolicyException.objects.in_force(date(2026, 12, 2))) == [exception]
        assert not PolicyException.objects.in_force(date(2026, 12, 3)).exists()
    assert exception.status == PolicyException.Status.APPROVED and exception.decided_by == people.siro
    (told,) = Notification.objects.filter(kind="exception_decided")
    assert told.user == people.cast.bob
    body = Outbox.objects.get(kind="exception_decided").text
    assert "approved" in body and "2 December 2026" in body
    with pytest.raises(StepRefused, match="already been decided"):
        exceptions.refuse(exception, by=people.cast.carol, reason="Too late")


def test_only_the_siro_or_the_dpo_decides(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    exception = ask(people, policy)
    for someone in (people.cast.alice, people.cast.bob, people.admin, people.cast.dave):
        with pytest.raises(StepRefused, match="SIRO or the Data Protection Officer"):
            exceptions.refuse(exception, by=someone, reason="No")
    exceptions.refuse(exception, by=people.cast.carol, reason="Use a school laptop: one is free in the office.")
    assert exception.status == PolicyException.Status.REFUSED
    assert "Use a school laptop" in Outbox.objects.get(kind="exception_decided", to_address="bob@example.org").text
    assert Event.objects.filter(action="exception.refused", reason__startswith="Use a school").exists()


def test_a_refusal_needs_a_reason(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StepRefused, match="Say why"):
        exceptions.refuse(ask(people, policy), by=people.siro, reason="  ")


def test_the_end_is_chased_fourteen_days_before_and_on_the_day_after_once_each(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    exception = ask(people, policy)
    with time_machine.travel(MONDAY, tick=False):
        exceptions.approve(exception, by=people.siro, ends_on=date(2026, 12, 1))
        assert exceptions.chase(date(2026, 11, 2)).warned == 0  # 29 days before: nothing yet
    first, again = exceptions.chase(date(2026, 11, 17)), exceptions.chase(date(2026, 11, 18))
    assert (first.warned, again.warned) == (1, 0)
    warned = set(Notification.objects.filter(kind="exception_expiring").values_list("user__email", flat=True))
    assert warned == {"bob@example.org", "siro@example.org"}  # the holder and whoever approved it
    assert exceptions.chase(date(2026, 12, 1)).expired == 0  # its last day: still in force
    ended, twice = exceptions.chase(date(2026, 12, 2)), exceptions.chase(date(2026, 12, 2))
    assert (ended.expired, twice.expired) == (1, 0)
    exception.refresh_from_db()
    assert exception.status == PolicyException.Status.EXPIRED
    assert Notification.objects.filter(kind="exception_expired").count() == 2
    assert Event.objects.filter(action="exception.expired").count() == 1
    assert Event.objects.filter(action="exception.expiring").count() == 1


def test_the_job_chases_the_same_way(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    from policies.tasks import chase_exceptions

    exception = ask(people, policy)
    exceptions.approve(exception, by=people.siro, ends_on=exceptions.today_here() + timedelta(days=3))
    assert chase_exceptions.call() == {"warned": 1, "expired": 0}
    assert chase_exceptions.call() == {"warned": 0, "expired": 0}


def test_an_incident_records_points_and_names_an_exception_shown_on_its_page(client, people: People, policy) -> None:  # type: ignore[no-untyped-def]
    cast = people.cast
    exception = ask(people, policy)
    exceptions.approve(exception, by=people.siro, ends_on=exceptions.today_here() + timedelta(days=30))
    incident = reported_incident(cast.school_a, cast.bob)
    with pytest.raises(StepRefused, match="Triage"):
        exceptions.record_points(incident, by=cast.alice, points=[point(policy, "3")])
    lifecycle.triage(
        incident,
        by=cast.alice,
        severity="minor",
        nature="incident",
        breach_status="near_miss",
        personal_data_breach="no",
    )
    with pytest.raises(StepRefused, match="Only whoever"):
        exceptions.record_points(incident, by=cast.carol, points=[point(policy, "3")])
    client.force_login(cast.alice)
    url = reverse("exceptions:incident_points", args=[incident.uuid])
    response = client.post(url, {"points": [point(policy, "3").pk, point(policy, "2").pk]})
    assert response.status_code == 302
    assert set(IncidentPolicyPoint.objects.filter(incident=incident).values_list("point__number", flat=True)) == {
        "2",
        "3",
    }
    response = client.post(reverse("exceptions:incident_exception", args=[incident.uuid]), {"exception": exception.pk})
    assert response.status_code == 302
    assert IncidentException.objects.filter(incident=incident, exception=exception).exists()
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Keep personal data on approved school devices only." in page
    assert reverse("exceptions:detail", args=[exception.uuid]) in page
    actions = list(Event.objects.filter(record_id=str(incident.pk)).values_list("action", flat=True))
    assert "incident.policy_points_recorded" in actions and "incident.exception_named" in actions


def test_the_pages_ask_decide_and_list(client, people: People, policy) -> None:  # type: ignore[no-untyped-def]
    cast = people.cast
    client.force_login(cast.bob)
    response = client.post(
        reverse("exceptions:request"),
        {
            "organisation": str(cast.school_a.uuid),
            "point": point(policy, "2").pk,
            "reason": "No school laptop yet",
            "risk": "Loss of names",
            "compensating_measure": "Encrypted disk",
        },
    )
    exception = PolicyException.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exceptions:detail", args=[exception.uuid])
    detail = reverse("exceptions:detail", args=[exception.uuid])
    assert client.post(detail, {"decision": "approve", "ends_on": "2027-01-01"}).status_code == 403
    client.force_login(people.siro)
    response = client.post(detail, {"decision": "approve", "ends_on": ""})
    assert "Enter the last day the exception applies" in response.content.decode()
    ends = (exceptions.today_here() + timedelta(days=30)).isoformat()
    assert client.post(detail, {"decision": "approve", "ends_on": ends}).status_code == 302
    exception.refresh_from_db()
    assert exception.status == PolicyException.Status.APPROVED
    register = client.get(reverse("exceptions:register"), {"status": "in_force"}).content.decode()
    assert detail in register
    client.force_login(cast.dave)
    assert client.get(detail).status_code == 404
    assert detail not in client.get(reverse("exceptions:register")).content.decode()


def home_page(client) -> str:  # type: ignore[no-untyped-def]
    """The home page, after the once-per-sign-in prompt to read new policies (if any)."""
    response = client.get(reverse("home"))
    if response.status_code == 302 and "/policies/" in response["Location"]:
        response = client.get(reverse("home"))
    return response.content.decode()


def test_home_lists_a_request_for_the_approver_and_an_end_soon_for_holder_and_approver(
    client, people: People, policy
) -> None:  # type: ignore[no-untyped-def]
    cast = people.cast
    exception = exceptions.request(
        organisation=cast.school_a,
        point=point(policy, "2"),
        by=cast.alice,  # the business manager (incident manager) holds it
        reason="r",
        risk="r",
        compensating_measure="m",
    )
    client.force_login(people.siro)
    assert "Decide the request for an exception" in home_page(client)
    exceptions.approve(exception, by=people.siro, ends_on=exceptions.today_here() + timedelta(days=10))
    for someone in (cast.alice, people.siro):
        client.force_login(someone)
        page = home_page(client)
        assert "An exception ends on" in page and "Decide the request" not in page
    client.force_login(cast.carol)
    assert "An exception ends on" not in home_page(client)


def test_the_demo_has_an_exception_in_force_one_ending_soon_and_a_suggestion(db: None) -> None:
    from demo.load import ORGANISATIONS, PEOPLE
    from demo.policy_exceptions import load
    from organisations.models import Membership, Organisation
    from policies.models import ChangeProposal

    from .factories import UserFactory

    orgs: dict[str, Organisation] = {}
    for key, name, kind, parent in ORGANISATIONS:
        orgs[key] = Organisation.objects.create(name=name, kind=kind, parent=orgs[parent] if parent else None)
    users = {}
    for email, full_name, roles in PEOPLE:
        users[email] = UserFactory(email=email, full_name=full_name)
        for org_key, role in roles:
            Membership.objects.create(user=users[email], organisation=orgs[org_key], role=role)
    load(orgs, users)
    today = exceptions.today_here()
    in_force = list(PolicyException.objects.in_force(today))
    assert len(in_force) == 2
    assert sum(exceptions.ending_soon(e, today) for e in in_force) == 1
    assert ChangeProposal.objects.filter(status=ChangeProposal.Status.PROPOSED).count() == 1
