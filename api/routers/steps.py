"""Each step of an incident's life as its own operation, read from the table of steps.

    GET  /incidents/{incident_uuid}/steps                 every step of the table, with its blockers
    POST /incidents/{incident_uuid}/triage                ... one operation per step (`PATHS`)

Every operation finds the incident among those the caller may see (another organisation's
is a 404), answers 403 when the table's "who" says the caller may not take the step (as the
web page does), validates the input with the step page's own form (422, the form's words),
and calls the same `incidents.lifecycle` function the page calls. A step the table or the
rules refuse raises `StepRefused`, which the API answers 409 with its plain-English reason.
The step writes its one event, so the record is the same whichever door was used.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from api.auth import Forbidden, need
from api.models import Scope
from api.schemas import REFUSALS, STEP_REFUSALS
from core.views import get_visible_or_404
from incidents import forms as f
from incidents import lifecycle
from incidents.lifecycle.table import blockers_of_every_step
from incidents.models import ChecklistItem, Incident, OutcomeReport, incident_types_for
from lib import clock
from organisations.powers import Powers

from .forms import bound, choice, cleaned
from .incidents import viewed

router = Router(tags=["Lifecycle steps"])

# Where each step of the table is taken, under /incidents/{uuid}/: the web page's own path.
# `tests/test_api_steps.py` holds this to the table, so a new step needs its operation.
PATHS = {
    "triage": "triage",
    "close_not_incident": "not-an-incident",
    "assign_investigator": "assign",
    "start_investigation": "start",
    "save_outcome_draft": "outcome",
    "submit_outcome": "outcome/submit",
    "review_outcome": "outcome/review",
    "close": "close",
    "reopen": "reopen",
    "reclassify": "reclassify",
    "add_note": "notes",
    "message_reporter": "messages",  # api/routers/messages.py
    "update_checklist_item": "checklist/{item_id}",
    # api/routers/oversight.py
    "correct_report": "correct",
    "ask_dpo": "ask-dpo",
    "dpo_advise": "dpo/advice",
    "dpo_review": "dpo/reviewed",
    "dpo_direct": "dpo/direct",
    "sign_off_outcome": "sign-off",
    # api/routers/waves.py
    "link_related": "related",
    "close_duplicate": "duplicate",
    "take_duplicates": "duplicates",
    "tag": "tags",
}


# ── What the operations answer ──────────────────────────────────────────────────────────


class StepOut(Schema):
    name: str = Field(description="The step's name in the table of steps.")
    label: str = Field(description="The words on the web page's button.")
    method: str
    path: str = Field(description="Where to take it.")
    available: bool = Field(description="Whether the caller may take it now.")
    blockers: list[str] = Field(description="What stands in the way, in plain words (empty when available).")


class IncidentState(Schema):
    """Where the incident stands after a step, and what the caller may do next."""

    uuid: UUID
    reference: str | None
    status: str
    status_label: str
    severity: str
    investigator: str | None = Field(description="The investigating officer's email address.")
    closed_on: str | None
    steps: list[str] = Field(description="The steps the caller may take now (names in the table of steps).")
    open_remedial_actions: list[str] = Field(default_factory=list, description="Titles; set by the close step.")


class ChecklistItemOut(Schema):
    id: int
    text: str
    state: str
    note: str
    not_applicable_reason: str
    disciplinary: bool
    disciplinary_decision: str
    evidence: UUID | None
    updated_on: str | None
    blockers: list[str]


# ── What they take ──────────────────────────────────────────────────────────────────────


class ClassificationIn(Schema):
    severity: str | None = Field(None, description="minor, moderate, major or critical.")
    nature: str | None = Field(None, description="event, weakness, incident or unknown.")
    breach_status: str | None = Field(None, description="near_miss, potential or confirmed.")
    personal_data_breach: str | None = Field(None, description="yes, no or not_sure.")
    breach_types: list[str] | None = Field(None, description="confidentiality, integrity, availability.")
    incident_type: str | None = Field(None, description="The incident type's name, from the organisation's list.")
    aware_on: str | None = Field(
        None,
        description="When the organisation became aware of a personal data breach (ISO 8601).",
        json_schema_extra={"format": "date-time"},
    )


class TriageIn(ClassificationIn):
    investigator: str | None = Field(None, description="The investigating officer's email address.")
    delegation_reason: str | None = Field(None, description="Why the SIRO delegates a critical investigation.")


class ReclassifyIn(ClassificationIn):
    """Parts left out keep their current value; the reason is needed."""

    reason: str | None = None


class AssignIn(Schema):
    investigator: str | None = Field(None, description="The investigating officer's email address.")
    reason: str | None = Field(None, description="Why the SIRO delegates a critical investigation.")


class ReasonIn(Schema):
    reason: str | None = None


class BodyIn(Schema):
    body: str | None = None


class OutcomeIn(Schema):
    """Sections left out keep what they say; the disciplinary outcome only for those who may read it."""

    summary: str | None = None
    root_cause: str | None = None
    data_and_people_affected: str | None = None
    containment_and_recovery: str | None = None
    notification_decisions: str | None = None
    lessons_learned: str | None = None
    recommendations: str | None = None
    disciplinary_outcome: str | None = None


class ReviewIn(Schema):
    decision: str | None = Field(None, description="accept or return.")
    comments: str | None = Field(None, description="Needed to return it.")


class ChecklistIn(Schema):
    state: str | None = Field(None, description="done, not_applicable or pending.")
    note: str | None = None
    not_applicable_reason: str | None = None
    disciplinary_decision: str | None = Field(None, description="The disciplinary item only.")
    evidence: UUID | None = Field(None, description="Evidence of this incident, by its UUID.")


# ── Shared ──────────────────────────────────────────────────────────────────────────────


def incident_for_step(request: HttpRequest, incident_uuid: UUID, step: str) -> tuple[Incident, Powers]:
    """The incident (404 unless visible) and the caller's powers; 403 unless the table's "who" allows `step`.

    The same order as the web page (`incidents.views.steps.incident_for_step`).
    """
    user = need(request, Scope.HANDLE).person
    incident = get_visible_or_404(
        Incident.objects.select_related("organisation", "reported_by", "investigator", "incident_type"),
        user,
        uuid=incident_uuid,
    )
    p = incident.powers_of(user)
    if not lifecycle.STEP[step].who(p):
        raise Forbidden(lifecycle.STEP[step].who_refusal)
    return incident, p


def state(request: HttpRequest, incident: Incident, **extra: Any) -> IncidentState:
    user = request.user
    incident = Incident.objects.select_related("organisation", "investigator").get(pk=incident.pk)
    precision = clock.precision_of(incident)
    return IncidentState(
        uuid=incident.uuid,
        reference=incident.reference,
        status=incident.status,
        status_label=incident.get_status_display(),
        severity=incident.severity,
        investigator=incident.investigator.email if incident.investigator else None,
        closed_on=clock.iso(incident.closed_on, precision) or None,
        steps=[step.name for step in lifecycle.available_steps(user, incident)],
        **extra,
    )


def classification_data(incident: Incident, given: dict[str, Any], *, keep_current: bool) -> dict[str, Any]:
    """What the classification form is bound to: what was sent, the incident type by name
    (its id for the form), and, where `keep_current`, today's values for what was left out."""
    data = f.ClassificationForm.initial_from(incident) if keep_current else {}
    if keep_current and data.get("aware_on"):
        data["aware_on"] = data["aware_on"].isoformat()
    data.update(given)
    if "incident_type" in given:
        data["incident_type"] = choice(given["incident_type"], incident_types_for(incident.organisation), "name")
    return data


