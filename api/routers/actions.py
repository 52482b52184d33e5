"""Remedial actions: list, raise, change, finish, through the actions app's services.

    GET   /actions                        the actions of the organisations the caller handles (or `mine`)
    GET   /incidents/{uuid}/actions       an incident's actions
    POST  /incidents/{uuid}/actions       raise one (201)
    GET   /actions/{id}                   one action
    PATCH /actions/{id}                   change it (what is left out stays)
    POST  /actions/{id}/done | cancel | reopen

The same lists, checks and services as the pages (`actions.views`, `actions.access`,
`actions.services`): overdue ones first, overdue as the stored deadline says; raising on an
incident for whoever may open it; changing, cancelling and reopening for its handlers and its
incident's investigator; marking done for them and the action's owner. The owner is named by
email address, among the people the page offers.
"""

from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from actions import services
from actions.access import handler_organisations, owner_choices, powers_over
from actions.forms import ActionFilterForm, ActionForm, NoteForm, ReasonForm
from actions.models import RemedialAction
from actions.views import PAGE_SIZE, filtered, overdue_first
from api.auth import Forbidden, need
from api.models import Scope
from api.schemas import REFUSALS, STEP_REFUSALS, InvalidInput
from core.views import get_visible_or_404
from incidents.models import Incident

from .forms import bound, choice, cleaned

router = Router(tags=["Remedial actions"])


class ActionOut(Schema):
    id: int
    title: str
    details: str
    owner: str | None = Field(description="The owner's email address.")
    due_on: str | None = Field(description="YYYY-MM-DD.")
    status: str = Field(description="open, done or cancelled.")
    overdue: bool = Field(description="Open and past its stored deadline, as every list counts it.")
    source: str
    change_reference: str
    incident: UUID | None
    incident_reference: str | None
    organisation: str
    completed_on: str | None


def action_out(action: RemedialAction) -> ActionOut:
    rank = getattr(action, "rank", None)  # `overdue_first` worked it out in the query
    return ActionOut(
        id=action.pk,
        title=action.title,
        details=action.details,
        owner=action.owner.email if action.owner else None,
        due_on=action.due_on.isoformat() if action.due_on else None,
        status=action.status,
        overdue=rank == 0 if rank is not None else action.is_overdue(),
        source=action.source,
        change_reference=action.change_reference,
        incident=action.incident.uuid if action.incident else None,
        incident_reference=action.incident.reference if action.incident else None,
        organisation=action.organisation.name,
        completed_on=action.completed_on.isoformat() if action.completed_on else None,
    )


class ActionFilter(Schema):
    status: str | None = Field(None, description="open (the default), overdue, done, cancelled or all.")
    mine: bool = Field(False, description="Only the actions given to the caller.")
    page: int = Field(1, ge=1, le=1_000_000, description="Pages of 50, as on the web.")


class ActionPage(Schema):
    items: list[ActionOut]
    count: int = Field(description="How many actions the filters find.")
    next_page: int | None = Field(description="Pass as `page` for the next page; null on the last page.")


def listed(queryset: Any, status: str | None) -> Any:
    form = bound(ActionFilterForm, {"status": status})
    value = cleaned(form)["status"] or "open"
    return overdue_first(filtered(queryset, value)).select_related("organisation", "incident", "owner")


@router.get("/actions", response={200: ActionPage, 422: InvalidInput, **REFUSALS}, summary="Remedial actions")
def action_list(request: HttpRequest, filters: Query[ActionFilter]) -> ActionPage:
    """The actions of every organisation the caller handles incidents for, or (`mine`) those
    given to the caller; overdue ones first, then by due date. 50 a page."""
    user = need(request, Scope.READ).person
    if filters.mine:
        queryset = RemedialAction.objects.visible_to(user).filter(owner_id=user.pk)
    else:
        queryset = RemedialAction.objects.visible_to(user).filter(organisation__in=handler_organisations(user))
    page = Paginator(listed(queryset, filters.status), PAGE_SIZE).get_page(filters.page)
    return ActionPage(
        items=[action_out(action) for action in page.object_list],
        count=page.paginator.count,
        next_page=page.next_page_number() if page.has_next() else None,
    )


def visible_incident(user: Any, incident_uuid: UUID) -> Incident:
    return get_visible_or_404(Incident.objects.select_related("organisation"), user, uuid=incident_uuid)


@router.get(
    "/incidents/{incident_uuid}/actions",
    response={200: list[ActionOut], **REFUSALS},
    summary="An incident's remedial actions",
)
def incident_actions(request: HttpRequest, incident_uuid: UUID) -> list[ActionOut]:
    user = need(request, Scope.READ).person
    incident = visible_incident(user, incident_uuid)
    return [action_out(action) for action in listed(incident.remedial_actions.all(), "all")]


class ActionIn(Schema):
    title: str | None = Field(None, description="What needs to be done.")
    details: str | None = None
    owner: str | None = Field(None, description="The email address of who will do it.")
    due_on: str | None = Field(None, description="Due by (YYYY-MM-DD).", json_schema_extra={"format": "date"})
    source: str | None = Field(None, description="investigation or outcome_report.")
    change_reference: str | None = Field(None, description="Its change-management reference, if any.")


