"""Adding, downloading and withdrawing evidence. Every step is on the incident's record.

Files are only ever served from here, after the visibility check, as a download: never
inline, never with a type a browser would run. Stored files are sealed (decision 0038):
they are opened here as they stream, so a signed link to the store could only ever give
ciphertext; there is none. A file whose incident was disposed of (its key destroyed) is
410 Gone, with a page that says so.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit.sealing_files import KeyDestroyed
from core.exceptions import StepRefused, StorageFull
from core.views import get_visible_or_404
from incidents.models import Incident

from . import storage
from .forms import UploadForm, WithdrawForm
from .models import Evidence
from .services import ALLOWED_TYPES, STORAGE_FULL, add_uploaded, name_for_type, open_evidence, record_download

GONE = (
    "This file can no longer be opened. The incident it belongs to reached the end of its retention "
    "period and was disposed of: the key that unlocked its files was destroyed, so no copy of the file "
    "can be read, here or in any backup."
)


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
def download(request: HttpRequest, evidence_uuid: Any) -> HttpResponseBase:
    evidence = get_visible_or_404(
        Evidence.objects.select_related("incident__organisation"), request.user, uuid=evidence_uuid
    )
    if evidence.is_withdrawn and not evidence.incident.powers_of(request.user).can_download_withdrawn_evidence:
        raise PermissionDenied("Withdrawn evidence can be downloaded only by the DPO or the SIRO.")
    try:
        return serve(evidence, request.user)
    except KeyDestroyed:
        context = {"evidence": evidence, "incident": evidence.incident, "message": GONE}
        return render(
            request,
            "evidence/gone.html",
            context | {"current_organisation": evidence.incident.organisation},
            status=410,
        )


def serve(evidence: Evidence, user: Any) -> FileResponse:
    """The file as a download, its custody event written first: the one way a file leaves
    the store (this page and the API's download call it, after their own checks).

    Streamed through this process from either store, a piece at a time, never a redirect to
    the store (docs/decisions/0037-evidence-in-object-storage.md): the headers below go with
    every byte, and no link exists that would work for someone else. The file is opened
    (decrypted) as it streams; `KeyDestroyed` (before any event is written) once its incident
    was disposed of. A chunk found changed part-way stops the stream: the client gets fewer
    bytes than Content-Length says, never altered ones.
    """
    handle = open_evidence(evidence)  # FileResponse closes it
    try:
        with transaction.atomic():
            record_download(evidence, by=user)
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
    # The clear length, recorded at upload (the stored file is longer: headers and tags).
    response["Content-Length"] = str(evidence.size)
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
