"""The lifecycle's steps through the API: the table's operations, the same checks, the same record.

The fixed cast (conftest.py): alice manages school A, carol is the DPO above it, dave manages
school B; `people` adds an investigating officer and a SIRO at school A.
"""

from typing import Any

import pytest

from api.routers.steps import PATHS
from audit.models import Event
from incidents import forms as f
from incidents import lifecycle
from incidents.models import ChecklistItem, Classification, Incident, OutcomeReport

from .api_helpers import bearer, token_for
from .factories import reported_incident
from .lifecycle_states import REPORT, build

EMAIL_TYPE = "Email or post to the wrong person"


def call(client: Any, person: Any, path: str, body: dict[str, Any] | None = None, scopes: list[str] | None = None):  # type: ignore[no-untyped-def]
    """POST `body` as JSON to /api/v1/`path` with a token of `person` (a GET when body is None)."""
    headers = bearer(token_for(person, scopes))
    if body is None:
        return client.get(f"/api/v1/{path}", **headers)
    return client.post(f"/api/v1/{path}", body, content_type="application/json", **headers)


TRIAGE = {
    "severity": "minor",
    "nature": "incident",
    "breach_status": "confirmed",
    "personal_data_breach": "no",
    "breach_types": ["confidentiality"],
    "incident_type": EMAIL_TYPE,
}


def test_every_step_of_the_table_has_exactly_one_operation(client, db) -> None:
    assert set(PATHS) == {step.name for step in lifecycle.STEPS}
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for name, path in PATHS.items():
        assert "post" in paths[f"/api/v1/incidents/{{incident_uuid}}/{path}"], name


def test_an_incident_is_taken_from_report_to_closure_through_the_api_with_the_same_events(client, people) -> None:
    alice, investigator = people.cast.alice, people.investigator
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    base = f"incidents/{incident.uuid}"

    answer = call(client, alice, f"{base}/triage", TRIAGE | {"investigator": investigator.email})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "triaged"
    assert answer.json()["investigator"] == investigator.email
    assert call(client, investigator, f"{base}/start", {}).json()["status"] == "investigating"

    items = call(client, alice, f"{base}/checklist").json()
    for item in items:
        body = (
            {"state": "done", "disciplinary_decision": "not_commenced", "note": "Training instead."}
            if item["disciplinary"]
            else {"state": "not_applicable", "not_applicable_reason": "Not needed here"}
        )
        answer = call(client, alice, f"{base}/checklist/{item['id']}", body)
        assert answer.status_code == 200, answer.json()
        assert answer.json()["state"] in ("done", "not_applicable")

    assert call(client, investigator, f"{base}/outcome", REPORT).status_code == 200
    assert call(client, investigator, f"{base}/outcome/submit", {}).json()["status"] == "outcome_submitted"
    assert call(client, alice, f"{base}/outcome/review", {"decision": "accept"}).status_code == 200
    closed = call(client, alice, f"{base}/close", {})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"
    assert "reopen" in closed.json()["steps"]

    actions = list(Event.objects.filter(record_id=str(incident.pk)).values_list("action", "actor_id"))
    for action, actor in [
        ("incident.triaged", alice.pk),
        ("incident.investigation_started", investigator.pk),
        ("outcome.saved", investigator.pk),
        ("incident.outcome_submitted", investigator.pk),
        ("incident.outcome_accepted", alice.pk),
        ("incident.closed", alice.pk),
    ]:
        assert (action, actor) in actions


def test_the_steps_list_says_what_is_available_and_what_stands_in_the_way(client, people) -> None:
    incident = build("minor submitted unsettled", people)
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/steps")
    assert answer.status_code == 200
    steps = {step["name"]: step for step in answer.json()}
    assert set(steps) == set(PATHS)
    assert steps["review_outcome"]["available"] is True
    assert steps["close"]["available"] is False
    p = incident.powers_of(people.cast.alice)
    assert steps["close"]["blockers"] == lifecycle.blockers("close", incident, p)
    assert any("checklist item" in words for words in steps["close"]["blockers"])
    assert steps["close"]["path"] == f"/api/v1/incidents/{incident.uuid}/close"
    assert steps["triage"]["blockers"] == ["This report has already been triaged."]


