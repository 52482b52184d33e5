"""Messages with the reporter through the API, both ways, as the pages send and show them."""

from typing import Any

from audit.models import Event
from incidents import lifecycle
from incidents.models import ReporterMessage
from notifications.models import Notification

from .api_helpers import bearer, token_for
from .factories import reported_incident


def post(client: Any, person: Any, path: str, body: dict[str, Any], scopes: list[str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/{path}", body, content_type="application/json", **bearer(token_for(person, scopes)))


def test_a_handler_writes_to_the_reporter_and_reads_the_conversation_which_is_on_the_record(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    answer = post(client, cast.alice, f"incidents/{incident.uuid}/messages", {"body": "Did it go to one parent?"})
    assert answer.status_code == 201, answer.json()
    assert Event.objects.filter(action="reporter.message_sent", actor=cast.alice, record_id=str(incident.pk)).exists()
    conversation = client.get(f"/api/v1/incidents/{incident.uuid}/messages", **bearer(token_for(cast.carol)))
    assert conversation.status_code == 200
    assert [(m["direction"], m["body"], m["author"]) for m in conversation.json()] == [
        ("to_reporter", "Did it go to one parent?", cast.alice.email)
    ]
    assert Event.objects.filter(action="incident.viewed", actor=cast.carol, record_id=str(incident.pk)).exists()


def test_the_reporter_reads_and_adds_to_their_own_report_and_the_handlers_are_told(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    lifecycle.message_reporter(incident, by=cast.alice, body="Which parent?")
    mine = client.get(f"/api/v1/my-reports/{incident.uuid}/messages", **bearer(token_for(cast.bob, ["report"])))
    assert mine.status_code == 200
    assert mine.json()[0]["from_me"] is False
    assert "author" not in mine.json()[0]
    answer = post(client, cast.bob, f"my-reports/{incident.uuid}/messages", {"text": "Mrs Example."}, ["report"])
    assert answer.status_code == 201, answer.json()
    assert [m["from_me"] for m in answer.json()] == [False, True]
    stored = ReporterMessage.objects.get(incident=incident, direction="from_reporter")
    assert stored.body == "Mrs Example."
    assert Event.objects.filter(action="reporter_message.received", target_id=str(stored.pk)).exists()
    assert Notification.objects.filter(user=cast.alice, incident=incident).exists()


def test_empty_messages_are_422_in_the_forms_words(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    handler = post(client, cast.alice, f"incidents/{incident.uuid}/messages", {"body": "  "})
    assert handler.status_code == 422
    assert handler.json()["errors"] == {"body": ["This field is required."]}
    reporter = post(client, cast.bob, f"my-reports/{incident.uuid}/messages", {"text": ""}, ["report"])
    assert reporter.status_code == 422
    assert not ReporterMessage.objects.filter(incident=incident).exists()


def test_an_incident_with_no_reporter_to_write_to_is_409(client, cast) -> None:
    incident = reported_incident(cast.school_a, None)
    answer = post(client, cast.alice, f"incidents/{incident.uuid}/messages", {"body": "Hello"})
    assert answer.status_code == 409
    assert answer.json()["detail"] == "This incident has no reporter to write to."


def test_other_peoples_reports_and_other_organisations_are_404(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    assert client.get(f"/api/v1/incidents/{incident.uuid}/messages", **bearer(token_for(cast.dave))).status_code == 404
    assert post(client, cast.dave, f"incidents/{incident.uuid}/messages", {"body": "Hi"}).status_code == 404
    # Someone else's report, even for its handler: the reporter's side is the reporter's own.
    assert (
        client.get(f"/api/v1/my-reports/{incident.uuid}/messages", **bearer(token_for(cast.alice))).status_code == 404
    )
    assert post(client, cast.alice, f"my-reports/{incident.uuid}/messages", {"text": "x"}).status_code == 404


def test_scopes_are_read_handle_and_report(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    assert post(client, cast.alice, f"incidents/{incident.uuid}/messages", {"body": "Hi"}, ["read"]).status_code == 403
    handle_only = bearer(token_for(cast.alice, ["handle"]))
    assert client.get(f"/api/v1/incidents/{incident.uuid}/messages", **handle_only).status_code == 403
    assert post(client, cast.bob, f"my-reports/{incident.uuid}/messages", {"text": "x"}, ["read"]).status_code == 403
    assert not ReporterMessage.objects.filter(incident=incident).exists()