# ── The table ───────────────────────────────────────────────────────────────────────────


@router.get(
    "/incidents/{incident_uuid}/steps",
    response={200: list[StepOut], **REFUSALS},
    summary="Every step, and what stands in its way",
)
def steps(request: HttpRequest, incident_uuid: UUID) -> list[StepOut]:
    """Each step of the table of steps: whether the caller may take it now and, if not, its
    blockers in the words the incident page shows."""
    user = need(request, Scope.READ).person
    incident = get_visible_or_404(
        Incident.objects.select_related("organisation", "outcome_report"), user, uuid=incident_uuid
    )
    found = blockers_of_every_step(incident, incident.powers_of(user))
    base = request.path.rsplit("/steps", 1)[0]
    return [
        StepOut(
            name=step.name,
            label=step.label,
            method="POST",
            path=f"{base}/{PATHS[step.name]}",
            available=not found[step.name],
            blockers=found[step.name],
        )
        for step in lifecycle.STEPS
    ]


# ── Steps that change the incident's state ──────────────────────────────────────────────


@router.post(
    "/incidents/{incident_uuid}/triage", response={200: IncidentState, **STEP_REFUSALS}, summary="Triage the report"
)
def triage(request: HttpRequest, incident_uuid: UUID, payload: TriageIn) -> IncidentState:
    """Classify a new report, set its severity, and optionally assign the investigation."""
    incident, _ = incident_for_step(request, incident_uuid, "triage")
    investigators = lifecycle.eligible_investigators(incident)
    given = payload.dict(exclude_unset=True)
    data = classification_data(incident, given, keep_current=False)
    data["investigator"] = choice(given.get("investigator"), investigators, "email")
    form = bound(f.TriageForm, data, incident=incident, investigators=investigators)
    values = cleaned(form)
    lifecycle.triage(
        incident,
        by=request.user,
        investigator=values["investigator"],
        delegation_reason=values["delegation_reason"],
        **form.classification(),
    )
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/reclassify", response={200: IncidentState, **STEP_REFUSALS}, summary="Reclassify"
)
def reclassify(request: HttpRequest, incident_uuid: UUID, payload: ReclassifyIn) -> IncidentState:
    """Change the classification with a reason; every version is kept, a new severity is routed again."""
    incident, _ = incident_for_step(request, incident_uuid, "reclassify")
    form = bound(
        f.ReclassifyForm,
        classification_data(incident, payload.dict(exclude_unset=True), keep_current=True),
        incident=incident,
    )
    values = cleaned(form)
    lifecycle.reclassify(incident, by=request.user, reason=values["reason"], **form.classification())
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/assign",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Assign the investigation",
)
def assign(request: HttpRequest, incident_uuid: UUID, payload: AssignIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "assign_investigator")
    investigators = lifecycle.eligible_investigators(incident)
    data = payload.dict(exclude_unset=True)
    data["investigator"] = choice(data.get("investigator"), investigators, "email")
    values = cleaned(bound(f.AssignForm, data, investigators=investigators))
    lifecycle.assign_investigator(
        incident, by=request.user, investigator=values["investigator"], reason=values["reason"]
    )
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/start",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Start the investigation",
)
def start(request: HttpRequest, incident_uuid: UUID) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "start_investigation")
    lifecycle.start_investigation(incident, by=request.user)
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/not-an-incident",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Close as not an incident",
)
def not_an_incident(request: HttpRequest, incident_uuid: UUID, payload: ReasonIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "close_not_incident")
    values = cleaned(bound(f.ReasonForm, payload.dict(exclude_unset=True)))
    lifecycle.close_not_incident(incident, by=request.user, reason=values["reason"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/outcome",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Write the outcome report",
)
def outcome(request: HttpRequest, incident_uuid: UUID, payload: OutcomeIn) -> IncidentState:
    """Save sections of the outcome report's draft (submitting it is its own step)."""
    incident, p = incident_for_step(request, incident_uuid, "save_outcome_draft")
    report = OutcomeReport.objects.filter(incident=incident).first() or OutcomeReport(incident=incident)
    data = {name: getattr(report, name) for name, _ in OutcomeReport.SECTIONS}
    data.update(payload.dict(exclude_unset=True))
    form = bound(f.OutcomeReportForm, data, instance=report, restricted=p.can_see_restricted)
    values = cleaned(form)
    lifecycle.save_outcome_draft(incident, by=request.user, sections={name: values[name] for name in form.fields})
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/outcome/submit",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Submit the outcome report",
)
def submit(request: HttpRequest, incident_uuid: UUID) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "submit_outcome")
    lifecycle.submit_outcome(incident, by=request.user)
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/outcome/review",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Review the outcome report",
)
def review(request: HttpRequest, incident_uuid: UUID, payload: ReviewIn) -> IncidentState:
    """Accept the outcome report, or return it to the investigating officer with comments."""
    incident, _ = incident_for_step(request, incident_uuid, "review_outcome")
    values = cleaned(bound(f.ReviewForm, payload.dict(exclude_unset=True)))
    lifecycle.review_outcome(
        incident, by=request.user, accept=values["decision"] == "accept", comments=values["comments"]
    )
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/close", response={200: IncidentState, **STEP_REFUSALS}, summary="Close the incident"
)
def close(request: HttpRequest, incident_uuid: UUID) -> IncidentState:
    """Close the incident; its open remedial actions stay open and trackable (listed in the answer)."""
    incident, _ = incident_for_step(request, incident_uuid, "close")
    open_actions = lifecycle.close(incident, by=request.user)
    return state(request, incident, open_remedial_actions=[action.title for action in open_actions])


