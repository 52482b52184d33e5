"""Remedial actions: raising, changing and finishing them, overdue first, and who may do what."""

from datetime import date, timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from actions.models import RemedialAction
from actions.services import complete_action, create_action
from audit.models import Event
from incidents.models import Incident
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import UserFactory, reported_incident
from .test_reporting import run_worker


def new_action(cast: Cast, incident: Incident, title: str = "Retrain staff", due: date | None = None, owner=None):  # type: ignore[no-untyped-def]
    return create_action(
        by=cast.alice, incident=incident, title=title, owner=owner or cast.bob, due_on=due or date(2027, 1, 31)
    )


@time_machine.travel("2027-02-10 10:00 +0000", tick=False)
def test_open_action_past_its_due_date_is_overdue_and_finished_ones_are_not(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    action = new_action(cast, incident, due=date(2027, 2, 9))
    assert action.is_overdue()
    assert not new_action(cast, incident, due=date(2027, 2, 10)).is_overdue()  # due today is not late
    complete_action(action, by=cast.alice)
    assert not action.is_overdue()
    assert action.completed_on is not None


def test_handler_adds_an_action_with_an_event_and_the_owner_is_told(client, cast: Cast, transactional_db) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    form = client.get(reverse("actions:add", args=[incident.uuid])).context["form"]
    choices = {user.email for user in form.fields["owner"].queryset}
    # People with a role in the school or above it; never a sibling school's.
    assert choices == {"alice@example.org", "bob@example.org", "carol@example.org"}
    response = client.post(
        reverse("actions:add", args=[incident.uuid]),
        {
            "title": "Turn on delayed sending for the office mailbox",
            "owner": cast.bob.pk,
            "due_on": "2027-03-27",
            "source": "investigation",
            "change_reference": "CHG-1042",
            "details": "",
        },
    )
    assert response.status_code == 302
    action = RemedialAction.objects.get()
    assert (action.organisation, action.incident, action.owner, action.due_on) == (
        cast.school_a,
        incident,
        cast.bob,
        date(2027, 3, 27),
    )
    event = Event.objects.get(action="action.created")
    assert event.record_id == str(incident.pk) and (event.after or {})["change_reference"] == "CHG-1042"
    mail.outbox.clear()
    run_worker()
    [message] = mail.outbox
    assert message.to == ["bob@example.org"] and str(incident.reference) in str(message.subject)
    assert "delayed sending" not in message.body  # the action's text stays in the service


def test_an_owner_from_a_sibling_school_is_refused(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = client.post(
        reverse("actions:add", args=[incident.uuid]),
        {"title": "X", "owner": cast.dave.pk, "due_on": "2027-03-27", "source": "investigation"},
    )
    assert response.status_code == 200 and not RemedialAction.objects.exists()


def test_edit_records_only_what_changed_and_nothing_when_nothing_did(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    action = new_action(cast, incident)
    client.force_login(cast.alice)
    data = {"title": action.title, "owner": cast.bob.pk, "due_on": "2027-01-31", "source": "investigation"}
    client.post(reverse("actions:edit", args=[action.pk]), data)
    assert not Event.objects.filter(action="action.changed").exists()
    client.post(reverse("actions:edit", args=[action.pk]), data | {"due_on": "2027-02-28", "owner": cast.alice.pk})
    event = Event.objects.get(action="action.changed")
    assert event.before == {"due_on": "2027-01-31", "owner": "bob@example.org"}
    assert event.after == {"due_on": "2027-02-28", "owner": "alice@example.org"}


def test_the_owner_may_mark_done_but_not_change_or_cancel(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    action = new_action(cast, incident)
    client.force_login(cast.bob)
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 200
    assert client.get(reverse("actions:edit", args=[action.pk])).status_code == 403
    assert client.post(reverse("actions:cancel", args=[action.pk]), {"reason": "no"}).status_code == 403
    response = client.post(reverse("actions:done", args=[action.pk]), {"note": "All staff trained on 3 March."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == RemedialAction.Status.DONE
    assert Event.objects.get(action="action.done").reason == "All staff trained on 3 March."
    # Done twice is refused in plain words.
    again = client.post(reverse("actions:done", args=[action.pk]), {"note": ""})
    assert "already done" in again.content.decode()


def test_cancel_needs_a_reason_and_a_handler_can_reopen(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    action = new_action(cast, incident)
    client.force_login(cast.alice)
    assert client.post(reverse("actions:cancel", args=[action.pk]), {"reason": ""}).status_code == 200
    client.post(reverse("actions:cancel", args=[action.pk]), {"reason": "Replaced by a trust-wide policy"})
    action.refresh_from_db()
    assert action.status == RemedialAction.Status.CANCELLED
    client.post(reverse("actions:reopen", args=[action.pk]), {"reason": "The trust policy was withdrawn"})
    action.refresh_from_db()
    assert action.status == RemedialAction.Status.OPEN
    assert list(
        Event.objects.filter(target_type="actions.remedialaction").order_by("sequence").values_list("action", flat=True)
    ) == ["action.created", "action.cancelled", "action.reopened"]


def test_other_schools_cannot_see_an_action(client, cast: Cast) -> None:
    action = new_action(cast, reported_incident(cast.school_a, cast.bob))
    client.force_login(cast.dave)
    for name in ("detail", "edit", "done", "cancel", "reopen"):
        assert client.get(reverse(f"actions:{name}", args=[action.pk])).status_code == 404
    assert action.title not in client.get(reverse("actions:list")).content.decode()


@time_machine.travel("2027-02-10 10:00 +0000", tick=False)
def test_lists_put_overdue_first_and_keep_actions_after_the_incident_closes(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    later = new_action(cast, incident, "Due later", due=date(2027, 3, 1))
    late = new_action(cast, incident, "Late", due=date(2027, 2, 1))
    done = new_action(cast, incident, "Finished", due=date(2027, 1, 1))
    complete_action(done, by=cast.alice)
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.CLOSED, closed_on=timezone.now())
    client.force_login(cast.alice)
    page = client.get(reverse("actions:list"))
    assert list(page.context["page_obj"].object_list) == [late, later]
    assert "Overdue" in page.content.decode() and "(closed)" in page.content.decode()
    everything = client.get(reverse("actions:list"), {"status": "all"})
    assert list(everything.context["page_obj"].object_list) == [late, later, done]
    overdue = client.get(reverse("actions:list"), {"status": "overdue"})
    assert list(overdue.context["page_obj"].object_list) == [late]
    client.force_login(cast.bob)
    mine = client.get(reverse("actions:mine"))
    assert list(mine.context["page_obj"].object_list) == [late, later]
    assert "My actions" in mine.content.decode()
    # Bob handles nothing: his handler list is empty, not someone else's.
    assert list(client.get(reverse("actions:list")).context["page_obj"].object_list) == []


def test_the_dpo_above_sees_actions_of_every_school_it_serves(client, cast: Cast) -> None:
    a = new_action(cast, reported_incident(cast.school_a, cast.bob), "In A")
    dave_incident = reported_incident(cast.school_b, None)
    b = create_action(by=cast.dave, incident=dave_incident, title="In B", owner=cast.dave, due_on=None)
    client.force_login(cast.carol)
    assert set(client.get(reverse("actions:list")).context["page_obj"].object_list) == {a, b}
    client.force_login(cast.alice)
    assert list(client.get(reverse("actions:list")).context["page_obj"].object_list) == [a]


def test_the_investigator_of_the_incident_may_raise_and_change_actions(client, cast: Cast) -> None:
    investigator = UserFactory()
    Membership.objects.create(user=investigator, organisation=cast.school_a, role=Role.INVESTIGATOR)
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(investigator)
    assert client.get(reverse("actions:add", args=[incident.uuid])).status_code == 404  # not assigned yet
    incident.investigator = investigator
    incident.save()
    response = client.post(
        reverse("actions:add", args=[incident.uuid]),
        {
            "title": "Check the mailbox rules",
            "owner": investigator.pk,
            "due_on": "2027-03-01",
            "source": "investigation",
        },
    )
    assert response.status_code == 302
    action = RemedialAction.objects.get()
    assert client.get(reverse("actions:edit", args=[action.pk])).status_code == 200


def test_action_list_query_count_does_not_grow_with_rows(client, cast: Cast, django_assert_max_num_queries) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    for n in range(30):
        new_action(cast, incident, f"Action {n}", due=date.today() + timedelta(days=n - 10))
    client.force_login(cast.carol)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("actions:list"))
    assert len(page.context["page_obj"].object_list) == 30
