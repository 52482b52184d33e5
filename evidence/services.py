"""Storing evidence: checked by content, stored under a generated name, digest recorded."""

import hashlib
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.db import transaction

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from lib import clock

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


def evidence_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


# Generated names only: anything else in the column is refused before the disk is touched.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.bin$")


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

    Refuses (StepRefused, in plain words) files over EVIDENCE_MAX_BYTES, empty files and
    types not on the allowed list (checked by content). For anonymous reporters the caller
    removes metadata first and passes `actor=None`.
    """
    limit = settings.EVIDENCE_MAX_BYTES
    if not content:
        raise StepRefused("The file is empty.")
    if len(content) > limit:
        raise StepRefused(f"The file is too big. Files can be up to {limit // (1024 * 1024)} MB.")
    mime = sniff(content, original_name)
    if mime not in ALLOWED_TYPES:
        raise StepRefused(
            "This type of file cannot be added. Add photos, PDFs, Word or Excel documents, emails or text files."
        )
    digest = hashlib.sha256(content).hexdigest()
    stored_name = f"{uuid.uuid4().hex}.bin"
    path = evidence_dir() / stored_name
    # Written under a temporary name and renamed, so a half-written file is never served.
    partial = path.with_suffix(".part")
    with open(partial, "xb") as handle:
        handle.write(content)
    partial.replace(path)
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                incident=incident,
                stored_name=stored_name,
                original_name=safe_name(original_name),
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
        path.unlink(missing_ok=True)
        raise
    return evidence


def evidence_path(evidence: Evidence) -> Path:
    """Where the file is on disk; refuses any stored name the store did not generate."""
    if not STORED_NAME.fullmatch(evidence.stored_name):
        raise ValueError(f"not a generated evidence name: {evidence.stored_name!r}")
    return evidence_dir() / evidence.stored_name


def read_evidence(evidence: Evidence) -> bytes:
    return evidence_path(evidence).read_bytes()