@router.post(
    "/incidents/{incident_uuid}/reopen", response={200: IncidentState, **STEP_REFUSALS}, summary="Reopen the incident"
)
def reopen(request: HttpRequest, incident_uuid: UUID, payload: ReasonIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "reopen")
    values = cleaned(bound(f.ReasonForm, payload.dict(exclude_unset=True)))
    lifecycle.reopen(incident, by=request.user, reason=values["reason"])
    return state(request, incident)


# ── Working the investigation ───────────────────────────────────────────────────────────


@router.post(
    "/incidents/{incident_uuid}/notes", response={200: IncidentState, **STEP_REFUSALS}, summary="Add an internal note"
)
def add_note(request: HttpRequest, incident_uuid: UUID, payload: BodyIn) -> IncidentState:
    """A note for the people handling the incident, never shown to the reporter."""
    incident, _ = incident_for_step(request, incident_uuid, "add_note")
    values = cleaned(bound(f.NoteForm, payload.dict(exclude_unset=True)))
    lifecycle.add_note(incident, by=request.user, body=values["body"])
    return state(request, incident)


def item_out(item: ChecklistItem, incident: Incident, p: Powers) -> ChecklistItemOut:
    # The disciplinary item's notes are restricted (`Powers.can_see_restricted`), as on the page.
    hidden = item.is_disciplinary and not p.can_see_restricted
    return ChecklistItemOut(
        id=item.pk,
        text=item.text,
        state=item.state,
        note="" if hidden else item.note,
        not_applicable_reason=item.not_applicable_reason,
        disciplinary=item.is_disciplinary,
        disciplinary_decision="" if hidden else item.disciplinary_decision,
        evidence=item.evidence.uuid if item.evidence_id and item.evidence else None,
        updated_on=clock.iso(item.updated_on, clock.precision_of(incident)) or None,
        blockers=lifecycle.checklist_item_blockers(item, incident, p),
    )


