"""The front door: staff report an incident and follow their own reports."""

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from anonymous.keys import format_receipt
from anonymous.services import submit_anonymous_report, submit_confidential_report
from incidents.models import Incident
from organisations.models import Organisation

from .forms import ReportForm
from .services import submit_report


def reportable_organisations(user: Any) -> list[Organisation]:
    """Where a person can report: every organisation they belong to, in any role."""
    return list(Organisation.objects.filter(memberships__user=user).distinct().order_by("name"))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    organisations = reportable_organisations(request.user)
    if not organisations:
        return render(request, "intake/no_organisation.html", status=403)
    if request.method == "POST":
        form = ReportForm(request.POST, organisations=Organisation.objects.filter(pk__in=[o.pk for o in organisations]))
        if form.is_valid():
            identity = form.cleaned_data["identity"]
            organisation = form.cleaned_data["organisation"]
            key = form.cleaned_data["submission_key"]
            if identity == ReportForm.ANONYMOUS:
                # Not linked to the person: no account, no event actor, no request id.
                incident, receipt = submit_anonymous_report(
                    organisation=organisation, submission_key=key, fields=form.report_fields()
                )
                return render(
                    request,
                    "anonymous/receipt_shown.html",
                    {"organisation": organisation, "receipt": receipt and format_receipt(receipt), "signed_in": True},
                )
            if identity == ReportForm.CONFIDENTIAL:
                incident, _created = submit_confidential_report(
                    organisation=organisation, reported_by=request.user, submission_key=key, fields=form.report_fields()
                )
            else:
                incident, _created = submit_report(
                    organisation=organisation, reported_by=request.user, submission_key=key, fields=form.report_fields()
                )
            return redirect("intake:done", incident.uuid)
    else:
        form = ReportForm(
            initial={"submission_key": uuid.uuid4()},
            organisations=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
        )
    return render(request, "intake/report.html", {"form": form, "organisations": organisations})


def own_report(request: HttpRequest, incident_uuid: uuid.UUID) -> Incident:
    return get_object_or_404(
        Incident.objects.filter(reported_by=request.user.pk).select_related("organisation"), uuid=incident_uuid
    )


@login_required
def done(request: HttpRequest, incident_uuid: uuid.UUID) -> HttpResponse:
    incident = own_report(request, incident_uuid)
    return render(request, "intake/done.html", {"incident": incident})


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    incidents = Incident.objects.filter(reported_by=request.user.pk).select_related("organisation")[:200]
    return render(request, "intake/my_reports.html", {"incidents": incidents})


@login_required
def my_report(request: HttpRequest, incident_uuid: uuid.UUID) -> HttpResponse:
    incident = own_report(request, incident_uuid)
    return render(request, "intake/my_report.html", {"incident": incident})
