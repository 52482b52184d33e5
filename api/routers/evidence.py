"""Evidence: the incident's files, through the evidence store's own checks and custody log.

    GET  /incidents/{uuid}/evidence        what the incident holds (metadata, never the files)
    POST /incidents/{uuid}/evidence        add a file (multipart: file, source, description)
    GET  /evidence/{uuid}                  one file's metadata
    GET  /evidence/{uuid}/download         the file itself, its custody event written first
    POST /evidence/{uuid}/withdraw         withdraw it with a reason (it is kept)

Who may do what is the web's: whoever may open the incident may add and download; withdrawn
files only the DPO or the SIRO; withdrawing, the handlers or the person who added it
(`Powers`). An upload passes `evidence.services` (size, type by content, the limits read
before decoding, the ClamAV scan) exactly as the upload page's does, and a file it refuses
is a 422 at the file in the same words; a full store or a scanner that cannot be reached
is a 503 "try again".
"""

from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from api.auth import Forbidden, need
from api.models import Scope
from api.schemas import REFUSALS, STEP_REFUSALS, Problem
from audit.sealing_files import KeyDestroyed
from core.exceptions import StepRefused, StorageFull
from core.views import get_visible_or_404
from evidence import checks
from evidence.forms import UploadForm, WithdrawForm
from evidence.models import Evidence
from evidence.services import STORAGE_FULL, add_uploaded
from evidence.views import GONE, serve
from incidents.models import Incident
from lib import clock

from .forms import bound, cleaned, invalid
from .incidents import viewed

router = Router(tags=["Evidence"])


class EvidenceOut(Schema):
    uuid: UUID
    incident: UUID
    name: str = Field(description="The file's name, cleaned, with an extension that fits its type.")
    content_type: str = Field(description="The type found in its content (never the name).")
    size: int
    sha256: str
    description: str
    source: str = Field(description="staff, reporter or anonymous_reporter.")
    uploaded_by: str | None = Field(description="Email address; none for an anonymous reporter.")
    uploaded_on: str
    withdrawn: bool
    withdrawn_on: str | None
    withdrawn_reason: str


def evidence_out(evidence: Evidence) -> EvidenceOut:
    precision = clock.precision_of(evidence.incident)
    return EvidenceOut(
        uuid=evidence.uuid,
        incident=evidence.incident.uuid,
        name=evidence.original_name,
        content_type=evidence.content_type,
        size=evidence.size,
        sha256=evidence.sha256,
        description=evidence.description,
        source=evidence.source,
        uploaded_by=evidence.uploaded_by.email if evidence.uploaded_by else None,
        uploaded_on=clock.iso(evidence.uploaded_on, precision),
        withdrawn=evidence.is_withdrawn,
        withdrawn_on=clock.iso(evidence.withdrawn_on, precision) or None,
        withdrawn_reason=evidence.withdrawn_reason,
    )


def visible_evidence(user: object, evidence_uuid: UUID) -> Evidence:
    return get_visible_or_404(
        Evidence.objects.select_related("incident__organisation", "uploaded_by"), user, uuid=evidence_uuid
    )


@router.get(
    "/incidents/{incident_uuid}/evidence",
    response={200: list[EvidenceOut], **REFUSALS},
    summary="The incident's evidence",
)
def evidence_list(request: HttpRequest, incident_uuid: UUID) -> list[EvidenceOut]:
    user = need(request, Scope.READ).person
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), user, uuid=incident_uuid)
    viewed(incident, user)  # names and descriptions of what was collected: a read of the record
    rows = Evidence.objects.filter(incident=incident).select_related("uploaded_by")
    for evidence in rows:
        evidence.incident = incident  # one incident for every row: its precision asked once
    return [evidence_out(evidence) for evidence in rows]


@router.post(
    "/incidents/{incident_uuid}/evidence",
    response={201: EvidenceOut, 503: Problem, **STEP_REFUSALS},
    summary="Add a file",
)
def upload(
    request: HttpRequest,
    incident_uuid: UUID,
    file: File[UploadedFile | None] = None,
    description: Form[str] = "",
    source: Form[str] = Evidence.Source.STAFF,
) -> Status[EvidenceOut | dict[str, str]]:
    """Add a file as evidence. `description`: what it is and how it was obtained (needed);
    `source`: `staff` (collected by staff) or `reporter` (sent by the person who reported it).
    `file` is needed too: the upload form says so (422), after the scope and who may add."""
    user = need(request, Scope.HANDLE).person
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), user, uuid=incident_uuid)
    if not incident.powers_of(user).can_add_evidence:
        raise Forbidden("Read-only outside help cannot add evidence.")
    form = bound(UploadForm, {"description": description, "source": source}, files=request.FILES)
    values = cleaned(form)
    try:
        evidence = add_uploaded(
            incident=incident,
            uploaded=values["file"],
            actor=user,
            source=values["source"],
            description=values["description"],
        )
    except StepRefused as refused:
        if str(refused) == checks.SCANNER_DOWN:
            return Status(503, {"detail": str(refused)})
        raise invalid("file", str(refused)) from refused
    except StorageFull:
        return Status(503, {"detail": STORAGE_FULL})
    return Status(201, evidence_out(evidence))


@router.get("/evidence/{evidence_uuid}", response={200: EvidenceOut, **REFUSALS}, summary="One file's metadata")
def evidence_detail(request: HttpRequest, evidence_uuid: UUID) -> EvidenceOut:
    user = need(request, Scope.READ).person
    evidence = visible_evidence(user, evidence_uuid)
    viewed(evidence.incident, user)
    return evidence_out(evidence)


@router.get(
    "/evidence/{evidence_uuid}/download",
    response={200: None, 410: Problem, **REFUSALS},
    summary="Download the file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request: HttpRequest, evidence_uuid: UUID) -> FileResponse | Status[dict[str, str]]:
    """The file as it was uploaded (its digest is in the metadata; the store keeps it sealed),
    always as an attachment; the download is on the incident's record, as on the web. 410 once
    the incident was disposed of: its key was destroyed and the file can never be opened."""
    user = need(request, Scope.READ).person
    evidence = visible_evidence(user, evidence_uuid)
    if evidence.is_withdrawn and not evidence.incident.powers_of(user).can_download_withdrawn_evidence:
        raise Forbidden("Withdrawn evidence can be downloaded only by the DPO or the SIRO.")
    try:
        return serve(evidence, user)
    except KeyDestroyed:
        return Status(410, {"detail": GONE})


class WithdrawIn(Schema):
    reason: str | None = Field(None, description="Why it is withdrawn; the file is kept, marked withdrawn.")


@router.post(
    "/evidence/{evidence_uuid}/withdraw",
    response={200: EvidenceOut, **STEP_REFUSALS},
    summary="Withdraw a file",
)
def withdraw(request: HttpRequest, evidence_uuid: UUID, payload: WithdrawIn) -> EvidenceOut | HttpResponse:
    user = need(request, Scope.HANDLE).person
    evidence = visible_evidence(user, evidence_uuid)
    if not evidence.incident.powers_of(user).can_withdraw_evidence(evidence.uploaded_by_id):
        raise Forbidden("Only the incident's handlers or the person who added it can withdraw evidence.")
    values = cleaned(bound(WithdrawForm, payload.dict(exclude_unset=True)))
    evidence.withdraw(by=user, reason=values["reason"])
    return evidence_out(evidence)
