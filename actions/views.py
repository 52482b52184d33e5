"""Remedial actions: raise on an incident, edit, finish; "My actions" and the handlers' list.

Actions stay listed after their incident closes: nothing here looks at the incident's status.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Event
from core.exceptions import StepRefused
from core.views import get_visible_or_404
from incidents.models import Incident

from . import services
from .access import handler_organisations, owner_choices, powers_over
from .forms import ActionFilterForm, ActionForm, NoteForm, ReasonForm
from .models import RemedialAction

PAGE_SIZE = 50


# Overdue is read from the action's stored deadline (the deadlines app works it out: its due
# date, else the organisation's timescale from when it was raised), as the dashboard counts it.
# A lookup by relation name: this app sits below deadlines and imports nothing from it.
def _overdue(now: Any = None) -> Q:
    return Q(deadline__met_at__isnull=True, deadline__stopped="", deadline__due_at__lte=now or timezone.now())


def overdue_first(queryset: QuerySet[RemedialAction]) -> QuerySet[RemedialAction]:
    """Open and overdue first, then open by due date (undated last), then finished ones."""
    return queryset.annotate(
        rank=Case(
            When(_overdue(), status=RemedialAction.Status.OPEN, then=Value(0)),
            When(status=RemedialAction.Status.OPEN, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", F("due_on").asc(nulls_last=True), "id")


def filtered(queryset: QuerySet[RemedialAction], status: str) -> QuerySet[RemedialAction]:
    if status == "overdue":
        return queryset.filter(_overdue(), status=RemedialAction.Status.OPEN)
    if status in {"open", "done", "cancelled"}:
        return queryset.filter(status=status)
    return queryset


def list_page(request: HttpRequest, queryset: QuerySet[RemedialAction], template: str) -> HttpResponse:
    form = ActionFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() and form.cleaned_data["status"] else "open"
    queryset = overdue_first(filtered(queryset, status)).select_related("organisation", "incident", "owner", "deadline")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "status": status,
            "page_obj": page,
            "today": timezone.localdate(),
            "querystring": f"?{query.urlencode()}&" if query else "?",
        },
    )


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    """Every action in the handler's scope (an empty list for anyone who handles nothing)."""
    queryset = RemedialAction.objects.visible_to(request.user).filter(
        organisation__in=handler_organisations(request.user)
    )
    return list_page(request, queryset, "actions/list.html")


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    return list_page(
        request, RemedialAction.objects.visible_to(request.user).filter(owner_id=request.user.pk), "actions/mine.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    if not incident.powers_of(request.user).can_manage_actions:
        raise PermissionDenied  # outside help reads the incident's actions, never raises one
    form = ActionForm(request.POST or None, owners=owner_choices(incident.organisation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = services.create_action(
            by=request.user,
            incident=incident,
            title=data["title"],
            details=data["details"],
            owner=data["owner"],
            due_on=data["due_on"],
            source=data["source"],
            change_reference=data["change_reference"],
        )
        messages.success(request, f"Added the action “{action.title}”.")
        return redirect(reverse("incidents:detail", args=[incident.uuid]) + "#actions")
    return render(
        request,
        "actions/form.html",
        {"incident": incident, "current_organisation": incident.organisation, "form": form, "action": None},
    )


@login_required
@require_GET
def detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_visible_or_404(
        RemedialAction.objects.select_related("organisation", "incident", "owner"), request.user, pk=action_id
    )
    # Events written before the model moved to this app name it "incidents.remedialaction".
    events = Event.objects.filter(target_type__in=RemedialAction.labels(), target_id=str(action.pk)).select_related(
        "actor"
    )
    p = powers_over(request.user, action)
    incident_visible = action.incident is not None and action.incident.powers_of(request.user).can_view
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "current_organisation": action.organisation,
            "events": events,
            "incident_visible": incident_visible,
            "may_manage": p.can_manage_actions,
            "may_complete": p.can_complete_action(action.owner_id),
            "is_overdue": action.is_overdue(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_visible_or_404(
        RemedialAction.objects.select_related("organisation", "incident", "owner"), request.user, pk=action_id
    )
    if not powers_over(request.user, action).can_manage_actions:
        raise PermissionDenied("Only the incident's handlers and its investigator can change an action.")
    form = ActionForm(request.POST or None, instance=action, owners=owner_choices(action.organisation))
    if request.method == "POST" and form.is_valid():
        # The form wrote the new values onto `action`: start again from the stored row.
        stored = RemedialAction.objects.select_related("organisation", "incident", "owner").get(pk=action.pk)
        try:
            changed = services.update_action(
                stored, by=request.user, **{name: form.cleaned_data[name] for name in services.EDITABLE}
            )
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Action saved." if changed else "Nothing was changed.")
            return redirect("actions:detail", action.pk)
    return render(
        request,
        "actions/form.html",
        {"incident": action.incident, "current_organisation": action.organisation, "form": form, "action": action},
    )


def _status_step(request: HttpRequest, action_id: int, *, step: str, form_class: type, template: str) -> HttpResponse:
    action = get_visible_or_404(
        RemedialAction.objects.select_related("organisation", "incident", "owner"), request.user, pk=action_id
    )
    p = powers_over(request.user, action)
    allowed = p.can_complete_action(action.owner_id) if step == "done" else p.can_manage_actions
    if not allowed:
        raise PermissionDenied("You cannot change this action.")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if step == "done":
                services.complete_action(action, by=request.user, note=form.cleaned_data["note"])
            elif step == "cancel":
                services.cancel_action(action, by=request.user, reason=form.cleaned_data["reason"])
            else:
                services.reopen_action(action, by=request.user, reason=form.cleaned_data["reason"])
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"The action is now {action.get_status_display().lower()}.")
            return redirect("actions:detail", action.pk)
    return render(
        request,
        template,
        {"action": action, "current_organisation": action.organisation, "form": form, "step": step},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mark_done(request: HttpRequest, action_id: int) -> HttpResponse:
    return _status_step(request, action_id, step="done", form_class=NoteForm, template="actions/status.html")


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, action_id: int) -> HttpResponse:
    return _status_step(request, action_id, step="cancel", form_class=ReasonForm, template="actions/status.html")


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, action_id: int) -> HttpResponse:
    return _status_step(request, action_id, step="reopen", form_class=ReasonForm, template="actions/status.html")
