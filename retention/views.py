"""The retention schedule page, the disposal lists with their keep and approve, and legal hold."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from core.exceptions import StepRefused
from core.views import get_visible_or_404
from incidents.models import Incident
from organisations.models import Membership, Organisation, Role
from organisations.powers import powers

from . import disposal, holds
from .forms import KeepForm, ReasonForm, ScheduleForm
from .models import Basis, Disposal, DisposalEntry, DisposalList, RetentionSchedule
from .schedule import FIELD_NAMES, effective_with_sources


def _organisation(request: HttpRequest, org_uuid: Any, roles: list[str]) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user, roles=roles), uuid=org_uuid)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_page(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _organisation(request, org_uuid, [Role.ADMIN, Role.DPO])
    own = RetentionSchedule.objects.filter(organisation=organisation).first() or RetentionSchedule(
        organisation=organisation
    )
    if organisation.parent is not None:
        values, sources = effective_with_sources(organisation.parent)
        above = organisation.parent.name
        parent = {n: (getattr(values, n), sources[n].replace("this organisation", above)) for n in FIELD_NAMES}
    else:
        values, _ = effective_with_sources(Organisation(path="/"))
        parent = {n: (getattr(values, n), "default") for n in FIELD_NAMES}
    before = {n: getattr(own, n) for n in FIELD_NAMES}
    form = ScheduleForm(request.POST or None, instance=own, inherited=parent)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record(
                organisation_id=organisation.pk,
                action="retention.schedule_changed",
                actor=request.user,
                target=saved,
                before=before,
                after={n: getattr(saved, n) for n in FIELD_NAMES},
            )
        messages.success(request, f"The retention schedule for {organisation.name} is saved.")
        return redirect("retention:schedule", organisation.uuid)
    values, sources = effective_with_sources(organisation)
    effective = [
        {
            "label": form.fields[n].label,
            "value": Basis(values.basis).label if n == "basis" else getattr(values, n),
            "years": n != "basis",
            "source": sources[n],
        }
        for n in FIELD_NAMES
    ]
    return render(
        request,
        "retention/schedule.html",
        {"organisation": organisation, "current_organisation": organisation, "form": form, "effective": effective},
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Where the person may decide disposals: each organisation with incidents waiting, and how many."""
    organisations = Organisation.objects.visible_to(request.user, roles=[Role.INCIDENT_MANAGER, Role.DPO])
    if not organisations.exists():
        raise Http404("No disposal lists for you.")
    waiting = (
        organisations.filter(disposal_lists__entries__decision=DisposalEntry.Decision.WAITING)
        .annotate(waiting=Count("disposal_lists__entries"))
        .order_by("name")
    )
    own = organisations.filter(
        pk__in=Membership.objects.filter(user=request.user, role__in=[Role.INCIDENT_MANAGER, Role.DPO]).values(
            "organisation_id"
        )
    ).order_by("name")
    return render(request, "retention/overview.html", {"waiting": waiting, "own": own})


@login_required
def lists_page(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    """The organisation's disposal lists: what waits for a decision first, then what was decided."""
    organisation = _organisation(request, org_uuid, [Role.INCIDENT_MANAGER, Role.DPO])
    entries = DisposalEntry.objects.filter(disposal_list__organisation=organisation).select_related(
        "incident", "incident__incident_type", "disposal_list", "decided_by"
    )
    waiting = list(
        entries.filter(decision=DisposalEntry.Decision.WAITING).order_by("disposal_list__month", "due_on", "id")
    )
    decided = list(entries.exclude(decision=DisposalEntry.Decision.WAITING).order_by("-decided_on", "-id")[:50])
    lists = DisposalList.objects.filter(organisation=organisation)[:12]
    disposals = Disposal.objects.filter(organisation=organisation).select_related("approved_by")[:50]
    return render(
        request,
        "retention/lists.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "waiting": waiting,
            "decided": decided,
            "lists": lists,
            "disposals": disposals,
            "can_change_schedule": powers(request.user, organisation).can_change_retention,
        },
    )


def _waiting_entry(request: HttpRequest, incident_uuid: Any) -> DisposalEntry:
    incident = get_visible_or_404(Incident.objects.all(), request.user, uuid=incident_uuid)
    entry = (
        DisposalEntry.objects.filter(incident=incident, decision=DisposalEntry.Decision.WAITING)
        .select_related("incident", "disposal_list__organisation")
        .first()
    )
    if entry is None or not incident.powers_of(request.user).can_dispose:
        raise Http404("This incident is not waiting on a disposal list.")
    return entry


@login_required
@require_POST
def approve(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    entry = _waiting_entry(request, incident_uuid)
    organisation = entry.disposal_list.organisation
    try:
        done = disposal.approve(entry, by=request.user)
    except StepRefused as refused:
        messages.error(request, f"{entry.incident.reference}: {refused}")
    else:
        messages.success(request, f"{done.reference} is disposed of.")
    return redirect("retention:lists", organisation.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def keep(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    entry = _waiting_entry(request, incident_uuid)
    form = KeepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        month = entry.disposal_list.month
        months = month.month - 1 + form.cleaned_data["months"]
        until = date(month.year + months // 12, months % 12 + 1, 1)
        try:
            disposal.keep(entry, by=request.user, reason=form.cleaned_data["reason"], until=until)
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{entry.incident.reference} is kept until {until:%B %Y}.")
            return redirect("retention:lists", entry.disposal_list.organisation.uuid)
    return render(
        request,
        "retention/keep.html",
        {"entry": entry, "incident": entry.incident, "form": form, "current_organisation": entry.incident.organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def hold(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    """Put an incident on legal hold, or lift the hold it is on (the same page, by its state)."""
    incident = get_visible_or_404(Incident.objects.all(), request.user, uuid=incident_uuid)
    if not incident.powers_of(request.user).can_hold or incident.disposed_on is not None:
        raise Http404("No such incident.")
    lifting = incident.legal_hold_on is not None
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = holds.lift_hold if lifting else holds.set_hold
        try:
            step(incident, by=request.user, reason=form.cleaned_data["reason"])
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The legal hold is lifted." if lifting else "The incident is on legal hold.")
            return redirect("incidents:detail", incident.uuid)
    return render(
        request,
        "retention/hold.html",
        {"incident": incident, "form": form, "lifting": lifting, "current_organisation": incident.organisation},
    )
