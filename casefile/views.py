"""The case-file PDF, for the incident's handlers only. Each download is on the record."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from audit.log import record
from core.views import get_visible_or_404
from incidents.models import Incident

from .render import case_file_data, render_pdf


@login_required
@require_GET
def case_file_pdf(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(
        Incident.objects.select_related(
            "organisation", "reported_by", "investigator", "incident_type", "ico_decided_by"
        ),
        request.user,
        uuid=incident_uuid,
    )
    # The investigator sees the incident but not the whole file (restricted parts included).
    if not incident.powers_of(request.user).can_download_case_file:
        raise PermissionDenied("Only the incident manager, the SIRO and the DPO can download the case file.")
    # Rendered before the event is written: the write lock is never held while typst runs.
    pdf = render_pdf(case_file_data(incident, request.user))
    with transaction.atomic():
        record(
            organisation_id=incident.organisation_id,
            action="incident.case_file_downloaded",
            actor=request.user,
            record=incident,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-file-{incident.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
