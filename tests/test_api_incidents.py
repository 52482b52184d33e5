"""Incidents through the API: the web list's filters, cursor pages, reporting through the
report form's service and messages, the classification history, and reads on the record."""

from typing import Any

from audit.models import Event
from incidents import lifecycle
from incidents.forms import ReportFieldsForm
from incidents.models import Incident
from organisations.models import Membership, Role

from .api_helpers import bearer, token_for
from .factories import reported_incident


def get(client: Any, person: Any, url: str, **params: Any) -> Any:
    return client.get(f"/api/v1{url}", params, **bearer(token_for(person)))


def test_cursor_pages_walk_every_incident_once_newest_first_while_new_ones_arrive(client, cast) -> None:
    made = [reported_incident(cast.school_a, cast.bob, description=f"Report {n}") for n in range(5)]
    secret = token_for(cast.alice)
    first = client.get("/api/v1/incidents", {"limit": 2}, **bearer(secret)).json()
    reported_incident(cast.school_a, cast.bob, description="Arrived in between")
    seen = [item["reference"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/incidents", {"limit": 2, "cursor": cursor}, **bearer(secret)).json()
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
    expected = [i.reference for i in sorted(made, key=lambda i: (i.reported_on, i.pk), reverse=True)]
    assert seen == expected


def test_the_list_takes_the_web_lists_filters(client, cast) -> None:
    at_a = reported_incident(cast.school_a, cast.bob, description="Laptop stolen from the car")
    at_b = reported_incident(cast.school_b, None, description="Paper records in a skip")
    closed = reported_incident(cast.school_a, cast.bob, description="Old one")
    Incident.objects.filter(pk=closed.pk).update(status=Incident.Status.CLOSED)

    def refs(**params: Any) -> set[str]:
        return {item["reference"] for item in get(client, cast.carol, "/incidents", **params).json()["items"]}

    assert refs() == {at_a.reference, at_b.reference, closed.reference}
    assert refs(q="laptop") == {at_a.reference}
    assert refs(q=at_b.reference) == {at_b.reference}
    assert refs(status="open") == {at_a.reference, at_b.reference}
    assert refs(status="closed") == {closed.reference}
    assert refs(organisation=str(cast.school_b.uuid)) == {at_b.reference}


def test_an_organisation_out_of_reach_or_a_made_up_cursor_is_422_with_the_reason(client, cast) -> None:
    answer = get(client, cast.alice, "/incidents", organisation=str(cast.school_b.uuid))
    assert answer.status_code == 422
    assert "organisation" in answer.json()["errors"]
    answer = get(client, cast.alice, "/incidents", cursor="bm9wZQ")
    assert answer.status_code == 422
    assert answer.json()["errors"]["cursor"] == ["This cursor is not one we gave. Start again without it."]


def test_a_report_is_refused_with_the_report_forms_own_messages(client, cast) -> None:
    secret = token_for(cast.bob, ["report"])
    body = {"description": "  ", "people_affected": 3}
    answer = client.post("/api/v1/incidents", body, content_type="application/json", **bearer(secret))
    form = ReportFieldsForm({"description": "  ", "people_affected": 3})
    assert not form.is_valid()
    assert answer.status_code == 422
    assert answer.json()["errors"] == {name: list(messages) for name, messages in form.errors.items()}
    assert Incident.objects.count() == 0


def test_someone_in_two_organisations_says_which_and_only_their_own(client, cast) -> None:
    Membership.objects.create(user=cast.bob, organisation=cast.school_b, role=Role.REPORTER)
    secret = token_for(cast.bob, ["report"])
    body: dict[str, Any] = {"description": "A USB stick is missing"}
    answer = client.post("/api/v1/incidents", body, content_type="application/json", **bearer(secret))
    assert answer.status_code == 422
    assert "more than one" in answer.json()["errors"]["organisation"][0]
    body["organisation"] = str(cast.county.uuid)
    answer = client.post("/api/v1/incidents", body, content_type="application/json", **bearer(secret))
    assert answer.status_code == 422
    body["organisation"] = str(cast.school_b.uuid)
    answer = client.post("/api/v1/incidents", body, content_type="application/json", **bearer(secret))
    assert answer.status_code == 201
    incident = Incident.objects.get()
    assert incident.organisation == cast.school_b and incident.reported_by == cast.bob
    assert Event.objects.filter(action="incident.reported", record_id=str(incident.pk), actor=cast.bob).exists()


def test_a_confidential_report_hides_its_reporter_from_the_handler_but_not_the_dpo(client, cast) -> None:
    secret = token_for(cast.bob, ["report"])
    body = {"description": "My manager shared passwords", "identity": "confidential"}
    made = client.post("/api/v1/incidents", body, content_type="application/json", **bearer(secret)).json()
    assert get(client, cast.alice, f"/incidents/{made['uuid']}").json()["reported_by"] == "Confidential reporter"
    assert get(client, cast.carol, f"/incidents/{made['uuid']}").json()["reported_by"] == "Bob Reporter"


def test_the_classification_history_has_every_version_and_reading_it_is_on_the_record(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    classified: dict[str, Any] = {"nature": "event", "breach_status": "near_miss", "personal_data_breach": "no"}
    lifecycle.triage(incident, by=cast.alice, severity="minor", **classified)
    incident.refresh_from_db()
    lifecycle.reclassify(
        incident, by=cast.alice, severity="major", reason="More pupils affected than we thought", **classified
    )
    answer = get(client, cast.alice, f"/incidents/{incident.uuid}/classifications")
    assert [(v["version"], v["severity"], v["reason"]) for v in answer.json()] == [
        (1, "minor", "First classification at triage"),
        (2, "major", "More pupils affected than we thought"),
    ]
    assert Event.objects.filter(action="incident.viewed", actor=cast.alice, record_id=str(incident.pk)).count() == 1


def test_reading_an_organisations_people_is_on_the_record(client, cast) -> None:
    Membership.objects.create(user=cast.alice, organisation=cast.school_a, role=Role.ADMIN)
    answer = get(client, cast.alice, f"/organisations/{cast.school_a.uuid}/people")
    assert answer.status_code == 200
    assert {(p["email"], p["role"]) for p in answer.json()} >= {("bob@example.org", "reporter")}
    assert Event.objects.filter(action="organisation.people_viewed", actor=cast.alice).count() == 1
