"""Pages for the lifecycle: each step has a page that works without JavaScript.

Every page finds the incident through `core.views.get_visible_or_404` (another
organisation's incident is a 404); a visible incident the person may not act on (the
table's "who") is a 403; a step refused by the table or the rules is shown as a form
error, in the lifecycle's words. Which step a page serves, who may open it and what it
needs all come from `lifecycle.STEP`, never from the view.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.log import record
from core.exceptions import StepRefused
from core.pages import work_page
from core.views import get_visible_or_404
from incidents.models import Incident, IncidentType
from lib import clock
from organisations.models import Organisation, Role
from organisations.powers import Powers, paths_where

from .. import forms as f
from .. import lifecycle
from ..models import (
    SERIOUS_SEVERITIES,
    ChecklistItem,
    ChecklistTemplateItem,
    OutcomeReport,
    SeverityDefinition,
    severity_definitions,
)


def incident_for_step(request: HttpRequest, incident_uuid: Any, step: str) -> tuple[Incident, Powers]:
    """The incident (404 if not visible) and the person's powers; 403 if the table says they may not take `step`."""
    incident = get_visible_or_404(
        Incident.objects.select_related("organisation", "reported_by", "investigator", "incident_type"),
        request.user,
        uuid=incident_uuid,
    )
    p = incident.powers_of(request.user)
    if not lifecycle.STEP[step].who(p):
        raise PermissionDenied(lifecycle.STEP[step].who_refusal)
    return incident, p


def detail_url(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.uuid])


def _refused(form: forms.BaseForm, error: StepRefused) -> None:
    form.add_error(None, str(error))


def step_page(
    request: HttpRequest,
    incident: Incident,
    *,
    title: str,
    button: str,
    form: forms.Form,
    intro: str = "",
    fields: list[str] | None = None,
    extra: dict[str, Any] | None = None,
    template: str = "incidents/step.html",
) -> HttpResponse:
    context = {
        "incident": incident,
        "current_organisation": incident.organisation,
        "title": title,
        "button": button,
        "form": form,
        "intro": intro,
        "fields": [form[name] for name in (fields if fields is not None else list(form.fields))],
    }
    return render(request, template, context | (extra or {}))


def close_check(incident: Incident, open_actions: int) -> list[tuple[str, str]]:
    """What a handler checks before closing: the answers the incident closes with."""
    report = OutcomeReport.objects.filter(incident=incident).first()
    return [
        ("Severity", incident.get_severity_display() or "Not set"),
        ("Incident type", incident.incident_type.name if incident.incident_type else "Not decided"),
        ("Personal data breach", incident.get_personal_data_breach_display() or "Not classified"),
        ("ICO decision", incident.get_ico_decision_display() or "None needed"),
        ("Outcome report", report.get_status_display() if report else "None"),
        ("Open remedial actions", str(open_actions) if open_actions else "None"),
        (
            "When it is closed",
            "Its deadlines stop, the reporter is told, and it can be reopened only with a reason.",
        ),
    ]


