"""The breach record through the API: the engine, assessment versions, the DPO's decision."""

from typing import Any

from audit.models import Event
from breaches import engine
from breaches.models import Assessment, Decision
from incidents.models import Incident

from .api_helpers import bearer, token_for
from .lifecycle_helpers import CONTAINED, assess_breach
from .lifecycle_states import build

# A class list with health data sent to a stranger who has not deleted it: report and tell.
EXPOSED = {
    "data_categories": ["health"],
    "data_subjects": ["pupils"],
    "children_involved": True,
    "people_count": 30,
    "recipient": "unknown_or_public",
}


def post(client: Any, person: Any, path: str, body: dict[str, Any], scopes: list[str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/{path}", body, content_type="application/json", **bearer(token_for(person, scopes)))


def test_assessing_facts_stores_nothing_and_answers_what_the_engine_says(client, cast) -> None:
    events = Event.objects.count()
    answer = post(client, cast.alice, "breaches/assess", CONTAINED)
    assert answer.status_code == 200, answer.json()
    assert answer.json() == engine.assess_dict(CONTAINED)
    assert answer.json()["outcome"] == engine.OUTCOME_RECORD
    assert not Assessment.objects.exists()
    assert Event.objects.count() == events


def test_facts_are_checked_by_the_engine_and_by_the_assessment_pages_form(client, cast) -> None:
    unknown = post(client, cast.alice, "breaches/assess", {"colour": "pink"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"__all__": ["Unknown fields: colour."]}
    wrong = post(client, cast.alice, "breaches/assess", {"recipient": "the moon"})
    assert wrong.status_code == 422
    assert "recipient must be one of" in wrong.json()["errors"]["__all__"][0]
    # The page's own rule: measures said to remove the high risk must be described.
    unexplained = post(client, cast.alice, "breaches/assess", CONTAINED | {"later_measures_remove_high_risk": True})
    assert unexplained.status_code == 422
    assert unexplained.json()["errors"] == {"later_measures_notes": ["Say what the measures were."]}
    assert post(client, cast.alice, "breaches/assess", CONTAINED, scopes=["read"]).status_code == 403


def test_an_assessment_is_kept_as_the_next_version_and_the_dpo_decides_on_it(client, people) -> None:
    incident = build("minor submitted manager accepted", people)
    Incident.objects.filter(pk=incident.pk).update(personal_data_breach="yes")
    alice, carol = people.cast.alice, people.cast.carol
    first = post(client, alice, f"incidents/{incident.uuid}/breach/assessments", EXPOSED)
    assert first.status_code == 201, first.json()
    assert first.json()["version"] == 1
    second = post(client, alice, f"incidents/{incident.uuid}/breach/assessments", CONTAINED)
    assert second.json()["version"] == 2
    assert Event.objects.filter(action="breach.assessed", actor=alice, record_id=str(incident.pk)).count() == 2

    assert post(client, alice, f"incidents/{incident.uuid}/breach/decision", {"agrees": True}).status_code == 403
    decided = post(client, carol, f"incidents/{incident.uuid}/breach/decision", {"agrees": True})
    assert decided.status_code == 201, decided.json()
    assert decided.json()["assessment_version"] == 2
    assert decided.json()["decision"] == Incident.IcoDecision.RECORD_ONLY
    assert Incident.objects.get(pk=incident.pk).ico_decision == Incident.IcoDecision.RECORD_ONLY
    assert Event.objects.filter(action="breach.decided", actor=carol).exists()

    record = client.get(f"/api/v1/incidents/{incident.uuid}/breach", **bearer(token_for(carol))).json()
    assert [a["version"] for a in record["assessments"]] == [2, 1]
    assert record["ico_decision"] == Incident.IcoDecision.RECORD_ONLY
    # With the decision made, the incident closes through the steps.
    closed = post(client, alice, f"incidents/{incident.uuid}/close", {})
    assert closed.status_code == 200, closed.json()


def test_deciding_is_checked_by_the_decision_pages_form(client, people) -> None:
    incident = build("major submitted breach all accepted", people)
    carol = people.cast.carol
    assess_breach(incident, carol)  # record only, on a major incident: a reason is needed
    path = f"incidents/{incident.uuid}/breach/decision"
    clash = post(client, carol, path, {"agrees": True})
    assert clash.status_code == 422
    assert clash.json()["errors"]["reason"][0].startswith("This is a major incident, but the decision is not to report")
    otherwise = post(client, carol, path, {"agrees": False})
    assert otherwise.status_code == 422
    assert set(otherwise.json()["errors"]) == {"decision", "reason"}
    assert not Decision.objects.exists()
    made = post(client, carol, path, {"agrees": False, "decision": "report", "reason": "Thirty children's data."})
    assert made.status_code == 201, made.json()
    assert made.json()["agrees"] is False


def test_agreeing_is_true_or_false_never_a_number_or_words(client, people) -> None:
    # The document says boolean; lax validation would read 1 as agreeing and "no" as not.
    incident = build("major submitted breach all accepted", people)
    carol = people.cast.carol
    assess_breach(incident, carol, EXPOSED)  # report and tell: agreeing needs no reason
    path = f"incidents/{incident.uuid}/breach/decision"
    for given in (1, 0, "true", "no", "yes"):
        refused = post(client, carol, path, {"agrees": given})
        assert refused.status_code == 422, (given, refused.json())
    assert not Decision.objects.exists()
    agreed = post(client, carol, path, {"agrees": True})
    assert agreed.status_code == 201, agreed.json()
    assert agreed.json()["agrees"] is True


def test_a_decision_before_any_assessment_is_409(client, people) -> None:
    incident = build("major submitted breach all accepted", people)
    answer = post(client, people.cast.carol, f"incidents/{incident.uuid}/breach/decision", {"agrees": True})
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Assess the breach before recording a decision."


def test_another_organisations_breach_record_is_404_and_assessing_needs_the_handle_scope(client, people) -> None:
    incident = build("major submitted breach all accepted", people)
    dave = people.cast.dave
    assert client.get(f"/api/v1/incidents/{incident.uuid}/breach", **bearer(token_for(dave))).status_code == 404
    assert post(client, dave, f"incidents/{incident.uuid}/breach/assessments", CONTAINED).status_code == 404
    assert post(client, dave, f"incidents/{incident.uuid}/breach/decision", {"agrees": True}).status_code == 404
    read_only = post(client, people.cast.alice, f"incidents/{incident.uuid}/breach/assessments", CONTAINED, ["read"])
    assert read_only.status_code == 403
    assert not Assessment.objects.filter(incident=incident).exists()