@pytest.mark.parametrize(
    ("state", "who", "path", "body", "reason"),
    [
        ("reported", "alice", "close", {}, "An incident can be closed once its outcome report is submitted"),
        ("minor triaged", "alice", "triage", TRIAGE, "This report has already been triaged."),
        ("minor submitted unsettled", "alice", "close", {}, "The incident cannot be closed yet."),
        ("minor triaged unassigned", "alice", "start", {}, "Assign an investigating officer first."),
        ("minor investigating", "investigator", "outcome/submit", {}, "Fill in these parts of the outcome report"),
        ("minor triaged", "alice", "reopen", {"reason": "Found more"}, "Only a closed incident can be reopened."),
        ("minor submitted", "alice", "outcome/review", {"decision": "return"}, "Say what needs to change"),
        ("reported", "alice", "reclassify", TRIAGE | {"reason": "Wrong"}, "Triage the report first"),
        ("minor triaged", "alice", "outcome", REPORT, "The outcome report can be changed only while"),
    ],
)
def test_a_refused_step_is_409_with_the_steps_own_reason_and_changes_nothing(
    client, people, state, who, path, body, reason
) -> None:
    incident = build(state, people)
    person = people.cast.alice if who == "alice" else people.investigator
    events = Event.objects.count()
    answer = call(client, person, f"incidents/{incident.uuid}/{path}", body)
    assert answer.status_code == 409, answer.json()
    assert answer.json()["detail"].startswith(reason)
    assert Event.objects.count() == events
    assert Incident.objects.get(pk=incident.pk).status == incident.status


def test_a_refusal_is_in_the_same_words_the_lifecycle_uses(client, people) -> None:
    incident = build("minor submitted unsettled", people)
    with pytest.raises(Exception) as refused:
        lifecycle.close(incident, by=people.cast.alice)
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/close", {})
    assert answer.json()["detail"] == str(refused.value)


def test_invalid_input_is_422_with_the_step_forms_own_messages(client, people) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    sent = {"severity": "enormous", "breach_types": ["confidentiality", "pink"], "incident_type": "No such type"}
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/triage", sent)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    form = f.TriageForm(
        {"severity": "enormous", "breach_types": ["confidentiality", "pink"], "incident_type": "No such type"},
        incident=incident,
        investigators=lifecycle.eligible_investigators(incident),
    )
    form.is_valid()
    assert errors == {name: list(messages) for name, messages in form.errors.items()}
    assert {"severity", "nature", "breach_status", "personal_data_breach", "breach_types", "incident_type"} <= set(
        errors
    )
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.REPORTED


def test_an_investigator_not_on_the_list_is_refused_by_the_form(client, people) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    answer = call(
        client, people.cast.alice, f"incidents/{incident.uuid}/triage", TRIAGE | {"investigator": people.cast.bob.email}
    )
    assert answer.status_code == 422
    assert "investigator" in answer.json()["errors"]


def test_a_reason_is_needed_to_close_as_not_an_incident(client, people) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/not-an-incident", {})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"reason": ["This field is required."]}
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/not-an-incident", {"reason": "A test email"})
    assert answer.json()["status"] == "closed_not_incident"


def test_another_organisations_incident_is_404_for_every_step(client, people) -> None:
    incident = build("minor submitted", people)
    for path in [p for p in PATHS.values() if "{" not in p] + ["steps", "checklist"]:
        answer = call(
            client,
            people.cast.dave,
            f"incidents/{incident.uuid}/{path}",
            None if path in ("steps", "checklist") else {},
        )
        assert answer.status_code == 404, path
    item = incident.checklist.first()
    assert (
        call(client, people.cast.dave, f"incidents/{incident.uuid}/checklist/{item.pk}", {"state": "done"}).status_code
        == 404
    )


def test_a_token_without_the_handle_scope_is_403_and_the_step_not_taken(client, people) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/triage", TRIAGE, scopes=["read", "report"])
    assert answer.status_code == 403
    assert "handle" in answer.json()["detail"]
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.REPORTED
    assert call(client, people.cast.alice, f"incidents/{incident.uuid}/steps", scopes=["handle"]).status_code == 403