def simple_step(
    step: str,
    button: str,
    form_class: type[forms.Form],
    perform: Callable[[HttpRequest, Incident, dict[str, Any]], Any],
    done: str,
    intro: str = "",
) -> Callable[..., HttpResponse]:
    """A step that is a confirmation, perhaps with a reason: start, submit, close, reopen..."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
        incident, p = incident_for_step(request, incident_uuid, step)
        form = form_class(request.POST) if request.method == "POST" else form_class()
        if request.method == "POST" and form.is_valid():
            try:
                perform(request, incident, form.cleaned_data)
            except StepRefused as error:
                _refused(form, error)
            else:
                messages.success(request, done)
                return redirect(detail_url(incident))
        extra = {}
        if step == "close":
            open_actions = incident.remedial_actions.filter(status="open")
            extra = {
                "blockers": lifecycle.blockers(step, incident, p),
                "open_actions": open_actions,
                "check": close_check(incident, len(open_actions)),
            }
        title = lifecycle.STEP[step].label
        return step_page(request, incident, title=title, button=button, form=form, intro=intro, extra=extra)

    return view


start = simple_step(
    "start_investigation",
    "Start the investigation",
    f.ConfirmForm,
    lambda r, i, d: lifecycle.start_investigation(i, by=r.user),
    "The investigation has started.",
    "The checklist and the outcome report can then be worked on. The reporter is told.",
)
submit = simple_step(
    "submit_outcome",
    "Submit for review",
    f.ConfirmForm,
    lambda r, i, d: lifecycle.submit_outcome(i, by=r.user),
    "The outcome report has been submitted for review.",
    "The incident manager (and the DPO for a major or critical incident) will review it.",
)
close = simple_step(
    "close",
    "Close the incident",
    f.ConfirmForm,
    lambda r, i, d: lifecycle.close(i, by=r.user),
    "The incident is closed.",
    "Open remedial actions stay open and trackable after closure.",
)
not_incident = simple_step(
    "close_not_incident",
    "Close as not an incident",
    f.ReasonForm,
    lambda r, i, d: lifecycle.close_not_incident(i, by=r.user, reason=d["reason"]),
    "The report is closed as not an incident.",
    "For an event with no security significance. The reason is kept on the record.",
)
reopen = simple_step(
    "reopen",
    "Reopen",
    f.ReasonForm,
    lambda r, i, d: lifecycle.reopen(i, by=r.user, reason=d["reason"]),
    "The incident is reopened and back under investigation.",
)


@login_required
@require_http_methods(["GET", "POST"])
def triage(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "triage")
    investigators = lifecycle.eligible_investigators(incident)
    form = f.TriageForm(request.POST or None, incident=incident, investigators=investigators)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.triage(
                incident,
                by=request.user,
                investigator=form.cleaned_data["investigator"],
                delegation_reason=form.cleaned_data["delegation_reason"],
                **form.classification(),
            )
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"{incident.reference} is triaged.")
            return redirect(detail_url(incident))
    return step_page(
        request,
        incident,
        title="Triage the report",
        button="Save the triage",
        form=form,
        intro="Classify the report, set its severity and, if you can, assign the investigation. "
        "Major and critical incidents are routed to the DPO and the SIRO as the policies require.",
        extra={"offer_known_errors": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reclassify(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "reclassify")
    form = f.ReclassifyForm(
        request.POST or None, incident=incident, initial=f.ClassificationForm.initial_from(incident)
    )
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.reclassify(incident, by=request.user, reason=form.cleaned_data["reason"], **form.classification())
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The classification has changed. The earlier version is kept.")
            return redirect(detail_url(incident))
    return step_page(
        request,
        incident,
        title="Reclassify the incident",
        button="Save the new classification",
        form=form,
        intro="Every version of the classification stays on the record. "
        "A change of severity applies the routing again.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "assign_investigator")
    form = f.AssignForm(
        request.POST or None,
        investigators=lifecycle.eligible_investigators(incident),
        initial={"investigator": incident.investigator_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.assign_investigator(
                incident,
                by=request.user,
                investigator=form.cleaned_data["investigator"],
                reason=form.cleaned_data["reason"],
            )
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The investigating officer is assigned.")
            return redirect(detail_url(incident))
    intro = "Assign the person who will work the checklist and write the outcome report."
    if incident.siro_leads:
        intro = (
            "This incident is critical: the SIRO undertakes the investigation, or delegates it and records why. "
            "To undertake it yourself, choose your own name."
        )
    return step_page(request, incident, title="Assign the investigation", button="Assign", form=form, intro=intro)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_visible_or_404(ChecklistItem.objects.select_related("incident__organisation"), request.user, pk=item_id)
    incident = item.incident
    refusal = lifecycle.checklist_item_refusal(item, incident.powers_of(request.user))
    if refusal:
        raise PermissionDenied(refusal)
    form: forms.Form
    initial = {
        "state": item.state,
        "note": item.note,
        "not_applicable_reason": item.not_applicable_reason,
        "disciplinary_decision": item.disciplinary_decision,
        "evidence": item.evidence_id,
    }
    if item.is_disciplinary:
        form = f.DisciplinaryItemForm(request.POST or None, initial=initial)
    else:
        form = f.ChecklistItemForm(request.POST or None, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.update_checklist_item(item, by=request.user, **form.cleaned_data)
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"Checklist updated: {item.text}.")
            return redirect(detail_url(incident) + "#checklist")
    return step_page(
        request,
        incident,
        title=item.text,
        button="Save",
        form=form,
        intro="Mark the item done with a note, or not applicable with the reason."
        if not item.is_disciplinary
        else "Record whether disciplinary action has been commenced, or why not. Restricted to the SIRO, "
        "the DPO and the incident manager.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_note(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "add_note")
    form = f.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.add_note(incident, by=request.user, body=form.cleaned_data["body"])
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The note is added.")
            return redirect(detail_url(incident) + "#notes")
    return step_page(request, incident, title="Add an internal note", button="Add the note", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def message_reporter(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "message_reporter")
    form = f.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.message_reporter(incident, by=request.user, body=form.cleaned_data["body"])
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The message is sent to the reporter.")
            return redirect(detail_url(incident) + "#messages")
    intro = (
        "The reporter is anonymous: they read this with their receipt; no email is sent."
        if incident.reporter_anonymous
        else "The reporter is emailed that there is a message, and reads it on their report page."
    )
    return step_page(
        request,
        incident,
        title="Message the reporter",
        button="Send the message",
        form=form,
        intro=intro,
        extra={"conversation": incident.reporter_messages.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(
        Incident.objects.select_related("organisation", "outcome_report"), request.user, uuid=incident_uuid
    )
    p = incident.powers_of(request.user)
    report: OutcomeReport = getattr(incident, "outcome_report", None) or OutcomeReport(incident=incident)
    editable = not lifecycle.blockers("save_outcome_draft", incident, p)
    form = f.OutcomeReportForm(request.POST or None, instance=report, restricted=p.can_see_restricted)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            sections = {name: form.cleaned_data[name] for name in form.fields}
            try:
                lifecycle.save_outcome_draft(incident, by=request.user, sections=sections)
                if "submit" in request.POST:
                    lifecycle.submit_outcome(incident, by=request.user)
            except StepRefused as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    "The outcome report is submitted for review." if "submit" in request.POST else "Draft saved.",
                )
                return redirect(reverse("incidents:outcome", args=[incident.uuid]))
    return render(
        request,
        "incidents/outcome.html",
        {
            "incident": incident,
            "current_organisation": incident.organisation,
            "report": report,
            "form": form,
            "editable": editable,
            "powers": p,
            "sections": report.sections(restricted=p.can_see_restricted),
            "reviews": report.reviews.select_related("reviewer").order_by("-reviewed_on") if report.pk else [],
            "can_review": not lifecycle.blockers("review_outcome", incident, p),
            "actions": incident.remedial_actions.select_related("owner"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, p = incident_for_step(request, incident_uuid, "review_outcome")
    form = f.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.review_outcome(
                incident,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                comments=form.cleaned_data["comments"],
            )
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "Your review is recorded.")
            return redirect(detail_url(incident))
    report = OutcomeReport.objects.filter(incident=incident).first()
    return step_page(
        request,
        incident,
        title="Review the outcome report",
        button="Save the review",
        form=form,
        intro="Read the outcome report first. Accept it, or return it to the investigating officer with comments.",
        extra={
            "report_link": reverse("incidents:outcome", args=[incident.uuid]),
            "sections": report.sections(restricted=p.can_see_restricted) if report else [],
        },
    )


@login_required
def outcome_pdf(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    from ..pdf import outcome_report_pdf

    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    p = incident.powers_of(request.user)
    committee = request.GET.get("edition") == "committee"
    report = get_visible_or_404(OutcomeReport, request.user, incident=incident)
    pdf = outcome_report_pdf(report, viewer=request.user, restricted=p.can_see_restricted and not committee)
    with transaction.atomic():
        record(
            organisation_id=incident.organisation_id,
            action="outcome.pdf_downloaded",
            actor=request.user,
            record=incident,
            after={"edition": "committee" if committee else "full"},
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-committee" if committee else ""
    response["Content-Disposition"] = f'attachment; filename="{incident.reference}-outcome-report{suffix}.pdf"'
    return response


# ── Work views ───────────────────────────────────────────────────────────────────────────


@login_required
def triage_queue(request: HttpRequest) -> HttpResponse:
    """New reports for incident managers (and SIROs), oldest first, with each report's age."""
    paths = paths_where(request.user, [Role.INCIDENT_MANAGER, Role.SIRO])
    incidents = (
        Incident.objects.visible_to(request.user)
        .filter(status=Incident.Status.REPORTED, organisation__in=Organisation.objects.under_paths(paths))
        .select_related("organisation")
        .order_by("reported_on", "id")[:200]
    )
    clock.remember_precisions(incidents)
    # An anonymous report's age is in days unless its organisation shows exact times.
    rows = [{"incident": i, "age": clock.age(i.reported_on, clock.precision_of(i))} for i in incidents]
    # Incident managers and SIROs take down reports made by phone or on paper (intake's page).
    return render(request, "incidents/queue.html", {"rows": rows, "records_for_others": bool(paths)})


