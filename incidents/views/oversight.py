"""Pages for correcting the report and for the DPO's oversight; each works without JavaScript.

The incident is found through `incident_for_step` (404 if not visible, 403 if the table's
"who" says no); the lifecycle decides, and its refusal is shown as a form error.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.log import record
from core.exceptions import StepRefused
from organisations.models import Organisation, Role

from .. import lifecycle
from ..forms import oversight as f
from ..models import Incident, SignOffSetting
from .steps import _refused, detail_url, incident_for_step, simple_step, step_page


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    """Choose a part of the report (?field=...), then give its correct value and why."""
    incident, _p = incident_for_step(request, incident_uuid, "correct_report")
    name = request.POST.get("field") or request.GET.get("field")
    title = lifecycle.STEP["correct_report"].label
    if name not in Incident.REPORT_FIELDS:
        choose = f.ChooseFieldForm(request.GET if "field" in request.GET else None)
        choose.is_valid()
        context = {"incident": incident, "current_organisation": incident.organisation, "form": choose}
        return render(request, "incidents/correct_choose.html", context | {"title": title})
    form = f.CorrectionForm(request.POST if request.method == "POST" else None, name=name, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.correct(
                incident, by=request.user, field=name, value=form.cleaned_data[name], reason=form.cleaned_data["reason"]
            )
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The correction is saved. What the report said before is kept beside it.")
            return redirect(detail_url(incident) + "#report")
    field = Incident._meta.get_field(name)
    current = getattr(incident, name)
    shown = incident._get_FIELD_display(field) if getattr(field, "choices", None) else current  # type: ignore[attr-defined]
    return step_page(
        request,
        incident,
        title=title,
        button="Save the correction",
        form=form,
        intro="What the report says now is kept, with your reason, beside the corrected value.",
        extra={"now_says": shown, "now_label": f.ReportFieldsForm.Meta.labels[name]},
    )


ask_dpo = simple_step(
    "ask_dpo",
    "Ask the DPO",
    f.AskDpoForm,
    lambda request, incident, data: lifecycle.ask_dpo(incident, by=request.user, question=data["question"]),
    "The DPO has been asked for advice.",
    intro="The DPO advises on incidents of any severity, not only major and critical ones.",
)
dpo_advise = simple_step(
    "dpo_advise",
    "Record the advice",
    f.AdviceForm,
    lambda request, incident, data: lifecycle.advise(incident, by=request.user, advice=data["advice"]),
    "Your advice is recorded. The incident manager and the investigating officer have been told.",
)
dpo_review = simple_step(
    "dpo_review",
    "Mark as reviewed",
    f.ReviewForm,
    lambda request, incident, data: lifecycle.mark_reviewed(incident, by=request.user, note=data["note"]),
    "The incident is marked as reviewed by the DPO.",
    intro="Marks the incident as reviewed by the DPO, with the date and your name.",
)
dpo_direct = simple_step(
    "dpo_direct",
    "Send the direction",
    f.DirectionForm,
    lambda request, incident, data: lifecycle.direct_investigator(
        incident, by=request.user, direction=data["direction"]
    ),
    "The investigating officer has been told.",
)
sign_off = simple_step(
    "sign_off_outcome",
    "Sign off the outcome",
    f.SignOffForm,
    lambda request, incident, data: lifecycle.sign_off_outcome(incident, by=request.user, note=data["note"]),
    "The outcome is signed off. The incident can now be closed.",
    intro="This organisation asks the SIRO to sign off each outcome before the incident is closed.",
)


@login_required
@require_http_methods(["GET", "POST"])
def sign_off_settings(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    """Whether the SIRO signs off outcomes here: one of the organisation's settings (its admins')."""
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user, roles=[Role.ADMIN]), uuid=org_uuid)
    asked = SignOffSetting.asked_by(organisation)
    data = request.POST if request.method == "POST" else None
    form = f.SignOffSettingForm(data, initial={"siro_signs_off": "yes" if asked else "no"})
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["siro_signs_off"] == "yes"
        with transaction.atomic():
            SignOffSetting.objects.update_or_create(organisation=organisation, defaults={"siro_signs_off": value})
            record(
                organisation_id=organisation.pk,
                action="settings.siro_sign_off_changed",
                actor=request.user,
                target=organisation,
                before={"siro_signs_off": asked},
                after={"siro_signs_off": value},
            )
        messages.success(request, "The SIRO sign-off setting is saved.")
        return redirect(reverse("organisations:settings", args=[organisation.uuid]))
    context = {"organisation": organisation, "current_organisation": organisation, "form": form}
    return render(request, "incidents/sign_off_settings.html", context)
