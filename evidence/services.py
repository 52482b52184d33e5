"""Storing evidence: checked by content, stored under a generated name, digest recorded.

Every check (type, limits, ClamAV) and every cleaning (the anonymous reporter's metadata,
done by the caller) runs on the clear bytes; the file is sealed only as it is written to the
store. The SHA-256 recorded in the row and the upload event is the clear file's: what a
handler downloads hashes to it, whatever the store holds.
"""

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.db import transaction

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from lib import clock

from . import checks, storage
from .models import Evidence

# What may be uploaded, by the type found in the content (never the name).
ALLOWED_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "application/zip",
    "message/rfc822",
    "text/plain",
}


# The name a file keeps follows the type found in its content: its own extension when that
# fits the type, else the type's usual one ("report.html" that is plain text → "report.txt").
EXTENSIONS = {
    "image/jpeg": ("jpg", "jpeg", "jfif"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/heic": ("heic", "heif"),
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/msword": ("doc",),
    "application/vnd.ms-excel": ("xls",),
    "application/zip": ("zip",),
    "message/rfc822": ("eml",),
    "text/plain": ("txt", "text", "log", "csv"),
}
STORAGE_FULL = "The file could not be saved because there is no room left to store it. Try again in a few minutes."


@dataclass
class Upload:
    """A file as it arrived: its name and bytes."""

    name: str
    content: bytes


def safe_name(name: str) -> str:
    """The uploaded file's name, cleaned for display and download headers.

    No folders (either slash), no control or bidirectional-override characters (which can
    make "invoice\u202egnp.exe" look like "invoiceexe.png"), no leading dots.
    """
    name = unicodedata.normalize("NFKC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"})
    name = re.sub(r"[\"<>:|?*]", "", name).strip(" .")
    return name[:200] or "file"


def name_for_type(name: str, mime: str) -> str:
    """`name` cleaned, ending in an extension of `mime` (the type found in the content)."""
    name = safe_name(name)
    extensions = EXTENSIONS.get(mime)
    if not extensions:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in extensions:
        return name
    return f"{(stem if dot else name) or 'file'}.{extensions[0]}"


def sniff(content: bytes, name: str) -> str:
    """The file's type from its content. Plain text is accepted only when it decodes as text
    and does not look like markup a browser would run (HTML, SVG, XML)."""
    kind = filetype.guess(content)
    if kind is not None:
        mime = str(kind.mime)
        if mime == "application/zip" and content[:4] == b"PK\x03\x04":
            lowered = name.lower()
            if lowered.endswith(".docx"):
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if lowered.endswith(".xlsx"):
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if lowered.endswith(".pptx"):
                return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        return mime
    head = content[:2048].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<script" in content.lower() or b"<svg" in head:
        return "text/html"
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    if b"\nreceived:" in head or head.startswith((b"received:", b"from:", b"return-path:")):
        return "message/rfc822"
    return "text/plain"


def too_big(limit: int) -> str:
    return f"The file is too big. Files can be up to {limit // (1024 * 1024)} MB."


def inspect(upload: Upload) -> str:
    """The file's type, once it passes every check (StepRefused, in plain words, if not):
    not empty, within EVIDENCE_MAX_BYTES, an allowed type by its content, and the limits,
    polyglot and malware checks of `evidence.checks`."""
    limit = settings.EVIDENCE_MAX_BYTES
    if not upload.content:
        raise StepRefused("The file is empty.")
    if len(upload.content) > limit:
        raise StepRefused(too_big(limit))
    mime = sniff(upload.content, upload.name)
    if mime not in ALLOWED_TYPES:
        raise StepRefused(
            "This type of file cannot be added. Add photos, PDFs, Word or Excel documents, emails or text files."
        )
    checks.check(upload.content, mime)
    return mime


def add_evidence(
    *,
    incident: Incident,
    content: bytes,
    original_name: str,
    actor: Any,
    source: str = Evidence.Source.STAFF,
    description: str = "",
) -> Evidence:
    """Store a file against an incident and write the upload event.

    Refuses (StepRefused, in plain words) whatever `inspect` refuses; `StorageFull` when the
    store is full. The stored name follows the type found in the content. For anonymous
    reporters the caller removes metadata first and passes `actor=None`.
    """
    incident.refuse_if_disposed()
    upload = Upload(original_name, content)
    return store(incident, upload, inspect(upload), actor=actor, source=source, description=description)


