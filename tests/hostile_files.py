"""Hostile files for the upload checks, made small: each is cheap to build and to refuse."""

import io
import struct
import zipfile
import zlib

from PIL import Image

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def png(width: int = 2, height: int = 2) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose header (with a correct checksum) says width x height: tiny on
    disk, gigabytes once decoded. Only a check that reads the header refuses it cheaply."""
    data = bytearray(png(1, 1))
    # Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def jpeg(width: int = 8, height: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bomb(unpacked_bytes: int) -> bytes:
    """A Word document whose text unpacks to `unpacked_bytes` of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as handle:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_bytes // len(block)):
                handle.write(block)
    return out.getvalue()


def nested_zip(depth: int) -> bytes:
    content = b"The inner note."
    inner = zipped({"note.txt": content})
    for level in range(depth):
        inner = zipped({f"level{level}.zip": inner})
    return inner