def action_data(given: dict[str, Any], organisation: Any, current: RemedialAction | None = None) -> dict[str, Any]:
    """What the action form is bound to: the current values (when changing) and what was sent,
    the owner by email turned into the form's choice."""
    data: dict[str, Any] = {}
    if current is not None:
        data = {name: getattr(current, name) for name in services.EDITABLE}
        data["owner"] = current.owner_id
        data["due_on"] = current.due_on.isoformat() if current.due_on else None
    data.update({name: value for name, value in given.items() if name != "owner"})
    if "owner" in given:
        data["owner"] = choice(given["owner"], owner_choices(organisation), "email")
    return data


@router.post(
    "/incidents/{incident_uuid}/actions",
    response={201: ActionOut, **STEP_REFUSALS},
    summary="Raise a remedial action",
)
def add(request: HttpRequest, incident_uuid: UUID, payload: ActionIn) -> Status[ActionOut]:
    """Raise an action on the incident; its owner is told, as from the page."""
    user = need(request, Scope.HANDLE).person
    incident = visible_incident(user, incident_uuid)
    if not incident.powers_of(user).can_manage_actions:
        raise Forbidden("Only the incident's handlers and its investigator can raise an action.")
    owners = owner_choices(incident.organisation)
    form = bound(ActionForm, action_data(payload.dict(exclude_unset=True), incident.organisation), owners=owners)
    data = cleaned(form)
    action = services.create_action(
        by=user,
        incident=incident,
        title=data["title"],
        details=data["details"],
        owner=data["owner"],
        due_on=data["due_on"],
        source=data["source"],
        change_reference=data["change_reference"],
    )
    return Status(201, action_out(action))


def visible_action(user: Any, action_id: int) -> RemedialAction:
    return get_visible_or_404(
        RemedialAction.objects.select_related("organisation", "incident", "owner"), user, pk=action_id
    )


@router.get("/actions/{action_id}", response={200: ActionOut, **REFUSALS}, summary="One remedial action")
def detail(request: HttpRequest, action_id: int) -> ActionOut:
    user = need(request, Scope.READ).person
    return action_out(visible_action(user, action_id))


@router.patch("/actions/{action_id}", response={200: ActionOut, **STEP_REFUSALS}, summary="Change an action")
def edit(request: HttpRequest, action_id: int, payload: ActionIn) -> ActionOut:
    """Change what is sent; the rest stays. Only open actions change (409 otherwise)."""
    user = need(request, Scope.HANDLE).person
    action = visible_action(user, action_id)
    if not powers_over(user, action).can_manage_actions:
        raise Forbidden("Only the incident's handlers and its investigator can change an action.")
    owners = owner_choices(action.organisation)
    data = action_data(payload.dict(exclude_unset=True), action.organisation, current=action)
    values = cleaned(bound(ActionForm, data, instance=action, owners=owners))
    # The form wrote the new values onto `action`: start again from the stored row, as the page does.
    stored = visible_action(user, action_id)
    services.update_action(stored, by=user, **{name: values[name] for name in services.EDITABLE})
    return action_out(visible_action(user, action_id))


class NoteIn(Schema):
    note: str | None = Field(None, description="What was done.")


class ReasonIn(Schema):
    reason: str | None = None


def for_status_step(request: HttpRequest, action_id: int, step: str) -> tuple[Any, RemedialAction]:
    """The caller and the action, if they may take `step` on it (403 otherwise), as the page asks."""
    user = need(request, Scope.HANDLE).person
    action = visible_action(user, action_id)
    p = powers_over(user, action)
    if not (p.can_complete_action(action.owner_id) if step == "done" else p.can_manage_actions):
        raise Forbidden("You cannot change this action.")
    return user, action


@router.post("/actions/{action_id}/done", response={200: ActionOut, **STEP_REFUSALS}, summary="Mark an action done")
def mark_done(request: HttpRequest, action_id: int, payload: NoteIn) -> ActionOut:
    user, action = for_status_step(request, action_id, "done")
    values = cleaned(bound(NoteForm, payload.dict(exclude_unset=True)))
    services.complete_action(action, by=user, note=values["note"])
    return action_out(visible_action(user, action_id))


@router.post("/actions/{action_id}/cancel", response={200: ActionOut, **STEP_REFUSALS}, summary="Cancel an action")
def cancel(request: HttpRequest, action_id: int, payload: ReasonIn) -> ActionOut:
    user, action = for_status_step(request, action_id, "cancel")
    values = cleaned(bound(ReasonForm, payload.dict(exclude_unset=True)))
    services.cancel_action(action, by=user, reason=values["reason"])
    return action_out(visible_action(user, action_id))


@router.post("/actions/{action_id}/reopen", response={200: ActionOut, **STEP_REFUSALS}, summary="Reopen an action")
def reopen(request: HttpRequest, action_id: int, payload: ReasonIn) -> ActionOut:
    user, action = for_status_step(request, action_id, "reopen")
    values = cleaned(bound(ReasonForm, payload.dict(exclude_unset=True)))
    services.reopen_action(action, by=user, reason=values["reason"])
    return action_out(visible_action(user, action_id))
