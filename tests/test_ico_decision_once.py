"""The ICO decision is made one way, on the breach record, and a personal data breach closes only with it.

The incident page's own ICO form is gone; closing asks the breach record (a blocker it
registers), so the refusal and the page say the same words; a decision that contradicts the
severity needs a reason, in the form and in the model.
"""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from breaches.models import Decision, closure_blockers, severity_clash
from core.exceptions import StepRefused
from incidents import lifecycle
from incidents.models import Incident

from .factories import reported_incident
from .lifecycle_helpers import (
    Team,
    assess_breach,
    aware_now,
    classification,
    decide_breach,
    make_team,
    settle_checklist,
    to_outcome_submitted,
)

# An SEN class list seen by a parent who has not deleted it: the engine says report to the ICO.
SEEN_BY_A_PARENT = {
    "data_categories": ["basic_identifiers", "sen"],
    "data_subjects": ["pupils"],
    "children_involved": True,
    "people_count": 29,
    "recipient": "known_individual",
    "contained": True,
    "consequences": ["distress"],
}


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def breach_ready_to_close(team: Team, severity: str = "moderate") -> Incident:
    """A personal data breach with everything done except the breach record."""
    incident = to_outcome_submitted(team, severity, personal_data_breach="yes", aware_on=aware_now())
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    if severity in ("major", "critical"):
        lifecycle.review_outcome(incident, by=team.dpo, accept=True)
    return incident


def refusal(incident: Incident, team: Team) -> str:
    with pytest.raises(StepRefused) as refused:
        lifecycle.close(incident, by=team.manager)
    return str(refused.value)


def page(client, incident: Incident, who) -> str:  # type: ignore[no-untyped-def]
    client.force_login(who)
    response = client.get(reverse("incidents:detail", args=[incident.uuid]))
    assert response.status_code == 200
    return response.content.decode()


def test_closing_a_personal_data_breach_without_an_assessment_is_refused_and_the_page_says_the_same(
    client, team: Team
) -> None:
    incident = breach_ready_to_close(team)
    words = closure_blockers(incident)
    assert len(words) == 1 and "assess it on the breach record" in words[0]
    assert words[0] in refusal(incident, team)
    assert escape(words[0]) in page(client, incident, team.manager)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OUTCOME_SUBMITTED


def test_closing_a_personal_data_breach_assessed_but_not_decided_is_refused_and_the_page_says_the_same(
    client, team: Team
) -> None:
    incident = breach_ready_to_close(team)
    assess_breach(incident, team.manager)
    words = closure_blockers(incident)
    assert len(words) == 1 and "the DPO records the decision on telling the ICO" in words[0]
    assert words[0] in refusal(incident, team)
    assert escape(words[0]) in page(client, incident, team.manager)
    # A stored outcome written around the breach record does not count: the record is what is asked.
    Incident.objects.filter(pk=incident.pk).update(ico_decision=Incident.IcoDecision.RECORD_ONLY)
    incident.refresh_from_db()
    assert words[0] in refusal(incident, team)


def test_the_lifecycle_no_longer_has_an_ico_blocker_of_its_own(team: Team) -> None:
    incident = breach_ready_to_close(team)
    blockers = lifecycle.blockers("close", incident, incident.powers_of(team.manager))
    assert blockers == closure_blockers(incident)  # every ICO word on the page comes from the breach record
    assert sum("ICO" in b for b in blockers) == 1


def test_a_decision_on_the_latest_assessment_lets_it_close(team: Team) -> None:
    incident = breach_ready_to_close(team)
    decide_breach(incident, team.dpo)
    incident.refresh_from_db()
    assert incident.ico_decision == Incident.IcoDecision.RECORD_ONLY
    assert closure_blockers(incident) == []
    lifecycle.close(incident, by=team.manager)
    assert incident.status == Incident.Status.CLOSED


def test_reassessing_after_the_decision_needs_a_new_decision_before_closing(team: Team) -> None:
    incident = breach_ready_to_close(team)
    decide_breach(incident, team.dpo)
    assess_breach(incident, team.manager)
    assert "reassessed (assessment 2) after the DPO's decision" in refusal(incident, team)


def test_not_a_personal_data_breach_needs_nothing_from_the_breach_record(team: Team) -> None:
    incident = to_outcome_submitted(team, "moderate")
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    assert closure_blockers(incident) == []
    lifecycle.close(incident, by=team.manager)


def test_the_incident_pages_ico_form_is_gone_and_its_link_goes_to_the_breach_record(client, team: Team) -> None:
    incident = breach_ready_to_close(team)
    assess_breach(incident, team.manager)
    with pytest.raises(NoReverseMatch):
        reverse("incidents:ico_decision", args=[incident.uuid])
    assert not hasattr(lifecycle, "record_ico_decision")
    client.force_login(team.dpo)
    assert client.get(f"/incidents/{incident.uuid}/ico-decision/").status_code == 404
    assert client.post(f"/incidents/{incident.uuid}/ico-decision/", {"decision": "report"}).status_code == 404
    html = page(client, incident, team.dpo)
    assert f'href="{reverse("breaches:decide", args=[incident.uuid])}"' in html
    assert "/ico-decision/" not in html
    # The manager may assess but not decide: no decision link.
    assert reverse("breaches:decide", args=[incident.uuid]) not in page(client, incident, team.manager)


