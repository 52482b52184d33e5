"""Removing metadata from anonymous reporters' files, before anything is stored.

The type is decided from the content (never the name). Photos are decoded and re-encoded
from their pixels alone, so EXIF (with GPS), XMP, ICC profiles and comments go; the
orientation is applied first. PDFs are rebuilt page by page without the document
information (author, producer, creator, dates) or XMP. Word, Excel and PowerPoint files
are rewritten: empty core, app and custom properties, blank comment and tracked-change
authors, photos inside cleaned like photos, fixed zip timestamps. Plain text is kept.
Anything else is refused, saying what is accepted. Before any of this, the file passes
`evidence.checks` (pixels, unpacked size, polyglots, malware), so nothing is decoded or
unpacked beyond its limits.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from core.exceptions import StepRefused
from evidence import checks
from evidence.services import sniff

ACCEPTED = "photos (JPEG, PNG, WebP), PDFs, Word, Excel and PowerPoint documents (.docx, .xlsx, .pptx) and plain text"
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
# Attributes naming people in comments, tracked changes and threaded-comment persons.
PERSON_ATTRIBUTES = re.compile(rb'\b((?:w|w15|p|p188|x)?:?(?:author|initials|displayName|userId|providerId))="[^"]*"')
AUTHOR_ELEMENTS = re.compile(rb"<((?:\w+:)?author)>[^<]*</\1>")
COMMENT_AUTHOR_NAMES = re.compile(rb'\b(name|initials)="[^"]*"')


@dataclass
class Cleaned:
    content: bytes
    name: str
    content_type: str


def clean(content: bytes, original_name: str) -> Cleaned:
    """The file without its metadata, under a generated name; StepRefused if not accepted."""
    mime = sniff(content, original_name)
    if mime in ("image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain", *OFFICE_TYPES):
        checks.check(content, mime)  # before anything is decoded or unpacked
    if mime in ("image/jpeg", "image/png", "image/webp"):
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[mime]
        return Cleaned(clean_image(content, mime), f"photo.{ext}", mime)
    if mime == "application/pdf":
        return Cleaned(clean_pdf(content), "document.pdf", mime)
    if mime in OFFICE_TYPES:
        ext = OFFICE_TYPES[mime]
        return Cleaned(clean_office(content), f"document.{ext}", mime)
    if mime == "text/plain":
        return Cleaned(content, "text.txt", mime)
    raise StepRefused(f"This type of file cannot be sent. You can send {ACCEPTED}.")


def clean_image(content: bytes, mime: str) -> bytes:
    try:
        with Image.open(io.BytesIO(content)) as opened:
            image = ImageOps.exif_transpose(opened)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            target = "RGB" if mime == "image/jpeg" or not has_alpha else "RGBA"
            if image.mode == "L" and not has_alpha:
                target = "L"
            pixels = image.convert(target)
            # A new image from the pixels alone: no info, EXIF, XMP, ICC or comments come along.
            bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise StepRefused("This photo could not be read. Please try another file.") from exc
    out = io.BytesIO()
    if mime == "image/jpeg":
        bare.save(out, format="JPEG", quality=90)
    elif mime == "image/png":
        bare.save(out, format="PNG", optimize=True)
    else:
        bare.save(out, format="WEBP", quality=90)
    return out.getvalue()


def clean_pdf(content: bytes) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise StepRefused("Password-protected PDFs cannot be sent. Please send the file without a password.")
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in ("/Metadata", "/PieceInfo"):
                if key in added:
                    del added[NameObject(key)]
        writer.metadata = None
        if "/Metadata" in writer._root_object:
            del writer._root_object[NameObject("/Metadata")]
        out = io.BytesIO()
        writer.write(out)
    except StepRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise StepRefused("This PDF could not be read. Please try another file.") from exc
    return out.getvalue()


def clean_office(content: bytes) -> bytes:
    try:
        source = zipfile.ZipFile(io.BytesIO(content))  # its limits passed evidence.checks
        entries = [(info.filename, source.read(info)) for info in source.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise StepRefused("This document could not be read. Please try another file.") from exc
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            lowered = name.lower()
            if lowered == "docprops/core.xml":
                data = EMPTY_CORE
            elif lowered == "docprops/app.xml":
                data = EMPTY_APP
            elif lowered == "docprops/custom.xml":
                data = EMPTY_CUSTOM
            elif lowered.endswith(".xml") or lowered.endswith(".rels"):
                data = PERSON_ATTRIBUTES.sub(rb'\1=""', data)
                data = AUTHOR_ELEMENTS.sub(rb"<\1></\1>", data)
                if lowered.endswith("commentauthors.xml"):
                    data = COMMENT_AUTHOR_NAMES.sub(rb'\1=""', data)
            elif "/media/" in lowered:
                inner = sniff(data, name)
                if inner in ("image/jpeg", "image/png", "image/webp"):
                    checks.check_image(data)
                    data = clean_image(data, inner)
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()