def test_someone_the_table_does_not_allow_is_403_with_the_tables_words(client, people) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    answer = call(client, people.cast.carol, f"incidents/{incident.uuid}/triage", TRIAGE)
    assert answer.status_code == 403
    assert answer.json()["detail"] == lifecycle.STEP["triage"].who_refusal


def test_reclassifying_keeps_what_was_not_sent_and_every_version(client, people) -> None:
    incident = build("minor triaged", people)
    answer = call(
        client,
        people.cast.alice,
        f"incidents/{incident.uuid}/reclassify",
        {"severity": "major", "reason": "More pupils"},
    )
    assert answer.status_code == 200, answer.json()
    incident.refresh_from_db()
    assert incident.severity == "major"
    assert incident.incident_type.name == EMAIL_TYPE
    assert incident.nature == "incident"
    assert list(
        Classification.objects.filter(incident=incident).values_list("severity", flat=True).order_by("version")
    ) == ["minor", "major"]
    no_reason = call(client, people.cast.alice, f"incidents/{incident.uuid}/reclassify", {"severity": "minor"})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]


def test_assigning_a_critical_incident_is_for_the_siro(client, people) -> None:
    incident = build("critical triaged unassigned", people)
    body = {"investigator": people.investigator.email, "reason": "Knows the system"}
    refused = call(client, people.cast.alice, f"incidents/{incident.uuid}/assign", body)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("A critical incident is investigated by the SIRO")
    assert (
        call(client, people.siro, f"incidents/{incident.uuid}/assign", body).json()["investigator"]
        == people.investigator.email
    )


def test_the_outcome_report_keeps_sections_not_sent_and_the_investigator_cannot_write_the_restricted_one(
    client, people
) -> None:
    incident = build("moderate investigating", people)
    base = f"incidents/{incident.uuid}/outcome"
    assert call(client, people.investigator, base, {"summary": "First words."}).status_code == 200
    sent = {"root_cause": "Autocomplete.", "disciplinary_outcome": "Should not be written."}
    assert call(client, people.investigator, base, sent).status_code == 200
    report = OutcomeReport.objects.get(incident=incident)
    assert (report.summary, report.root_cause, report.disciplinary_outcome) == ("First words.", "Autocomplete.", "")


def test_the_disciplinary_items_words_are_hidden_from_the_investigator(client, people) -> None:
    incident = build("minor submitted", people)
    by_alice = {i["id"]: i for i in call(client, people.cast.alice, f"incidents/{incident.uuid}/checklist").json()}
    by_investigator = {
        i["id"]: i for i in call(client, people.investigator, f"incidents/{incident.uuid}/checklist").json()
    }
    item = ChecklistItem.objects.get(incident=incident, is_disciplinary=True)
    assert by_alice[item.pk]["note"] == "Training instead."
    assert by_investigator[item.pk]["note"] == ""
    assert by_investigator[item.pk]["disciplinary_decision"] == ""
    assert Event.objects.filter(
        action="incident.viewed", actor=people.investigator, record_id=str(incident.pk)
    ).exists()
    refused = call(client, people.investigator, f"incidents/{incident.uuid}/checklist/{item.pk}", {"state": "pending"})
    assert refused.status_code == 403


def test_an_internal_note_goes_on_the_record(client, people) -> None:
    incident = build("minor triaged", people)
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/notes", {"body": "Rang the parent."})
    assert answer.status_code == 200
    assert Event.objects.filter(action="note.added", record_id=str(incident.pk), actor=people.cast.alice).exists()
    assert call(client, people.cast.alice, f"incidents/{incident.uuid}/notes", {"body": ""}).status_code == 422


def test_a_closed_incident_is_reopened_with_a_reason(client, people) -> None:
    incident = build("minor closed", people)
    path = f"incidents/{incident.uuid}/reopen"
    assert call(client, people.cast.alice, path, {}).json()["errors"] == {"reason": ["This field is required."]}
    answer = call(client, people.cast.carol, path, {"reason": "The parent kept a copy after all."})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "investigating"
    assert Event.objects.filter(action="incident.reopened", actor=people.cast.carol).exists()


def test_a_review_needs_a_decision(client, people) -> None:
    incident = build("minor submitted", people)
    answer = call(client, people.cast.alice, f"incidents/{incident.uuid}/outcome/review", {"decision": "maybe"})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["decision"]
