"""The register of suppliers and processors, the rules of which bodies are told (both among an
organisation's settings), and on an incident: the third party involved and the notices to
outside bodies."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.exceptions import StepRefused
from core.views import get_visible_or_404
from incidents.models import Incident, incident_types_for
from organisations.models import Organisation
from organisations.powers import powers
from organisations.views import get_administered

from . import services
from .forms import BodyRulesForm, IncidentPartyForm, NoticeForm, ThirdPartyForm
from .models import Body, IncidentParty, ThirdParty
from .rules import RuleRows, describe, own_rules


def _settings_organisation(request: HttpRequest, org_uuid: Any) -> Organisation:
    organisation = get_administered(request, org_uuid)
    if not powers(request.user, organisation).can_change_settings:
        raise Http404("No such organisation.")
    return organisation


# ── The register ─────────────────────────────────────────────────────────────────────────
@login_required
def register(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _settings_organisation(request, org_uuid)
    parties = list(ThirdParty.objects.serving(organisation).select_related("organisation"))
    return render(
        request,
        "parties/register.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "own": [p for p in parties if p.organisation_id == organisation.pk],
            "inherited": [p for p in parties if p.organisation_id != organisation.pk],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_party(request: HttpRequest, org_uuid: Any, party_id: int | None = None) -> HttpResponse:
    organisation = _settings_organisation(request, org_uuid)
    party = ThirdParty() if party_id is None else get_object_or_404(ThirdParty, pk=party_id, organisation=organisation)
    form = ThirdPartyForm(request.POST or None, instance=party)
    if request.method == "POST" and form.is_valid():
        if (
            ThirdParty.objects.filter(organisation=organisation, name=form.cleaned_data["name"])
            .exclude(pk=party.pk)
            .exists()
        ):
            form.add_error("name", "There is already an entry with this name")
        else:
            saved = services.save_party(organisation=organisation, by=request.user, party=form.save(commit=False))
            messages.success(request, f"{saved.name} is saved on the register.")
            return redirect("parties:register", organisation.uuid)
    return render(
        request,
        "parties/party_form.html",
        {"organisation": organisation, "current_organisation": organisation, "form": form, "party": party},
    )


# ── Which bodies are told of which types ──────────────────────────────────────────────────
@login_required
def body_rules(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _settings_organisation(request, org_uuid)
    types = list(incident_types_for(organisation))
    rows = RuleRows(t.pk for t in types)
    lines = []
    for incident_type in types:
        applies = rows.applying(organisation, incident_type)
        sources = sorted({a.source for a in applies})
        lines.append({"type": incident_type, "bodies": describe(applies), "sources": sources})
    return render(
        request,
        "parties/body_rules.html",
        {"organisation": organisation, "current_organisation": organisation, "lines": lines},
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_rules_for_type(request: HttpRequest, org_uuid: Any, type_id: int) -> HttpResponse:
    organisation = _settings_organisation(request, org_uuid)
    incident_type = get_object_or_404(incident_types_for(organisation), pk=type_id)
    own = own_rules(organisation, incident_type)
    applies = RuleRows([incident_type.pk]).applying(organisation, incident_type)
    form = BodyRulesForm(request.POST or None, current={a.body: a.hours for a in applies})
    if request.method == "POST" and request.POST.get("inherit"):
        services.inherit_rules(organisation=organisation, incident_type=incident_type, by=request.user)
        messages.success(request, f"{incident_type.name}: the rules of the organisation above apply again.")
        return redirect("parties:body_rules", organisation.uuid)
    if request.method == "POST" and form.is_valid():
        services.set_rules(
            organisation=organisation, incident_type=incident_type, by=request.user, chosen=form.chosen()
        )
        messages.success(request, f"Saved which bodies are told of “{incident_type.name}”.")
        return redirect("parties:body_rules", organisation.uuid)
    return render(
        request,
        "parties/body_rules_form.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "incident_type": incident_type,
            "form": form,
            "has_own": bool(own),
            "applies": describe(applies),
        },
    )


# ── On an incident ───────────────────────────────────────────────────────────────────────
def _incident_for_recording(request: HttpRequest, incident_uuid: Any) -> Incident:
    incident = get_visible_or_404(
        Incident.objects.select_related("organisation", "incident_type"), request.user, uuid=incident_uuid
    )
    if not incident.powers_of(request.user).can_record_others_told:
        raise PermissionDenied
    return incident


def _back(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.uuid]) + "#others-told"


@login_required
@require_http_methods(["GET", "POST"])
def incident_party(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident_for_recording(request, incident_uuid)
    link = IncidentParty.objects.filter(incident=incident).select_related("third_party").first()
    parties = ThirdParty.objects.serving(incident.organisation).filter(is_active=True)
    if link is not None:
        parties = ThirdParty.objects.serving(incident.organisation).filter(pk=link.third_party_id) | parties
    initial = (
        {
            "third_party": link.third_party,
            "processor_told_us_on": link.processor_told_us_on,
            "controller_told_on": link.controller_told_on,
            "notes": link.notes,
        }
        if link
        else {}
    )
    form = IncidentPartyForm(request.POST or None, parties=parties.distinct(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_third_party(
                incident,
                by=request.user,
                third_party=data["third_party"],
                processor_told_us_on=data["processor_told_us_on"],
                controller_told_on=data["controller_told_on"],
                notes=data["notes"],
            )
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Saved the supplier or processor involved.")
            return redirect(_back(incident))
    return render(
        request,
        "parties/incident_party.html",
        {
            "incident": incident,
            "current_organisation": incident.organisation,
            "form": form,
            "register_empty": not parties.exists(),
            "back": _back(incident),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_notice(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident_for_recording(request, incident_uuid)
    wanted = request.GET.get("body", "")
    initial: dict[str, Any] = {"made_by": request.user.full_name or request.user.email}  # type: ignore[union-attr]
    if wanted in Body.values:
        initial["body"] = wanted
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.record_notice(
                incident,
                by=request.user,
                body=data["body"],
                outcome=data["outcome"],
                told_on=data["told_on"],
                reference=data["reference"],
                made_by=data["made_by"],
                reason=data["reason"],
                body_name=data["body_name"],
            )
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Recorded: {notice.name}, {notice.get_outcome_display().lower()}.")
            return redirect(_back(incident))
    return render(
        request,
        "parties/notice_form.html",
        {
            "incident": incident,
            "current_organisation": incident.organisation,
            "form": form,
            "back": _back(incident),
        },
    )