@router.get(
    "/incidents/{incident_uuid}/checklist",
    response={200: list[ChecklistItemOut], **REFUSALS},
    summary="The investigation checklist",
)
def checklist(request: HttpRequest, incident_uuid: UUID) -> list[ChecklistItemOut]:
    user = need(request, Scope.READ).person
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), user, uuid=incident_uuid)
    p = incident.powers_of(user)
    viewed(incident, user)  # what was done, in the investigators' words: a read of the record
    return [item_out(item, incident, p) for item in incident.checklist.select_related("evidence")]


@router.post(
    "/incidents/{incident_uuid}/checklist/{item_id}",
    response={200: ChecklistItemOut, **STEP_REFUSALS},
    summary="Update a checklist item",
)
def checklist_item(request: HttpRequest, incident_uuid: UUID, item_id: int, payload: ChecklistIn) -> ChecklistItemOut:
    """Mark an item done (with a note, perhaps evidence) or not applicable (with the reason);
    the disciplinary item takes a decision instead."""
    user = need(request, Scope.HANDLE).person
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), user, uuid=incident_uuid)
    item = get_object_or_404(
        ChecklistItem.objects.select_related("incident__organisation"), incident=incident, pk=item_id
    )
    p = incident.powers_of(user)
    refusal = lifecycle.checklist_item_refusal(item, p)
    if refusal:
        raise Forbidden(refusal)
    data: dict[str, Any] = payload.dict(exclude_unset=True)
    form: Any
    if item.is_disciplinary:
        form = bound(f.DisciplinaryItemForm, data)
    else:
        data["evidence"] = choice(data.get("evidence"), incident.evidence.filter(withdrawn_on__isnull=True), "uuid")
        form = bound(f.ChecklistItemForm, data, item=item)
    lifecycle.update_checklist_item(item, by=user, **cleaned(form))
    item.refresh_from_db()
    return item_out(item, incident, p)
