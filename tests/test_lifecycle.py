"""The lifecycle's rules: who may take each step, from which state, and what each step records."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from actions.models import RemedialAction
from audit.models import Event
from core.exceptions import StepRefused
from incidents import lifecycle
from incidents.models import ChecklistItem, Classification, Incident, OutcomeReport, Routing

from .factories import reported_incident
from .lifecycle_helpers import (
    Team,
    aware_now,
    classification,
    decide_breach,
    make_team,
    queued,
    queued_reporter_progress,
    settle_checklist,
    to_closed,
    to_outcome_submitted,
    write_report,
)


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def events(incident: Incident) -> int:
    return Event.objects.filter(record_id=str(incident.pk), record_type="incidents.incident").count()


def test_triage_classifies_sets_triaged_on_builds_checklist_and_writes_one_event(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    before = events(incident)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("moderate"))
    incident.refresh_from_db()
    assert incident.status == Incident.Status.TRIAGED
    assert incident.triaged_on is not None
    assert incident.investigator == team.investigator
    assert events(incident) == before + 1
    texts = list(incident.checklist.values_list("text", flat=True))
    assert "Recall attempted" in texts  # an extra for emails to the wrong person
    assert "Deletion confirmed in writing by the recipient" in texts
    assert sum(1 for t in texts if "disciplinary" in t) == 1
    assert incident.classifications.count() == 1
    assert queued_reporter_progress() == [incident.pk]
    assert queued("investigator_assigned") == [[team.investigator.pk]]


def test_triage_refused_to_dpo_investigator_and_reporter_and_from_other_states(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    for person in (team.dpo, team.investigator, team.reporter, team.governor, team.elsewhere):
        with pytest.raises(StepRefused, match="Only the incident manager or the SIRO"):
            lifecycle.triage(incident, by=person, **classification())
    lifecycle.triage(incident, by=team.siro, **classification())
    with pytest.raises(StepRefused, match="already been triaged"):
        lifecycle.triage(incident, by=team.manager, **classification())


def test_personal_data_breach_needs_the_awareness_time(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    with pytest.raises(StepRefused, match="became aware"):
        lifecycle.triage(incident, by=team.manager, **classification(personal_data_breach="yes"))
    lifecycle.triage(incident, by=team.manager, **classification(personal_data_breach="yes", aware_on=aware_now()))
    assert incident.aware_on is not None


def test_major_tells_dpo_siro_and_governors_and_needs_dpo_review_before_closure(team: Team) -> None:
    incident = to_outcome_submitted(team, "major")
    assert queued("incident_serious") == [[team.dpo.pk], [team.siro.pk]]
    # Governance viewers hear of it once, from the one audience table (informed_major, counts only).
    assert queued("informed_major") == [[team.governor.pk]]
    assert Routing.objects.get(incident=incident).dpo_told_on is not None
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    with pytest.raises(StepRefused, match="DPO has not reviewed"):
        lifecycle.close(incident, by=team.manager)
    lifecycle.review_outcome(incident, by=team.dpo, accept=True)
    lifecycle.close(incident, by=team.manager)
    assert incident.status == Incident.Status.CLOSED
    assert incident.closed_on is not None


def test_critical_needs_the_siro_to_undertake_or_delegate_with_a_reason(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification("critical"))
    assert queued("incident_critical_siro") == [[team.siro.pk]]
    with pytest.raises(StepRefused, match="SIRO"):
        lifecycle.assign_investigator(incident, by=team.manager, investigator=team.investigator)
    with pytest.raises(StepRefused, match="why you are delegating"):
        lifecycle.assign_investigator(incident, by=team.siro, investigator=team.investigator)
    lifecycle.assign_investigator(incident, by=team.siro, investigator=team.investigator, reason="She knows the MIS")
    routing = Routing.objects.get(incident=incident)
    assert routing.lead_decision == Routing.LeadDecision.DELEGATED
    assert routing.lead_decision_reason == "She knows the MIS"
    lifecycle.start_investigation(incident, by=team.investigator)


def test_siro_may_take_a_critical_investigation_personally(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.siro, investigator=team.siro, **classification("critical"))
    assert Routing.objects.get(incident=incident).lead_decision == Routing.LeadDecision.UNDERTAKEN
    lifecycle.start_investigation(incident, by=team.siro)


def test_reclassification_keeps_every_version_and_routes_a_new_severity(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification("minor"))
    with pytest.raises(StepRefused, match="why"):
        lifecycle.reclassify(incident, by=team.manager, reason="", **classification("major"))
    assert queued("incident_serious") == []
    lifecycle.reclassify(incident, by=team.manager, reason="Special category data found", **classification("major"))
    assert list(Classification.objects.filter(incident=incident).values_list("severity", flat=True)) == [
        "minor",
        "major",
    ]
    assert queued("incident_serious") == [[team.dpo.pk], [team.siro.pk]]
    assert [e.reason for e in Event.objects.filter(action="incident.reclassified")].count(
        "Special category data found"
    ) == 1
    with pytest.raises(StepRefused, match="Nothing has changed"):
        lifecycle.reclassify(incident, by=team.dpo, reason="Again", **classification("major"))


def test_closing_requires_checklist_accepted_report_and_ico_decision_for_personal_data_breach(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(
        incident,
        by=team.manager,
        investigator=team.investigator,
        **classification("moderate", personal_data_breach="yes", aware_on=aware_now()),
    )
    lifecycle.start_investigation(incident, by=team.investigator)
    write_report(incident, team.investigator)
    lifecycle.submit_outcome(incident, by=team.investigator)
    with pytest.raises(StepRefused) as refused:
        lifecycle.close(incident, by=team.manager)
    message = str(refused.value)
    assert "checklist items" in message
    assert "outcome report has not been accepted" in message
    assert "ICO" in message
    settle_checklist(incident, team.manager)
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    with pytest.raises(StepRefused, match="ICO"):
        lifecycle.close(incident, by=team.manager)
    decide_breach(incident, team.dpo, reason="Unlikely to harm")
    RemedialAction.objects.create(organisation=team.school, incident=incident, title="Turn off autocomplete")
    open_actions = lifecycle.close(incident, by=team.manager)
    assert [a.title for a in open_actions] == ["Turn off autocomplete"]
    event = Event.objects.get(action="incident.closed")
    assert (event.after or {})["open_remedial_actions"][0]["title"] == "Turn off autocomplete"


def test_returned_report_goes_back_to_investigation_and_is_reviewed_afresh(team: Team) -> None:
    incident = to_outcome_submitted(team, "major")
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    with pytest.raises(StepRefused, match="what needs to change"):
        lifecycle.review_outcome(incident, by=team.dpo, accept=False)
    lifecycle.review_outcome(incident, by=team.dpo, accept=False, comments="Add the root cause detail")
    assert incident.status == Incident.Status.INVESTIGATING
    report = OutcomeReport.objects.get(incident=incident)
    assert report.status == OutcomeReport.Status.RETURNED
    lifecycle.submit_outcome(incident, by=team.investigator)
    with pytest.raises(StepRefused, match="not been accepted"):
        lifecycle.close(incident, by=team.manager)
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    lifecycle.review_outcome(incident, by=team.dpo, accept=True)
    lifecycle.close(incident, by=team.manager)


def test_not_an_incident_needs_a_reason_and_reopen_needs_one_too(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    with pytest.raises(StepRefused, match="not a security incident"):
        lifecycle.close_not_incident(incident, by=team.manager, reason=" ")
    lifecycle.close_not_incident(incident, by=team.manager, reason="A test email from IT")
    assert incident.status == Incident.Status.CLOSED_NOT_INCIDENT
    with pytest.raises(StepRefused, match="why the incident is being reopened"):
        lifecycle.reopen(incident, by=team.dpo, reason="")
    lifecycle.reopen(incident, by=team.dpo, reason="Found it was real")
    assert incident.status == Incident.Status.INVESTIGATING
    assert incident.closed_on is None


def test_reopened_closed_incident_report_returns_to_draft(team: Team) -> None:
    incident = to_closed(team)
    lifecycle.reopen(incident, by=team.manager, reason="New evidence")
    assert OutcomeReport.objects.get(incident=incident).status == OutcomeReport.Status.DRAFT
    with pytest.raises(StepRefused, match="not been accepted"):
        lifecycle.submit_outcome(incident, by=team.investigator)
        lifecycle.close(incident, by=team.manager)


def test_disciplinary_item_needs_decision_or_reason_and_only_restricted_roles(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification())
    item = incident.checklist.get(is_disciplinary=True)
    with pytest.raises(StepRefused, match="disciplinary decision"):
        lifecycle.update_checklist_item(item, by=team.investigator, state="done", disciplinary_decision="commenced")
    with pytest.raises(StepRefused, match="why no disciplinary action"):
        lifecycle.update_checklist_item(item, by=team.manager, state="done", disciplinary_decision="not_commenced")
    with pytest.raises(StepRefused, match="Record a decision"):
        lifecycle.update_checklist_item(item, by=team.manager, state="not_applicable", not_applicable_reason="n/a")
    lifecycle.update_checklist_item(
        item, by=team.manager, state="done", disciplinary_decision="not_commenced", note="SECRET-WHY-NOT"
    )
    event = Event.objects.get(action="checklist.item_updated")
    assert "SECRET-WHY-NOT" not in str(event.after) and "SECRET-WHY-NOT" not in event.reason


def test_not_applicable_needs_a_reason(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification())
    item = incident.checklist.filter(is_disciplinary=False).first()
    assert item is not None
    with pytest.raises(StepRefused, match="does not apply"):
        lifecycle.update_checklist_item(item, by=team.investigator, state="not_applicable")
    lifecycle.update_checklist_item(item, by=team.investigator, state="done", note="Spoke to Year 4 staff")
    item.refresh_from_db()
    assert item.state == ChecklistItem.State.DONE


def test_messages_to_an_anonymous_reporter_are_kept_without_email(team: Team) -> None:
    incident = reported_incident(team.school, None)
    Incident.objects.filter(pk=incident.pk).update(reporter_anonymous=True)
    incident.refresh_from_db()
    lifecycle.message_reporter(incident, by=team.manager, body="Can you tell us which printer?")
    assert incident.reporter_messages.get().body == "Can you tell us which printer?"
    assert queued("reporter_message") == []
    lifecycle.close_not_incident(incident, by=team.manager, reason="Test print")
    assert queued_reporter_progress() == [incident.pk]  # told on the receipt page, never by email


# ── The property test ───────────────────────────────────────────────────────────────────

ALLOWED = {
    "triage": ({"reported"}, "triaged"),
    "start_investigation": ({"triaged"}, "investigating"),
    "submit_outcome": ({"investigating"}, "outcome_submitted"),
    "accept": ({"outcome_submitted"}, "outcome_submitted"),
    "return": ({"outcome_submitted"}, "investigating"),
    "close": ({"outcome_submitted"}, "closed"),
    "close_not_incident": ({"reported", "triaged"}, "closed_not_incident"),
    "reopen": ({"closed", "closed_not_incident"}, "investigating"),
    "assign": ({"triaged", "investigating"}, None),
    "reclassify": (set(Incident.Status.values) - {"reported"}, None),
    "ico": (set(), None),
    "settle_checklist": (set(), None),
    "write_report": (set(), None),
}
WHO_MAY = {
    "triage": {"manager", "siro"},
    "close": {"manager", "siro"},
    "close_not_incident": {"manager", "siro"},
    "reopen": {"manager", "siro", "dpo"},
    "accept": {"manager", "dpo"},
    "return": {"manager", "dpo"},
    "reclassify": {"manager", "siro", "dpo"},
    "assign": {"manager", "siro"},
    "ico": {"dpo"},
}
ROLES = ["manager", "siro", "dpo", "investigator", "reporter", "governor", "admin", "elsewhere"]


def act(team: Team, incident: Incident, action: str, who: str, severity: str, pdb: str) -> None:
    person = team.everyone()[who]
    if action == "triage":
        lifecycle.triage(
            incident,
            by=person,
            investigator=team.investigator if severity != "critical" else None,
            **classification(severity, personal_data_breach=pdb, aware_on=aware_now() if pdb == "yes" else None),
        )
    elif action == "assign":
        lifecycle.assign_investigator(incident, by=person, investigator=team.investigator, reason="Best placed")
    elif action == "reclassify":
        lifecycle.reclassify(
            incident,
            by=person,
            reason="New facts",
            **classification(severity, personal_data_breach=pdb, aware_on=aware_now() if pdb == "yes" else None),
        )
    elif action == "start_investigation":
        lifecycle.start_investigation(incident, by=person)
    elif action == "submit_outcome":
        lifecycle.submit_outcome(incident, by=person)
    elif action == "accept":
        lifecycle.review_outcome(incident, by=person, accept=True)
    elif action == "return":
        lifecycle.review_outcome(incident, by=person, accept=False, comments="More detail please")
    elif action == "close":
        lifecycle.close(incident, by=person)
    elif action == "close_not_incident":
        lifecycle.close_not_incident(incident, by=person, reason="Not security related")
    elif action == "reopen":
        lifecycle.reopen(incident, by=person, reason="New evidence")
    elif action == "ico":  # on the breach record: assess, then the DPO decides (two events, like the checklist)
        decide_breach(incident, person, reason="Risk to pupils")
    elif action == "settle_checklist":
        settle_checklist(incident, person)
    elif action == "write_report":
        write_report(incident, person)


ANY_ROLE = st.sampled_from(ROLES)
SEVERITY = st.sampled_from(["minor", "moderate", "major", "critical"])
PDB = st.sampled_from(["yes", "no", "not_known"])


def next_action(data: st.DataObject, status: str) -> str:
    """Mostly an action that could apply now (so runs reach the later states), sometimes any action."""
    fitting = sorted(a for a, (starts, _) in ALLOWED.items() if status in starts or not starts)
    if status == Incident.Status.OUTCOME_SUBMITTED:
        fitting += ["accept", "accept", "ico", "close", "close"]  # the way to closure has several steps
    return data.draw(st.sampled_from(fitting) if data.draw(st.integers(0, 9)) < 8 else st.sampled_from(sorted(ALLOWED)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), length=st.integers(1, 50))
def test_random_steps_by_random_roles_never_reach_a_forbidden_state(
    team: Team, data: st.DataObject, length: int
) -> None:
    with transaction.atomic():
        incident = reported_incident(team.school, team.reporter)
        visited = {incident.status}
        for _ in range(length):
            action = next_action(data, incident.status)
            likely = sorted(WHO_MAY.get(action, {"manager", "siro", "investigator"}))
            who = data.draw(st.sampled_from(likely) if data.draw(st.integers(0, 3)) else ANY_ROLE)
            severity, pdb = data.draw(SEVERITY), data.draw(PDB)
            before_status = incident.status
            before_events = events(incident)
            try:
                with transaction.atomic():
                    act(team, incident, action, who, severity, pdb)
            except StepRefused:
                incident.refresh_from_db()
                assert incident.status == before_status, "a refused step changed the state"
                assert events(incident) == before_events, "a refused step wrote an event"
                continue
            incident.refresh_from_db()
            if action in ("settle_checklist", "write_report"):
                continue
            if action == "ico":
                assert who == "dpo", f"{who} recorded the ICO decision"
                continue
            starts, ends = ALLOWED[action]
            assert before_status in starts, f"{action} succeeded from {before_status}"
            if action in WHO_MAY:
                assert who in WHO_MAY[action], f"{who} was allowed to {action}"
            assert who not in ("elsewhere", "reporter", "governor", "admin"), f"{who} took a step"
            if ends is not None:
                assert incident.status == ends
            assert events(incident) == before_events + 1, f"{action} did not write exactly one event"
            # The closure rules hold at the moment of closing (a closed incident may later be
            # reclassified: the DPO is then told, and may reopen it).
            if action == "close":
                assert not incident.checklist.filter(state="pending").exists()
                assert OutcomeReport.objects.get(incident=incident).status == OutcomeReport.Status.ACCEPTED
                if incident.personal_data_breach == "yes":
                    assert incident.ico_decision
                if incident.severity in ("major", "critical"):
                    report = OutcomeReport.objects.get(incident=incident)
                    assert report.reviews_this_round().filter(reviewer_role="dpo", decision="accepted").exists()
            visited.add(incident.status)
            if incident.status in Incident.CLOSED_STATUSES:
                assert incident.closed_on is not None
            else:
                assert incident.closed_on is None
        for status in visited:
            event(f"reached {status}")
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_reporter_hears_of_each_status_change_once_through_the_worker() -> None:
    from django.core import mail
    from django.core.management import call_command

    from deadlines.scan import scan
    from incidents.models import ReporterMessage

    team = make_team()
    incident = reported_incident(team.school, team.reporter)
    call_command("db_worker", batch=True, verbosity=0)
    mail.outbox.clear()
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("moderate"))
    call_command("db_worker", batch=True, verbosity=0)
    told = ReporterMessage.objects.filter(incident=incident, direction="to_reporter")
    assert [m.body for m in told] == [Incident.STATUS_EXPLANATIONS[Incident.Status.TRIAGED]]
    to_reporter = [m for m in mail.outbox if m.to == [team.reporter.email]]
    assert len(to_reporter) == 1 and incident.description not in to_reporter[0].body
    scan()  # the deadline scan knows the reporter was told: no second message
    call_command("db_worker", batch=True, verbosity=0)
    assert told.count() == 1
    assert len([m for m in mail.outbox if m.to == [team.reporter.email]]) == 1
