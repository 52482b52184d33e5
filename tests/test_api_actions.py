"""Remedial actions through the API: the actions app's services, lists and permissions."""

from datetime import date, timedelta
from typing import Any

from actions.models import RemedialAction
from actions.services import create_action
from audit.models import Event
from notifications.models import Notification

from .api_helpers import bearer, token_for
from .factories import reported_incident

DUE = (date.today() + timedelta(days=30)).isoformat()


def send(client: Any, person: Any, method: str, path: str, body: dict[str, Any], scopes: list[str] | None = None):  # type: ignore[no-untyped-def]
    call = getattr(client, method)
    return call(f"/api/v1/{path}", body, content_type="application/json", **bearer(token_for(person, scopes)))


def an_action(cast: Any, **fields: Any) -> RemedialAction:
    incident = reported_incident(cast.school_a, cast.bob)
    values = {"title": "Turn off autocomplete", "owner": cast.bob, "due_on": date.today() + timedelta(days=10)}
    return create_action(by=cast.alice, incident=incident, **(values | fields))


def test_an_action_is_raised_with_its_owner_by_email_and_the_owner_is_told(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    body = {"title": "Turn off autocomplete", "owner": cast.bob.email, "due_on": DUE, "source": "investigation"}
    answer = send(client, cast.alice, "post", f"incidents/{incident.uuid}/actions", body)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["owner"] == cast.bob.email
    assert answer.json()["incident"] == str(incident.uuid)
    action = RemedialAction.objects.get(incident=incident)
    assert Event.objects.filter(action="action.created", actor=cast.alice, target_id=str(action.pk)).exists()
    assert Notification.objects.filter(user=cast.bob, kind="action_assigned").exists()
    listed = client.get(f"/api/v1/incidents/{incident.uuid}/actions", **bearer(token_for(cast.alice))).json()
    assert [a["id"] for a in listed] == [action.pk]


def test_invalid_action_is_422_in_the_forms_words(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    body = {"title": "", "owner": "nobody@example.org", "due_on": "9999-01-01", "source": "investigation"}
    answer = send(client, cast.alice, "post", f"incidents/{incident.uuid}/actions", body)
    assert answer.status_code == 422
    assert {"title", "owner", "due_on"} <= set(answer.json()["errors"])
    assert not RemedialAction.objects.filter(incident=incident).exists()


def test_changing_keeps_what_was_not_sent_and_a_finished_action_is_409(client, cast) -> None:
    action = an_action(cast)
    answer = send(client, cast.alice, "patch", f"actions/{action.pk}", {"title": "Turn autocomplete off everywhere"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["title"] == "Turn autocomplete off everywhere"
    assert answer.json()["owner"] == cast.bob.email
    assert send(client, cast.bob, "post", f"actions/{action.pk}/done", {"note": "Done"}).json()["status"] == "done"
    refused = send(client, cast.alice, "patch", f"actions/{action.pk}", {"title": "Again"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Only open actions can be changed. Reopen it first."
    again = send(client, cast.alice, "post", f"actions/{action.pk}/done", {})
    assert again.status_code == 409
    assert again.json()["detail"] == "This action is already done."


def test_cancel_and_reopen_need_a_reason_and_are_for_the_handlers_not_the_owner(client, cast) -> None:
    action = an_action(cast)
    assert send(client, cast.alice, "post", f"actions/{action.pk}/cancel", {}).status_code == 422
    assert send(client, cast.bob, "post", f"actions/{action.pk}/cancel", {"reason": "No"}).status_code == 403
    cancelled = send(client, cast.alice, "post", f"actions/{action.pk}/cancel", {"reason": "Replaced"})
    assert cancelled.json()["status"] == "cancelled"
    reopened = send(client, cast.carol, "post", f"actions/{action.pk}/reopen", {"reason": "Still needed"})
    assert reopened.json()["status"] == "open"
    assert Event.objects.filter(action="action.reopened", actor=cast.carol).exists()


def test_the_list_is_the_handlers_scope_or_mine(client, cast) -> None:
    action = an_action(cast)
    mine = client.get("/api/v1/actions?mine=true", **bearer(token_for(cast.bob))).json()
    assert [a["id"] for a in mine["items"]] == [action.pk]
    handled = client.get("/api/v1/actions", **bearer(token_for(cast.alice))).json()
    assert [a["id"] for a in handled["items"]] == [action.pk]
    assert client.get("/api/v1/actions", **bearer(token_for(cast.dave))).json()["items"] == []
    assert client.get("/api/v1/actions?status=pink", **bearer(token_for(cast.alice))).status_code == 422


def test_another_organisations_action_and_incident_are_404(client, cast) -> None:
    action = an_action(cast)
    dave = bearer(token_for(cast.dave))
    assert client.get(f"/api/v1/actions/{action.pk}", **dave).status_code == 404
    assert send(client, cast.dave, "patch", f"actions/{action.pk}", {"title": "x"}).status_code == 404
    assert send(client, cast.dave, "post", f"actions/{action.pk}/done", {}).status_code == 404
    assert client.get(f"/api/v1/incidents/{action.incident.uuid}/actions", **dave).status_code == 404
    body = {"title": "x", "owner": cast.dave.email, "due_on": DUE, "source": "investigation"}
    assert send(client, cast.dave, "post", f"incidents/{action.incident.uuid}/actions", body).status_code == 404


def test_a_read_only_token_changes_nothing(client, cast) -> None:
    action = an_action(cast)
    answer = send(client, cast.alice, "post", f"actions/{action.pk}/done", {}, scopes=["read"])
    assert answer.status_code == 403
    assert RemedialAction.objects.get(pk=action.pk).status == "open"
    assert client.get(f"/api/v1/actions/{action.pk}", **bearer(token_for(cast.alice, ["handle"]))).status_code == 403
