"""The report's corrections and the DPO's oversight as operations, one per step of the table.

    POST /incidents/{incident_uuid}/correct       correct one reported fact, with a reason
    POST /incidents/{incident_uuid}/ask-dpo       ask the DPO for advice
    POST /incidents/{incident_uuid}/dpo/advice    the DPO records advice given
    POST /incidents/{incident_uuid}/dpo/reviewed  the DPO marks the incident reviewed
    POST /incidents/{incident_uuid}/dpo/direct    the DPO directs the investigating officer
    POST /incidents/{incident_uuid}/sign-off      the SIRO signs off the outcome

As every step operation (`steps.py`): the incident among those the caller may see (404),
the table's "who" (403), the page's own form (422) and the same lifecycle function (409
when it refuses).
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from api.schemas import STEP_REFUSALS
from incidents import lifecycle
from incidents.forms import oversight as f
from incidents.models import Incident

from .forms import bound, cleaned
from .steps import IncidentState, incident_for_step, state

router = Router(tags=["Lifecycle steps"])


class CorrectIn(Schema):
    field: str | None = Field(None, description="Which reported field: one of the report's fields, e.g. location.")
    value: Any = Field(None, description="Its correct value, as the report form takes it.")
    reason: str | None = Field(None, description="Why it is corrected (needed).")


class QuestionIn(Schema):
    question: str | None = None


class AdviceIn(Schema):
    advice: str | None = None


class NoteIn(Schema):
    note: str | None = None


class DirectionIn(Schema):
    direction: str | None = None


@router.post(
    "/incidents/{incident_uuid}/correct",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Correct the report",
)
def correct(request: HttpRequest, incident_uuid: UUID, payload: CorrectIn) -> IncidentState:
    """Correct one reported fact; what it said before and why it changed are kept."""
    incident, _ = incident_for_step(request, incident_uuid, "correct_report")
    name = payload.field if payload.field in Incident.REPORT_FIELDS else None
    if name is None:
        cleaned(bound(f.ChooseFieldForm, {"field": payload.field}))  # the form's own words: 422
    assert name is not None
    data = {"field": name, name: payload.value, "reason": payload.reason}
    values = cleaned(bound(f.CorrectionForm, data, name=name, incident=incident))
    lifecycle.correct(incident, by=request.user, field=name, value=values[name], reason=values["reason"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/ask-dpo",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Ask the DPO for advice",
)
def ask_dpo(request: HttpRequest, incident_uuid: UUID, payload: QuestionIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "ask_dpo")
    values = cleaned(bound(f.AskDpoForm, payload.dict(exclude_unset=True)))
    lifecycle.ask_dpo(incident, by=request.user, question=values["question"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/dpo/advice",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Record the DPO's advice",
)
def dpo_advise(request: HttpRequest, incident_uuid: UUID, payload: AdviceIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "dpo_advise")
    values = cleaned(bound(f.AdviceForm, payload.dict(exclude_unset=True)))
    lifecycle.advise(incident, by=request.user, advice=values["advice"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/dpo/reviewed",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Mark as reviewed by the DPO",
)
def dpo_review(request: HttpRequest, incident_uuid: UUID, payload: NoteIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "dpo_review")
    values = cleaned(bound(f.ReviewForm, payload.dict(exclude_unset=True)))
    lifecycle.mark_reviewed(incident, by=request.user, note=values["note"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/dpo/direct",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Direct the investigating officer",
)
def dpo_direct(request: HttpRequest, incident_uuid: UUID, payload: DirectionIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "dpo_direct")
    values = cleaned(bound(f.DirectionForm, payload.dict(exclude_unset=True)))
    lifecycle.direct_investigator(incident, by=request.user, direction=values["direction"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/sign-off",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Sign off the outcome",
)
def sign_off(request: HttpRequest, incident_uuid: UUID, payload: NoteIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "sign_off_outcome")
    values = cleaned(bound(f.SignOffForm, payload.dict(exclude_unset=True)))
    lifecycle.sign_off_outcome(incident, by=request.user, note=values["note"])
    return state(request, incident)
