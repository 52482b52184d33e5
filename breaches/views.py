"""Breach pages: assess, see the result, decide, ICO report and letters (the running clocks are the deadlines app's).

Every page finds the incident through `core.views.get_visible_or_404`, so another
organisation's incident is a 404; within what a person can see, their powers
(`Powers.can_assess_breach`, `can_decide_breach`) answer 403 with the reason.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.log import record
from core.exceptions import StepRefused
from core.views import get_visible_or_404
from incidents.models import Incident

from . import documents, engine, precedents
from .clock import ico_clock_state
from .forms import (
    AssessmentForm,
    DecisionForm,
    NotABreachForm,
    NoticeForm,
    ReportDetailsForm,
    ResponseForm,
    SubmissionForm,
)
from .models import (
    Assessment,
    Decision,
    IcoSubmission,
    IndividualsNotice,
    ReportDetails,
    latest_assessment,
    record_ico_response,
    record_not_a_breach,
    severity_clash,
)


def require(allowed: bool, why: str) -> None:
    if not allowed:
        raise PermissionDenied(why)


def page(request: HttpRequest, template: str, incident: Incident, **context: Any) -> HttpResponse:
    context.setdefault("incident", incident)
    context.setdefault("current_organisation", incident.organisation)
    return render(request, template, context)


@login_required
def overview(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    p = incident.powers_of(request.user)
    if not p.can_handle:
        raise PermissionDenied  # outside help reads the incident, not its breach record
    assessments = list(
        Assessment.objects.filter(incident=incident).select_related("assessed_by").prefetch_related("decisions")
    )
    latest = assessments[0] if assessments else None
    return page(
        request,
        "breaches/overview.html",
        incident,
        latest=latest,
        result=latest.result if latest else None,
        assessments=assessments,
        clock=ico_clock_state(incident),
        submissions=IcoSubmission.objects.filter(incident=incident).select_related("recorded_by"),
        notices=IndividualsNotice.objects.filter(incident=incident),
        decisions=Decision.objects.filter(assessment__incident=incident).select_related("decided_by", "assessment"),
        may_assess=p.can_assess_breach,
        may_decide=p.can_decide_breach,
        audiences=IndividualsNotice.Audience.choices,
    )


@login_required
def assessment_version(request: HttpRequest, incident_uuid: Any, version: int) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    assessment = get_visible_or_404(Assessment, request.user, incident=incident, version=version)
    p = incident.powers_of(request.user)
    if not p.can_handle:
        raise PermissionDenied
    return page(
        request,
        "breaches/assessment.html",
        incident,
        assessment=assessment,
        result=assessment.result,
        facts=assessment.fact_rows(),
        precedents=(
            precedents.nearest(incident, request.user, assessment.facts)
            if p.can_assess_breach or p.can_decide_breach
            else []
        ),
        may_decide=p.can_decide_breach,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    require(
        incident.powers_of(request.user).can_assess_breach, "Only the DPO or an incident manager can assess a breach."
    )
    latest = latest_assessment(incident)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        initial=AssessmentForm.initial_from(latest.facts if latest else None, incident),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = Assessment.record_assessment(incident=incident, facts=form.facts(), by=request.user)
        except (StepRefused, engine.FactsError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("breaches:version", incident_uuid=incident.uuid, version=assessment.version)
    return page(request, "breaches/assess.html", incident, form=form, latest=latest)


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    require(
        incident.powers_of(request.user).can_decide_breach, "Only the DPO can record the decision on telling the ICO."
    )
    latest = latest_assessment(incident)
    nearest = precedents.nearest(incident, request.user, latest.facts) if latest else []
    form = DecisionForm(
        request.POST if request.method == "POST" else None, incident=incident, assessment=latest, precedents=nearest
    )
    if request.method == "POST" and latest is None:
        form.is_valid()
        form.add_error(None, "Assess the breach before recording a decision.")
    elif request.method == "POST" and latest is not None and form.is_valid():
        data = form.cleaned_data
        try:
            Decision.decide(
                assessment=latest,
                by=request.user,
                agrees=data["agrees"] == "yes",
                decision=data.get("decision") or "",
                reason=data.get("reason") or "",
            )
        except StepRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("breaches:overview", incident_uuid=incident.uuid)
    return page(
        request,
        "breaches/decide.html",
        incident,
        form=form,
        latest=latest,
        result=latest.result if latest else None,
        clash=severity_clash(latest.engine_decision, incident.severity) if latest else "",
        precedents=nearest,
        departure=precedents.departure(latest.engine_decision, nearest) if latest else "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_details(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    require(
        incident.powers_of(request.user).can_assess_breach,
        "Only the DPO or an incident manager can edit the ICO report.",
    )
    instance = ReportDetails.objects.filter(incident=incident).first() or ReportDetails(incident=incident)
    form = ReportDetailsForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = {
                name: getattr(ReportDetails.objects.filter(pk=instance.pk).first(), name, None)
                for name in form.changed_data
            }
            details = form.save(commit=False)
            details.updated_by = request.user
            details.save()
            record(
                organisation_id=incident.organisation_id,
                action="breach.report_details_changed",
                actor=request.user,
                record=incident,
                target=details,
                before=before,
                after={name: form.cleaned_data[name] for name in form.changed_data},
            )
        return redirect("breaches:overview", incident_uuid=incident.uuid)
    return page(request, "breaches/report_details.html", incident, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def record_submission(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    require(
        incident.powers_of(request.user).can_assess_breach,
        "Only the DPO or an incident manager can record a report to the ICO.",
    )
    form = SubmissionForm(
        request.POST if request.method == "POST" else None, initial={"ico_reference": incident.ico_reference}
    )
    if request.method == "POST" and form.is_valid():
        try:
            IcoSubmission.record_submission(incident=incident, by=request.user, **form.cleaned_data)
        except StepRefused as exc:
            form.add_error("delay_reason" if "delay" in str(exc) else None, str(exc))
        else:
            return redirect("breaches:overview", incident_uuid=incident.uuid)
    return page(request, "breaches/submission.html", incident, form=form, clock=ico_clock_state(incident))


@login_required
@require_http_methods(["GET", "POST"])
def record_response(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    require(
        incident.powers_of(request.user).can_assess_breach,
        "Only the DPO or an incident manager can record the ICO's response.",
    )
    form = ResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_ico_response(incident=incident, by=request.user, **form.cleaned_data)
        except StepRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("breaches:overview", incident_uuid=incident.uuid)
    return page(request, "breaches/response.html", incident, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def record_notice(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    require(
        incident.powers_of(request.user).can_assess_breach,
        "Only the DPO or an incident manager can record that people were told.",
    )
    form = NoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            IndividualsNotice.record_notice(incident=incident, by=request.user, **form.cleaned_data)
        except StepRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("breaches:overview", incident_uuid=incident.uuid)
    return page(request, "breaches/notice.html", incident, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def not_a_breach(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    p = incident.powers_of(request.user)
    require(p.can_assess_breach, "Only the DPO or an incident manager can record this.")
    form = NotABreachForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_not_a_breach(incident=incident, by=request.user, reason=form.cleaned_data["reason"])
        except StepRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("breaches:overview", incident_uuid=incident.uuid)
    return page(request, "breaches/not_a_breach.html", incident, form=form)


def _download(
    request: HttpRequest, incident: Incident, kind: str, fmt: str, data: documents.DocumentData
) -> HttpResponse:
    if fmt == "pdf":
        content, mime = documents.render_pdf(data), "application/pdf"
    else:
        content = documents.render_docx(data)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with transaction.atomic():
        record(
            organisation_id=incident.organisation_id,
            action="breach.document_generated",
            actor=request.user,
            record=incident,
            after={"document": kind, "format": fmt},
        )
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}-{kind}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _document_view(kind: str, fmt: str) -> Any:
    @login_required
    def view(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
        incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
        require(
            incident.powers_of(request.user).can_assess_breach,
            "Only the DPO or an incident manager can produce breach documents.",
        )
        if kind == "ico-report":
            return _download(request, incident, kind, fmt, documents.ico_report(incident))
        audience = request.GET.get("audience", "parents")
        if audience not in documents.AUDIENCES:
            raise Http404("No such letter")
        name = "public-notice" if audience == "public" else f"letter-{audience}"
        return _download(request, incident, name, fmt, documents.letter(incident, audience))

    return view


ico_report_docx = _document_view("ico-report", "docx")
ico_report_pdf = _document_view("ico-report", "pdf")
letter_docx = _document_view("letter", "docx")
letter_pdf = _document_view("letter", "pdf")
