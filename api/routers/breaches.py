"""The personal data breach record: the engine's assessment, its versions, the DPO's decision.

    POST /breaches/assess                           run the engine on facts, store nothing
    GET  /incidents/{uuid}/breach                   the record: every assessment, every decision
    POST /incidents/{uuid}/breach/assessments       assess and keep the result as the next version
    POST /incidents/{uuid}/breach/decision          the DPO's decision on the latest version

Facts are the engine's own JSON (`breaches.engine.Facts`, the `assess_breach` command's file;
docs/assessment.md says what each means). They are read by the engine, then checked by the
assessment page's form (`AssessmentForm`), so a fact the page would refuse is refused here in
its words; the facts the form gives back are the ones assessed. The decision is checked by the
decision page's form (a reason to decide otherwise, or against the severity, or unlike past
breaches) and made by `Decision.decide`, the one place the ICO decision is made.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Body, Field, Router, Schema, Status

from api.auth import Forbidden, need
from api.errors import Invalid
from api.models import Scope
from api.schemas import REFUSALS, STEP_REFUSALS
from breaches import engine, precedents
from breaches.forms import AssessmentForm, DecisionForm
from breaches.models import Assessment, Decision, latest_assessment
from core.exceptions import StepRefused
from core.views import get_visible_or_404
from incidents.models import Incident
from lib import clock

from .forms import bound, cleaned
from .incidents import viewed

router = Router(tags=["Breach assessment"])

FACTS = Body(
    ...,
    description="The facts the risk turns on, as the `assess_breach` command reads them: "
    f"any of {', '.join(engine.Facts.fields())}. docs/assessment.md describes each.",
)
NO_ASSESSMENT = "Assess the breach before recording a decision."


class AssessmentOut(Schema):
    version: int
    facts: dict[str, Any]
    result: dict[str, Any] = Field(description="The engine's outcome, risk, reasons and how firm it is.")
    assessed_by: str
    assessed_on: str


class DecisionOut(Schema):
    assessment_version: int
    agrees: bool = Field(description="Whether the DPO agreed with the assessment's outcome.")
    decision: str = Field(description="record_only, report or report_and_tell.")
    reason: str
    severity: str = Field(description="The incident's severity when the decision was made.")
    decided_by: str
    decided_on: str


class BreachRecordOut(Schema):
    incident: UUID
    personal_data_breach: str
    ico_decision: str
    assessments: list[AssessmentOut] = Field(description="Newest first.")
    decisions: list[DecisionOut] = Field(description="Newest first.")


class DecisionIn(Schema):
    # Strict: true or false, never 1 or "yes" (lax validation would read them as agreeing).
    agrees: bool | None = Field(None, strict=True, description="Agree with the latest assessment's outcome?")
    decision: str | None = Field(None, description="If not: record_only, report or report_and_tell.")
    reason: str | None = Field(None, description="Needed to decide otherwise, and where the page asks for one.")


def checked_facts(data: Any) -> engine.Facts:
    """Facts read by the engine, then checked by the assessment page's form (422 in its words)."""
    try:
        facts = engine.Facts.from_dict(data)
    except engine.FactsError as error:
        raise Invalid({"__all__": [str(error)]}) from error
    form = bound(AssessmentForm, AssessmentForm.initial_from(facts.to_dict(), Incident()))
    cleaned(form)
    try:
        return form.facts()
    except engine.FactsError as error:
        raise Invalid({"__all__": [str(error)]}) from error


def assessment_out(assessment: Assessment, incident: Incident) -> AssessmentOut:
    return AssessmentOut(
        version=assessment.version,
        facts=assessment.facts,
        result=assessment.result,
        assessed_by=assessment.assessed_by.email,
        assessed_on=clock.iso(assessment.assessed_on, clock.precision_of(incident)),
    )


def decision_out(decision: Decision, incident: Incident) -> DecisionOut:
    return DecisionOut(
        assessment_version=decision.assessment.version,
        agrees=decision.agrees,
        decision=decision.decision,
        reason=decision.reason,
        severity=decision.severity,
        decided_by=decision.decided_by.email,
        decided_on=clock.iso(decision.decided_on, clock.precision_of(incident)),
    )