# ── A decision that contradicts the severity ─────────────────────────────────────────────


@pytest.mark.parametrize(
    ("decision", "severity", "clashes"),
    [
        ("record_only", "major", True),
        ("record_only", "critical", True),
        ("record_only", "moderate", False),
        ("record_only", "minor", False),
        ("report", "minor", True),
        ("report_and_tell", "minor", True),
        ("report", "moderate", False),
        ("report", "major", False),
        ("report_and_tell", "critical", False),
    ],
)
def test_the_severity_rule(decision: str, severity: str, clashes: bool) -> None:
    assert bool(severity_clash(decision, severity)) is clashes


def test_record_only_on_a_major_incident_needs_a_reason_even_when_agreeing(team: Team) -> None:
    incident = breach_ready_to_close(team, "major")
    assessment = assess_breach(incident, team.manager)  # contained at once: the engine says record only
    assert assessment.engine_decision == Incident.IcoDecision.RECORD_ONLY
    with pytest.raises(StepRefused, match="major incident, but the decision is not to report"):
        Decision.decide(assessment=assessment, by=team.dpo, agrees=True)
    incident.refresh_from_db()
    assert incident.ico_decision == "" and not Decision.objects.exists()
    Decision.decide(assessment=assessment, by=team.dpo, agrees=True, reason="Deleted within minutes, confirmed.")
    incident.refresh_from_db()
    assert incident.ico_decision_reason == "Deleted within minutes, confirmed."
    assert Decision.objects.get().severity == "major"
    lifecycle.close(incident, by=team.manager)


def test_reporting_a_minor_incident_needs_a_reason_too(team: Team) -> None:
    incident = breach_ready_to_close(team, "minor")
    assessment = assess_breach(incident, team.manager, SEEN_BY_A_PARENT)
    with pytest.raises(StepRefused, match="minor incident, but the decision is to report"):
        Decision.decide(assessment=assessment, by=team.dpo, agrees=True)
    with pytest.raises(StepRefused, match="Give the reason"):  # overriding always needs one
        Decision.decide(assessment=assessment, by=team.dpo, agrees=False, decision="report_and_tell", reason=" ")
    Decision.decide(assessment=assessment, by=team.dpo, agrees=True, reason="SEN notes: a risk whatever the scale.")


def test_a_decision_that_agrees_with_the_severity_needs_no_reason(team: Team) -> None:
    incident = breach_ready_to_close(team, "major")
    made = Decision.decide(assessment=assess_breach(incident, team.manager, SEEN_BY_A_PARENT), by=team.dpo, agrees=True)
    assert made.reason.startswith("Agreed with assessment 1")


def test_a_severity_raised_after_a_record_only_decision_stops_closure_until_the_dpo_decides_again(team: Team) -> None:
    incident = breach_ready_to_close(team, "moderate")
    decide_breach(incident, team.dpo)  # record only, no reason needed on a moderate incident
    lifecycle.reclassify(
        incident,
        by=team.dpo,
        reason="SEN notes were attached",
        **classification("major", personal_data_breach="yes", aware_on=incident.aware_on),
    )
    settle_checklist(incident, team.manager)
    lifecycle.review_outcome(incident, by=team.dpo, accept=True)
    message = refusal(incident, team)
    assert "The severity is now major" in message and "record only" in message
    latest = incident.breach_assessments.get()
    with pytest.raises(StepRefused, match="major incident"):
        Decision.decide(assessment=latest, by=team.dpo, agrees=True)
    Decision.decide(assessment=latest, by=team.dpo, agrees=True, reason="Deleted by the one parent, confirmed.")
    lifecycle.close(incident, by=team.manager)


def test_the_decision_form_says_a_reason_is_needed_and_refuses_without_one(client, team: Team) -> None:
    incident = breach_ready_to_close(team, "major")
    assess_breach(incident, team.manager)
    client.force_login(team.dpo)
    url = reverse("breaches:decide", args=[incident.uuid])
    form = client.get(url).content.decode()
    assert (
        "This is a major incident: a decision not to report it to the ICO (record only) also needs the reason" in form
    )
    assert escape(severity_clash("record_only", "major")) in form  # the warning above the form
    refused = client.post(url, {"agrees": "yes", "reason": ""})
    assert refused.status_code == 200
    assert escape(severity_clash("record_only", "major")) in refused.content.decode()
    assert not Decision.objects.exists()
    done = client.post(url, {"agrees": "yes", "reason": "Deleted within minutes, confirmed."})
    assert done.status_code == 302
    assert Decision.objects.get().reason == "Deleted within minutes, confirmed."


def test_only_the_dpo_decides(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(
        incident, by=team.manager, **classification("moderate", personal_data_breach="yes", aware_on=aware_now())
    )
    assessment = assess_breach(incident, team.manager)
    for person in (team.siro, team.manager, team.investigator):
        with pytest.raises(StepRefused, match="Only the DPO"):
            Decision.decide(assessment=assessment, by=person, agrees=True)