@login_required
def assigned_to_me(request: HttpRequest) -> HttpResponse:
    """Open incidents assigned to me, with what is due next."""
    user: Any = request.user
    from django.db.models import Count, Min, Q

    incidents = (
        Incident.objects.visible_to(user)
        .filter(investigator=user, status__in=Incident.OPEN_STATUSES)
        .select_related("organisation", "outcome_report")
        .annotate(
            pending=Count("checklist", filter=Q(checklist__state=ChecklistItem.State.PENDING), distinct=True),
            # The running ICO clock's end, as the deadlines app stored it (a lookup by relation
            # name: this app sits below deadlines and imports nothing from it).
            ico_due=Min(
                "deadlines__due_at",
                filter=Q(deadlines__kind="ico", deadlines__met_at__isnull=True, deadlines__stopped=""),
            ),
            outcome_due=Min(
                "deadlines__due_date",
                filter=Q(deadlines__kind="outcome", deadlines__met_at__isnull=True, deadlines__stopped=""),
            ),
        )
        .order_by("reported_on")
    )
    rows = [
        {
            "incident": incident,
            "due": lifecycle.investigator_next(incident, incident.pending),
            "ico_due": incident.ico_due,
            "outcome_due": incident.outcome_due,
        }
        for incident in incidents
    ]
    return render(request, "incidents/mine.html", {"rows": rows})