def add_uploaded(*, incident: Incident, uploaded: Any, actor: Any, source: str, description: str) -> Evidence:
    """A file as a handler sends it (the upload page, the API): refused by its declared size
    before anything is read into memory, then read and stored through `add_evidence`."""
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded.size > limit:
        raise StepRefused(too_big(limit))
    with transaction.atomic():
        return add_evidence(
            incident=incident,
            content=uploaded.read(limit + 1),
            original_name=uploaded.name or "",
            actor=actor,
            source=source,
            description=description.strip(),
        )


def store(incident: Incident, upload: Upload, mime: str, *, actor: Any, source: str, description: str) -> Evidence:
    """Write an inspected file and its row and event (the file goes if they fail)."""
    content = upload.content
    name = name_for_type(upload.name, mime)
    digest = hashlib.sha256(content).hexdigest()
    stored_name = f"{uuid.uuid4().hex}.bin"
    evidence_uuid = uuid.uuid4()  # known before the row exists: the sealed file is bound to it
    storage.put(stored_name, content, holder=incident, bound_to=storage.binding(evidence_uuid))
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                uuid=evidence_uuid,
                incident=incident,
                stored_name=stored_name,
                original_name=name,
                content_type=mime,
                size=len(content),
                sha256=digest,
                description=description,
                source=source,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                uploaded_on=clock.now(),
            )
            record(
                organisation_id=incident.organisation_id,
                action="evidence.uploaded",
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                record=incident,
                target=evidence,
                after={
                    "evidence": str(evidence.uuid),
                    "name": evidence.original_name,
                    "sha256": digest,
                    "size": evidence.size,
                    "type": mime,
                    "source": source,
                    "description": description,
                },
            )
    except BaseException:
        storage.remove(stored_name)
        raise
    return evidence


def add_files(
    *, incident: Incident, uploads: Sequence[Upload], actor: Any, source: str, description: str = ""
) -> list[Evidence]:
    """Several files at once (a report's attachments): every file is checked before the
    first is stored, and if one cannot be stored the ones already written go too."""
    types = [inspect(upload) for upload in uploads]
    added: list[Evidence] = []
    try:
        for upload, mime in zip(uploads, types, strict=True):
            added.append(store(incident, upload, mime, actor=actor, source=source, description=description))
    except BaseException:
        for evidence in added:
            storage.remove(evidence.stored_name)
        raise
    return added


def read_evidence(evidence: Evidence) -> bytes:
    """The file's clear bytes (opened from its sealed form)."""
    return storage.read(evidence.stored_name, storage.binding(evidence.uuid))


def record_download(evidence: Evidence, *, by: Any, within: str = "") -> None:
    """The custody event of a download (call inside its transaction); `within` names what carried
    the file when it was not downloaded on its own (a subject access bundle)."""
    after = {"evidence": str(evidence.uuid), "name": evidence.original_name, "sha256": evidence.sha256}
    record(
        organisation_id=evidence.incident.organisation_id,
        action="evidence.downloaded",
        actor=by,
        record=evidence.incident,
        target=evidence,
        after=after | ({"in": within} if within else {}),
    )


def open_evidence(evidence: Evidence) -> Any:
    """The file's clear bytes to read a piece at a time (close it after); `KeyDestroyed` once disposed of."""
    return storage.open_clear(evidence.stored_name, storage.binding(evidence.uuid))


def follow_duplicate(duplicate: Incident, survivor: Incident, by: Any) -> dict[str, Any]:
    """A duplicate's evidence moves to the incident it is merged into (`incidents.registry.add_follower`).

    The files, digests and rows stay as they are; only the incident they belong to changes.
    The merge writes the moved items on both incidents' events, which the custody log reads
    as "moved from" (`evidence_panel`), after the item's earlier custody on the duplicate.
    """
    moved = [str(u) for u in Evidence.objects.filter(incident=duplicate).values_list("uuid", flat=True)]
    if not moved:
        return {}
    Evidence.objects.filter(incident=duplicate).update(incident=survivor)
    return {"evidence": moved}
