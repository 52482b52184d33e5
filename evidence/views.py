"""Adding, downloading and withdrawing evidence. Every step is on the incident's record.

Files are only ever served from here, after the visibility check, as a download: never
inline, never with a type a browser would run.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import record
from core.exceptions import StepRefused, StorageFull
from core.views import get_visible_or_404
from incidents.models import Incident

from . import storage
from .forms import UploadForm, WithdrawForm
from .models import Evidence
from .services import ALLOWED_TYPES, STORAGE_FULL, add_uploaded, name_for_type


def incident_page(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.uuid]) + "#evidence"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    if not incident.powers_of(request.user).can_add_evidence:
        raise PermissionDenied  # read-only outside help
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            evidence = add_uploaded(
                incident=incident,
                uploaded=form.cleaned_data["file"],
                actor=request.user,
                source=form.cleaned_data["source"],
                description=form.cleaned_data["description"],
            )
        except StepRefused as refused:
            form.add_error("file", str(refused))
        except StorageFull:
            form.add_error("file", STORAGE_FULL)
            status = 503
        else:
            messages.success(request, f"Added {evidence.original_name}.")
            return redirect(incident_page(incident))
    return render(
        request,
        "evidence/upload.html",
        {"incident": incident, "current_organisation": incident.organisation, "form": form},
        status=status,
    )


@login_required
@require_GET
def download(request: HttpRequest, evidence_uuid: Any) -> FileResponse:
    evidence = get_visible_or_404(
        Evidence.objects.select_related("incident__organisation"), request.user, uuid=evidence_uuid
    )
    if evidence.is_withdrawn and not evidence.incident.powers_of(request.user).can_download_withdrawn_evidence:
        raise PermissionDenied("Withdrawn evidence can be downloaded only by the DPO or the SIRO.")
    return serve(evidence, request.user)


def serve(evidence: Evidence, user: Any) -> FileResponse:
    """The file as a download, its custody event written first: the one way a file leaves
    the store (this page and the API's download call it, after their own checks).

    Streamed through this process from either store, a piece at a time, never a redirect to
    the store (docs/decisions/0037-evidence-in-object-storage.md): the headers below go with
    every byte, and no link exists that would work for someone else.
    """
    handle = storage.open_file(evidence.stored_name)  # FileResponse closes it
    try:
        with transaction.atomic():
            record(
                organisation_id=evidence.incident.organisation_id,
                action="evidence.downloaded",
                actor=user,
                record=evidence.incident,
                target=evidence,
                after={"evidence": str(evidence.uuid), "name": evidence.original_name, "sha256": evidence.sha256},
            )
    except BaseException:
        handle.close()  # an object's body holds one of the store's connections
        raise
    # Only types the store accepted (never HTML or SVG), and always as an attachment.
    content_type = evidence.content_type if evidence.content_type in ALLOWED_TYPES else "application/octet-stream"
    if content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name_for_type(evidence.original_name, evidence.content_type),
        content_type=content_type,
    )
    response.block_size = storage.CHUNK
    # The folder's file tells its length; an object's body does not, so ask the store's answer.
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(handle.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, evidence_uuid: Any) -> HttpResponse:
    evidence = get_visible_or_404(
        Evidence.objects.select_related("incident__organisation"), request.user, uuid=evidence_uuid
    )
    if not evidence.incident.powers_of(request.user).can_withdraw_evidence(evidence.uploaded_by_id):
        raise PermissionDenied("Only the incident's handlers or the person who added it can withdraw evidence.")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence.withdraw(by=request.user, reason=form.cleaned_data["reason"])
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Withdrew {evidence.original_name}. It is kept on the record.")
            return redirect(incident_page(evidence.incident))
    return render(
        request,
        "evidence/withdraw.html",
        {
            "evidence": evidence,
            "incident": evidence.incident,
            "current_organisation": evidence.incident.organisation,
            "form": form,
        },
    )