@login_required
def serious(request: HttpRequest) -> HttpResponse:
    """Major and critical incidents in the scope where I am SIRO or DPO."""
    incidents = (
        Incident.objects.visible_to(request.user)
        .filter(lifecycle.my_serious_scope_filter(request.user))
        .select_related("organisation", "investigator")
        .order_by("-severity", "reported_on")
    )
    show_closed = request.GET.get("closed") == "1"
    if not show_closed:
        incidents = incidents.filter(status__in=Incident.OPEN_STATUSES)
    work = work_page(incidents, request)  # 50 a page: a county has hundreds open
    return render(
        request,
        "incidents/serious.html",
        {"incidents": work.rows, "work": work, "show_closed": show_closed, "severities": SERIOUS_SEVERITIES},
    )


# ── Organisation settings: severity definitions, checklist template, incident types ──────


@login_required
@require_http_methods(["GET", "POST"])
def investigation_settings(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user, roles=[Role.ADMIN]), uuid=org_uuid)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    severity_form = f.SeverityDefinitionsForm(data if action == "severity" else None, organisation=organisation)
    item_form = f.TemplateItemForm(data if action == "add_item" else None, organisation=organisation)
    type_form = f.IncidentTypeForm(data if action == "add_type" else None)
    own_items = ChecklistTemplateItem.objects.filter(organisation=organisation).select_related("incident_type")
    own_types = IncidentType.objects.filter(organisation=organisation)

    def saved(message: str) -> HttpResponse:
        messages.success(request, message)
        return redirect(reverse("incidents:settings", args=[organisation.uuid]))

    def event(name: str, after: Any) -> None:
        record(organisation_id=organisation.pk, action=name, actor=request.user, target=organisation, after=after)

    if action == "severity" and severity_form.is_valid():
        with transaction.atomic():
            before = severity_definitions(organisation)
            for severity in Incident.Severity.values:
                SeverityDefinition.objects.update_or_create(
                    organisation=organisation,
                    severity=severity,
                    defaults={"definition": severity_form.cleaned_data[severity].strip()},
                )
            event("settings.severity_definitions_changed", {"before": before, "after": severity_form.cleaned_data})
        return saved("The severity definitions are saved.")
    if action == "add_item" and item_form.is_valid():
        with transaction.atomic():
            item = item_form.save(commit=False)
            item.organisation = organisation
            item.position = 115  # after the policies' points, before the outcome report's completion
            item.save()
            event("settings.checklist_item_added", {"text": item.text, "incident_type": str(item.incident_type or "")})
        return saved("The checklist item is added. It applies to incidents triaged from now on.")
    if action == "remove_item":
        with transaction.atomic():
            item = get_object_or_404(own_items, pk=request.POST.get("item"))
            item.is_active = False
            item.save()
            event("settings.checklist_item_removed", {"text": item.text})
        return saved("The checklist item is removed from the template.")
    if action == "add_type" and type_form.is_valid():
        with transaction.atomic():
            IncidentType.objects.get_or_create(
                organisation=organisation,
                name=type_form.cleaned_data["name"].strip(),
                defaults={"description": type_form.cleaned_data["description"], "position": 1000},
            )
            event("settings.incident_type_added", type_form.cleaned_data)
        return saved("The incident type is added.")
    if action == "remove_type":
        with transaction.atomic():
            incident_type = get_object_or_404(own_types, pk=request.POST.get("type"))
            incident_type.is_active = False
            incident_type.save()
            event("settings.incident_type_removed", {"name": incident_type.name})
        return saved("The incident type is removed from the list.")
    return render(
        request,
        "incidents/settings.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "severity_form": severity_form,
            "item_form": item_form,
            "type_form": type_form,
            "own_items": own_items.filter(is_active=True),
            "own_types": own_types.filter(is_active=True),
            "inherited_items": ChecklistTemplateItem.objects.filter(is_active=True)
            .exclude(organisation=organisation)
            .filter(organisation__isnull=True)
            .select_related("incident_type"),
        },
    )
