"""The front door: staff report an incident and follow their own reports."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from anonymous.keys import format_receipt
from anonymous.services import submit_anonymous_report, submit_confidential_report
from anonymous.views import max_request_bytes
from core.exceptions import StepRefused, StorageFull
from evidence.forms import uploads_from
from evidence.models import Evidence
from evidence.services import STORAGE_FULL
from incidents.models import Incident, KeptReporter
from organisations.models import HANDLER_ROLES, Organisation

from .behalf import record_on_behalf
from .forms import AddToReportForm, BehalfForm, ReportForm
from .services import add_to_report, can_add_to, submit_report

TOO_LARGE = "What you sent is too large. Send at most 5 files of up to 10 MB each."


def too_large(request: HttpRequest) -> bool:
    """More than the files and fields allowed. The CSRF check has read the body by now (files
    over 2.5 MB go to temporary files, not memory); the proxy's body limit refuses it sooner
    (docs/evidence-and-actions.md)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > max_request_bytes()
    except ValueError:
        return True


def reportable_organisations(user: Any) -> list[Organisation]:
    """Where a person can report: every organisation they belong to, in any role."""
    return list(Organisation.objects.filter(memberships__user=user).distinct().order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    organisations = reportable_organisations(request.user)
    if not organisations:
        return render(request, "intake/no_organisation.html", status=403)
    status = 200
    if request.method == "POST":
        if too_large(request):
            return render(request, "intake/too_large.html", {"message": TOO_LARGE}, status=413)
        form = ReportForm(
            request.POST, request.FILES, organisations=Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        )
        if form.is_valid():
            try:
                return submitted(request, form)
            except StepRefused as refused:
                form.add_error("attachments", str(refused))
            except StorageFull:
                # Nothing was stored; the form shows again with everything typed, to send again.
                form.add_error("attachments", STORAGE_FULL)
                status = 503
    else:
        form = ReportForm(
            initial={"submission_key": uuid.uuid4()},
            organisations=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
        )
    # A reporter's home is this page: the form, and their own reports below it.
    mine = Incident.objects.reported_by_person(request.user).select_related("organisation")[:5]
    context = {"form": form, "organisations": organisations, "my_reports": mine}
    return render(request, "intake/report.html", context, status=status)


def submitted(request: HttpRequest, form: ReportForm) -> HttpResponse:
    """Store a valid report as the person chose (named, confidential or anonymous)."""
    identity = form.cleaned_data["identity"]
    organisation = form.cleaned_data["organisation"]
    key = form.cleaned_data["submission_key"]
    uploads = uploads_from(form.cleaned_data["attachments"])
    if identity == ReportForm.ANONYMOUS:
        # Not linked to the person: no account, no event actor, no request id; the files'
        # metadata is removed as on the public page.
        _incident, receipt = submit_anonymous_report(
            organisation=organisation, submission_key=key, fields=form.report_fields(), uploads=uploads
        )
        return render(
            request,
            "anonymous/receipt_shown.html",
            {"organisation": organisation, "receipt": receipt and format_receipt(receipt), "signed_in": True},
        )
    submit = submit_confidential_report if identity == ReportForm.CONFIDENTIAL else submit_report
    incident, _created = submit(
        organisation=organisation,
        reported_by=request.user,
        submission_key=key,
        fields=form.report_fields(),
        uploads=uploads,
    )
    return redirect("intake:done", incident.uuid)


def own_report(request: HttpRequest, incident_uuid: uuid.UUID) -> Incident:
    return get_object_or_404(
        Incident.objects.reported_by_person(request.user).select_related("organisation"), uuid=incident_uuid
    )


@login_required
def done(request: HttpRequest, incident_uuid: uuid.UUID) -> HttpResponse:
    incident = own_report(request, incident_uuid)
    return render(request, "intake/done.html", {"incident": incident})


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    incidents = Incident.objects.reported_by_person(request.user).select_related("organisation")[:200]
    restricted = Incident.objects.restricted_from(request.user).filter(reported_by=request.user.pk)[:200]
    return render(request, "intake/my_reports.html", {"incidents": incidents, "restricted": list(restricted)})
    return render(request, "intake/my_reports.html", {"incidents": incidents})


def my_report_context(incident: Incident, user: Any) -> dict[str, Any]:
    if incident.reported_by_id != user.pk:
        # Kept as a reporter after their report was merged into this incident as a duplicate:
        # its status, and a way to add to it, but not what its own reporter wrote or was told.
        return {
            "incident": incident,
            "can_add": can_add_to(incident, user),
            "merged_from": list(
                KeptReporter.objects.filter(incident=incident, person=user.pk).values_list(
                    "duplicate__reference", flat=True
                )
            ),
            "files": [],
        }
    return {
        "incident": incident,
        "can_add": can_add_to(incident, user),
        # What the reporter sent: names and dates only (the files are the handlers' evidence).
        "files": list(
            incident.evidence.filter(source=Evidence.Source.REPORTER, withdrawn_on__isnull=True).only(
                "original_name", "uploaded_on"
            )
        ),
    }


@login_required
def my_report(request: HttpRequest, incident_uuid: uuid.UUID) -> HttpResponse:
    incident = own_report(request, incident_uuid)
    context = my_report_context(incident, request.user)
    return render(request, "intake/my_report.html", context | {"add_form": AddToReportForm()})


@login_required
@require_POST
def add_to_my_report(request: HttpRequest, incident_uuid: uuid.UUID) -> HttpResponse:
    """The reporter adds information or files to their own report; the handlers are told."""
    incident = own_report(request, incident_uuid)
    if too_large(request):
        return render(request, "intake/too_large.html", {"message": TOO_LARGE}, status=413)
    form = AddToReportForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            add_to_report(
                incident=incident,
                by=request.user,
                text=form.cleaned_data["text"],
                uploads=uploads_from(form.cleaned_data["attachments"]),
            )
        except StepRefused as refused:
            form.add_error("attachments" if form.cleaned_data["attachments"] else "text", str(refused))
        except StorageFull:
            form.add_error("attachments", STORAGE_FULL)
            status = 503
        else:
            messages.success(request, "Thank you. What you added has been sent to the people handling your report.")
            return redirect("intake:my_report", incident.uuid)
    context = my_report_context(incident, request.user)
    return render(request, "intake/my_report.html", context | {"add_form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def on_behalf(request: HttpRequest) -> HttpResponse:
    """A handler records a report someone made by phone, in person, on paper, by letter or another system."""
    organisations = Organisation.objects.visible_to(request.user, roles=HANDLER_ROLES).order_by("name")
    if not organisations.exists():
        return render(request, "intake/no_organisation.html", status=403)
    status = 200
    if request.method == "POST":
        if too_large(request):
            return render(request, "intake/too_large.html", {"message": TOO_LARGE}, status=413)
        form = BehalfForm(request.POST, request.FILES, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident, _created, receipt = record_on_behalf(
                    organisation=data["organisation"],
                    by=request.user,
                    channel=data["channel"],
                    identity=data["identity"],
                    reporter_name=data["reporter_name"],
                    reporter_contact=data["reporter_contact"],
                    reporter_relationship=data["reporter_relationship"],
                    fields=form.report_fields(),
                    uploads=uploads_from(data["attachments"]),
                    submission_key=data["submission_key"],
                )
            except StepRefused as refused:
                form.add_error("attachments" if data["attachments"] else None, str(refused))
            except StorageFull:
                form.add_error("attachments", STORAGE_FULL)
                status = 503
            else:
                done = {"incident": incident, "receipt": receipt and format_receipt(receipt)}
                return render(request, "intake/behalf_done.html", done)
    else:
        form = BehalfForm(initial={"submission_key": uuid.uuid4()}, organisations=organisations)
    context = {"form": form, "organisations": list(organisations[:2])}
    return render(request, "intake/behalf.html", context, status=status)