def record_of(incident: Incident) -> BreachRecordOut:
    incident.refresh_from_db()
    return BreachRecordOut(
        incident=incident.uuid,
        personal_data_breach=incident.personal_data_breach,
        ico_decision=incident.ico_decision,
        assessments=[
            assessment_out(a, incident)
            for a in Assessment.objects.filter(incident=incident).select_related("assessed_by").order_by("-version")
        ],
        decisions=[
            decision_out(d, incident)
            for d in Decision.objects.filter(assessment__incident=incident).select_related("assessment", "decided_by")
        ],
    )


def visible_incident(person: Any, incident_uuid: UUID) -> Incident:
    return get_visible_or_404(Incident.objects.select_related("organisation"), person, uuid=incident_uuid)


@router.post("/breaches/assess", response={200: dict[str, Any], **STEP_REFUSALS}, summary="Assess facts, store nothing")
def assess(request: HttpRequest, facts: dict[str, Any] = FACTS) -> dict[str, Any]:
    """The engine's result for these facts (as `manage.py assess_breach` prints it): nothing
    is stored and no incident is named, so nothing goes on any record."""
    need(request, Scope.HANDLE)
    return engine.assess(checked_facts(facts)).to_dict()


@router.get(
    "/incidents/{incident_uuid}/breach", response={200: BreachRecordOut, **REFUSALS}, summary="The breach record"
)
def breach_record(request: HttpRequest, incident_uuid: UUID) -> BreachRecordOut:
    """Every assessment and decision, newest first. Reading it is on the incident's record."""
    person = need(request, Scope.READ).person
    incident = visible_incident(person, incident_uuid)
    if not incident.powers_of(person).can_handle:
        raise Forbidden("Outside help reads the incident, not its breach record.")
    viewed(incident, person)
    return record_of(incident)


@router.post(
    "/incidents/{incident_uuid}/breach/assessments",
    response={201: AssessmentOut, **STEP_REFUSALS},
    summary="Assess the breach and keep the result",
)
def record_assessment(
    request: HttpRequest, incident_uuid: UUID, facts: dict[str, Any] = FACTS
) -> Status[AssessmentOut]:
    """Run the engine on the facts and keep the result as the incident's next assessment version."""
    person = need(request, Scope.HANDLE).person
    incident = visible_incident(person, incident_uuid)
    if not incident.powers_of(person).can_assess_breach:
        raise Forbidden("Only the DPO or an incident manager can assess a breach.")
    assessment = Assessment.record_assessment(incident=incident, facts=checked_facts(facts), by=person)
    return Status(201, assessment_out(assessment, incident))


@router.post(
    "/incidents/{incident_uuid}/breach/decision",
    response={201: DecisionOut, **STEP_REFUSALS},
    summary="Record the DPO's decision on telling the ICO",
)
def decide(request: HttpRequest, incident_uuid: UUID, payload: DecisionIn) -> Status[DecisionOut]:
    """On the latest assessment: agree with its outcome, or decide otherwise with the reason.
    409 when there is no assessment yet, or the decision may not be made as sent."""
    person = need(request, Scope.HANDLE).person
    incident = visible_incident(person, incident_uuid)
    if not incident.powers_of(person).can_decide_breach:
        raise Forbidden("Only the DPO can record the decision on telling the ICO.")
    latest = latest_assessment(incident)
    if latest is None:
        raise StepRefused(NO_ASSESSMENT)
    nearest = precedents.nearest(incident, person, latest.facts)
    form = bound(
        DecisionForm, payload.dict(exclude_unset=True), incident=incident, assessment=latest, precedents=nearest
    )
    values = cleaned(form)
    made = Decision.decide(
        assessment=latest,
        by=person,
        agrees=values["agrees"] == "yes",
        decision=values.get("decision") or "",
        reason=values.get("reason") or "",
    )
    return Status(201, decision_out(made, incident))
