"""What a file must pass before anything decodes, unpacks or stores it.

Every file that becomes evidence passes here: the handlers' uploads, the staff report form's
attachments, a named reporter's additions and (before their metadata is removed, and again
after) the anonymous reporter's files. Each limit is read from the file's headers, never by
decoding or unpacking it, so a small file that would grow to gigabytes costs a few
milliseconds to refuse (docs/decisions/0022-upload-limits-before-decoding.md):

- photos: at most `MAX_PIXELS`, read from the image header by Pillow without decoding;
- archives (Word, Excel, PowerPoint, zip): at most `MAX_ENTRIES` entries and `MAX_UNPACKED`
  bytes once unpacked, from the zip's central directory; no entry may unpack to more than
  `MAX_RATIO` times its packed size; an archive inside an archive (a chart's workbook inside
  a Word document) is looked into with the same budget, one level down only;
- polyglots: a photo or PDF that also carries a web page or script is refused;
- malware: ClamAV (`lib.clamav`), when `CLAMAV_SOCKET` is set (production requires it).

A refusal is a `StepRefused` whose message says what to do, shown beside the file field.
"""

import io
import re
import warnings
import zipfile

from django.conf import settings
from PIL import Image

from core.exceptions import StepRefused
from lib import clamav

MAX_PIXELS = 25_000_000
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_RATIO = 200
# Entries smaller than this unpacked are not held to the ratio: a few kilobytes of
# repeated XML legitimately pack very tightly, and cannot grow into anything harmful.
RATIO_FLOOR = 1024 * 1024

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"}
ARCHIVE_TYPES = {
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# Magic numbers of archives and compressed streams that could hide a further layer.
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"BZh", b"\xfd7zXZ\x00")
# Markup a browser would run, found inside a photo or PDF: the file is two things at once.
MARKUP = re.compile(rb"<(?:script|html|body|iframe|svg|object|embed|meta|!doctype)[\s>/]|javascript:", re.IGNORECASE)
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFile)\b")

TOO_MANY_PIXELS = (
    "This photo is too large ({megapixels} megapixels). Send a photo of at most {limit} megapixels: "
    "a screenshot, or the photo resized on your phone or computer."
)
TOO_BIG_UNPACKED = (
    "This document is too large once unpacked. Send a smaller document, or save it as a PDF and send that."
)
TOO_MANY_ENTRIES = "This document or archive holds too many files. Send the files you need separately."
NESTED = "This archive holds other archives. Unpack it and send the files you need."
POLYGLOT = "This file is not a plain photo or PDF: it also holds a web page or script. Send a screenshot instead."
PDF_SCRIPT = "This PDF runs scripts or carries other files. Print it to a new PDF and send that."
UNREADABLE = "This file could not be read. Check it opens on your computer, then try again."
INFECTED = "This file contains a virus or other harmful content and has not been added. Do not open it again."
SCANNER_DOWN = "We could not check this file for viruses just now. Try again in a few minutes."


def check(content: bytes, mime: str) -> None:
    """Refuse (StepRefused) a file of type `mime` that breaks any limit, before it is decoded."""
    if mime in IMAGE_TYPES:
        check_image(content)
    elif mime in ARCHIVE_TYPES:
        check_archive(content, depth=0, budget=[MAX_UNPACKED, MAX_ENTRIES])
    elif mime == "application/pdf":
        check_pdf(content)
    scan(content)


def check_image(content: bytes) -> None:
    if MARKUP.search(content):
        raise StepRefused(POLYGLOT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Reads the header only: width and height, no pixel is decoded.
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        width, height = MAX_PIXELS + 1, 1
    except (OSError, ValueError, SyntaxError):
        # A header Pillow cannot read (HEIC, a damaged photo kept as evidence) is one no
        # code here can decode either: where a photo is decoded (metadata removal), a
        # failure to decode is refused there.
        return
    if width * height > MAX_PIXELS:
        raise StepRefused(
            TOO_MANY_PIXELS.format(megapixels=round(width * height / 1_000_000), limit=MAX_PIXELS // 1_000_000)
        )


def check_pdf(content: bytes) -> None:
    if MARKUP.search(content):
        raise StepRefused(POLYGLOT)
    if PDF_ACTIVE.search(content):
        raise StepRefused(PDF_SCRIPT)


def check_archive(content: bytes, *, depth: int, budget: list[int]) -> None:
    """The archive's entries, counted and sized from its central directory.

    `budget` is [bytes, entries] still allowed, shared with the archives inside it. Reading
    an entry (only to look inside an inner archive) cannot unpack more than the size its
    header declares: `zipfile` stops there and checks the CRC.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise StepRefused(UNREADABLE) from exc
    budget[1] -= len(entries)
    if budget[1] < 0:
        raise StepRefused(TOO_MANY_ENTRIES)
    for entry in entries:
        budget[0] -= entry.file_size
        if budget[0] < 0:
            raise StepRefused(TOO_BIG_UNPACKED)
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise StepRefused(TOO_BIG_UNPACKED)
    for entry in entries:
        if entry.is_dir() or entry.file_size == 0:
            continue
        try:
            with archive.open(entry) as handle:
                head = handle.read(8)
                if not head.startswith(ARCHIVE_MAGIC):
                    continue
                if depth >= 1 or not head.startswith(b"PK\x03\x04"):
                    raise StepRefused(NESTED)
                inner = head + handle.read()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise StepRefused(UNREADABLE) from exc
        check_archive(inner, depth=depth + 1, budget=budget)


def scan(content: bytes) -> None:
    """ClamAV's verdict, when a scanner is configured (always in production)."""
    address = settings.CLAMAV_SOCKET
    if not address:
        return
    try:
        found = clamav.scan(content, address=address, timeout=settings.CLAMAV_TIMEOUT)
    except clamav.ScannerUnavailable as exc:
        raise StepRefused(SCANNER_DOWN) from exc
    if found is not None:
        raise StepRefused(INFECTED)
