"""Files from anonymous reporters lose their metadata before they are stored.

Real files go in through the public page; what is stored is read back with the same
libraries that wrote the metadata.
"""

import io
import re
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from anonymous.scrub import clean
from anonymous.services import page_for
from core.exceptions import StepRefused
from evidence.models import Evidence
from evidence.services import read_evidence

from .anonymous_files import AUTHOR, COMPANY, docx_with_author, jpeg_with_gps, pdf_with_author
from .conftest import Cast


def stored_after_sending(client, cast: Cast, name: str, content: bytes) -> bytes:
    page = page_for(cast.school_a)
    url = reverse("anonymous:public_report", args=[page.slug])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    response = client.post(
        url, {"token": token, "description": "See attached.", "attachments": [SimpleUploadedFile(name, content)]}
    )
    assert 'id="receipt"' in response.content.decode()
    evidence = Evidence.objects.get()
    assert AUTHOR.split()[0] not in evidence.original_name
    return read_evidence(evidence)


def test_the_test_files_really_carry_metadata() -> None:
    photo = Image.open(io.BytesIO(jpeg_with_gps()))
    assert photo.getexif().get_ifd(0x8825)[2] == (52.0, 12.0, 34.56)
    assert docx.Document(io.BytesIO(docx_with_author())).core_properties.author == AUTHOR
    assert COMPANY.encode() in zipfile.ZipFile(io.BytesIO(docx_with_author())).read("docProps/app.xml")
    assert PdfReader(io.BytesIO(pdf_with_author())).metadata.author == AUTHOR


def test_photo_loses_gps_and_every_exif_tag(client, cast: Cast) -> None:
    stored = stored_after_sending(client, cast, "IMG_0042.jpg", jpeg_with_gps())
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (64, 48)
    exif = image.getexif()
    assert len(exif) == 0 and not exif.get_ifd(0x8825)
    assert "exif" not in image.info and "comment" not in image.info
    assert b"CanaryCam" not in stored and AUTHOR.encode() not in stored


def test_docx_loses_author_and_company(client, cast: Cast) -> None:
    stored = stored_after_sending(client, cast, "notes.docx", docx_with_author())
    document = docx.Document(io.BytesIO(stored))
    assert document.core_properties.author == "" and document.core_properties.last_modified_by == ""
    assert document.core_properties.comments == ""
    assert document.paragraphs[0].text == "The class list was left on the printer."
    archive = zipfile.ZipFile(io.BytesIO(stored))
    for name in archive.namelist():
        assert AUTHOR.encode() not in archive.read(name) and COMPANY.encode() not in archive.read(name), name
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_pdf_loses_author_and_producer(client, cast: Cast) -> None:
    stored = stored_after_sending(client, cast, "scan.pdf", pdf_with_author())
    reader = PdfReader(io.BytesIO(stored))
    metadata = reader.metadata
    assert metadata is None or (metadata.author is None and metadata.producer is None and metadata.creator is None)
    assert len(reader.pages) == 1
    assert AUTHOR.encode() not in stored and b"CanaryWriter" not in stored and COMPANY.encode() not in stored


def test_comment_and_tracked_change_authors_are_blanked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/comments.xml",
            f'<w:comments><w:comment w:id="0" w:author="{AUTHOR}" w:initials="MQ"/></w:comments>',
        )
        archive.writestr("word/document.xml", f'<w:document><w:ins w:author="{AUTHOR}"/></w:document>')
        archive.writestr("xl/comments1.xml", f"<comments><authors><author>{AUTHOR}</author></authors></comments>")
    cleaned = clean(out.getvalue(), "a.docx")
    result = zipfile.ZipFile(io.BytesIO(cleaned.content))
    for name in result.namelist():
        assert AUTHOR.encode() not in result.read(name), name
    assert b'w:initials=""' in result.read("word/comments.xml")


def test_photo_inside_a_document_is_cleaned_too() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/media/image1.jpeg", jpeg_with_gps())
    cleaned = clean(out.getvalue(), "a.docx")
    inner = zipfile.ZipFile(io.BytesIO(cleaned.content)).read("word/media/image1.jpeg")
    assert len(Image.open(io.BytesIO(inner)).getexif()) == 0 and b"CanaryCam" not in inner


def test_png_keeps_its_transparency_and_loses_its_text_chunks() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR)
    source = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(source, format="PNG", pnginfo=info)
    cleaned = clean(source.getvalue(), "x.png")
    image = Image.open(io.BytesIO(cleaned.content))
    assert image.mode == "RGBA" and AUTHOR.encode() not in cleaned.content and not image.info.get("Author")


@pytest.mark.parametrize(
    ("name", "content"),
    [("page.html", b"<html><script>x</script></html>"), ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64)],
)
def test_other_types_are_refused_saying_what_is_accepted(name: str, content: bytes) -> None:
    with pytest.raises(StepRefused, match="You can send photos"):
        clean(content, name)


def test_damaged_files_are_refused_in_plain_words() -> None:
    with pytest.raises(StepRefused, match="could not be read"):
        clean(b"%PDF-1.7\n garbage", "x.pdf")


def test_xlsx_loses_creator_and_last_modified_by() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Pupil list"
    book.properties.creator = AUTHOR
    book.properties.lastModifiedBy = AUTHOR
    source = io.BytesIO()
    book.save(source)
    assert openpyxl.load_workbook(io.BytesIO(source.getvalue())).properties.creator == AUTHOR
    cleaned = clean(source.getvalue(), "list.xlsx")
    assert cleaned.name == "document.xlsx"
    back = openpyxl.load_workbook(io.BytesIO(cleaned.content))
    # openpyxl reads a missing creator as "openpyxl"
    assert back.properties.creator in (None, "", "openpyxl") and back.properties.lastModifiedBy in (None, "")
    assert back.active["A1"].value == "Pupil list"
    assert AUTHOR.encode() not in b"".join(
        zipfile.ZipFile(io.BytesIO(cleaned.content)).read(n)
        for n in zipfile.ZipFile(io.BytesIO(cleaned.content)).namelist()
    )
