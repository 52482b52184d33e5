"""Uploads under hostile input (issue 12, finding 8): limits read before anything is decoded
or unpacked, ClamAV's verdict from a real daemon, names that follow the stored type,
nothing half-written left behind, and a full store answered with 503 "try again".

Files go in through the real pages (the handlers' evidence page, the public report page);
the scanner is the private clamd of tests/clamd.py, over its socket.
"""

import errno
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anonymous.services import page_for
from audit.models import Event
from evidence import checks
from evidence import storage as evidence_storage
from evidence.models import Evidence

from .clamd import EICAR
from .conftest import Cast
from .factories import reported_incident
from .hostile_files import docx_bomb, jpeg, nested_zip, png, png_claiming, zipped

pytestmark = pytest.mark.usefixtures("scanner")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(client, incident, content: bytes, name: str, description: str = "Screenshot of the sent email"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("evidence:upload", args=[incident.uuid]),
        {"file": SimpleUploadedFile(name, content), "source": "staff", "description": description},
    )


def files_on_disk(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    folder = Path(settings.MEDIA_ROOT) / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


def refused(client, cast: Cast, settings, content: bytes, name: str) -> str:  # type: ignore[no-untyped-def]
    """Upload as alice; assert nothing was stored; the page's text."""
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = upload(client, incident, content, name)
    assert response.status_code == 200
    assert not Evidence.objects.exists() and files_on_disk(settings) == []
    assert not Event.objects.filter(action="evidence.uploaded").exists()
    return response.content.decode()


@pytest.mark.asvs("V5.2.6")
def test_a_49_megapixel_photo_is_refused_from_its_header_without_decoding(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    # 49 MP: 147 MB once decoded, 70 bytes here. Decoding it would fail ("could not be
    # read"), so this message shows the header was read and nothing decoded.
    photo = png_claiming(7000, 7000)
    page = refused(client, cast, settings, photo, "IMG_2041.png")
    assert "This photo is too large (49 megapixels). Send a photo of at most 25 megapixels" in page


def test_a_photo_within_the_pixel_limit_is_stored(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    assert upload(client, incident, jpeg(640, 480), "classroom.jpg").status_code == 302
    assert Evidence.objects.get().content_type == "image/jpeg"


@pytest.mark.asvs("V5.2.3")
def test_a_docx_that_unpacks_past_the_limit_is_refused_from_its_directory(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    bomb = docx_bomb(101 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # a small file...
    page = refused(client, cast, settings, bomb, "minutes.docx")
    assert "This document is too large once unpacked" in page


@pytest.mark.asvs("V5.2.3")
def test_an_entry_packed_more_than_200_to_1_is_refused_even_under_the_size_limit(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    page = refused(client, cast, settings, docx_bomb(8 * 1024 * 1024), "minutes.docx")
    assert "This document is too large once unpacked" in page


def test_an_archive_with_too_many_entries_is_refused(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    many = zipped({f"page{n}.txt": b"x" for n in range(checks.MAX_ENTRIES + 1)})
    assert "holds too many files" in refused(client, cast, settings, many, "pages.zip")


@pytest.mark.asvs("V5.2.3")
def test_archives_inside_archives_are_refused_past_one_level(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    assert "This archive holds other archives" in refused(client, cast, settings, nested_zip(2), "photos.zip")


def test_one_level_of_archive_inside_an_archive_is_looked_into_and_kept(client, cast: Cast) -> None:
    # A Word document with a chart carries its workbook as an archive inside: that is fine.
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    assert upload(client, incident, nested_zip(1), "photos.zip").status_code == 302


def test_an_inner_archive_shares_the_outer_budget(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    inner = docx_bomb(60 * 1024 * 1024)
    outer = zipped({"a.docx": inner, "b.docx": inner})  # 120 MiB in all, each under the limit
    assert "too large once unpacked" in refused(client, cast, settings, outer, "two.zip")


@pytest.mark.asvs("V5.2.2")
@pytest.mark.parametrize(
    ("content", "name"),
    [
        (png() + b"<html><body><script>alert(document.cookie)</script></body></html>", "photo.png"),
        (jpeg() + b"<!DOCTYPE html><iframe src=//example.org>", "photo.jpg"),
        (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n<script>alert(1)</script>\n%%EOF", "letter.pdf"),
    ],
)
def test_a_photo_or_pdf_that_is_also_a_web_page_is_refused(client, cast: Cast, settings, content, name) -> None:  # type: ignore[no-untyped-def]
    assert "it also holds a web page or script" in refused(client, cast, settings, content, name)


def test_a_pdf_that_runs_scripts_is_refused(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF"
    assert "This PDF runs scripts" in refused(client, cast, settings, pdf, "letter.pdf")


@pytest.mark.asvs("V5.4.3")
@pytest.mark.parametrize(
    ("content", "name"),
    [(EICAR, "eicar.txt"), (zipped({"readme.txt": EICAR}), "tools.zip")],
)
def test_clamd_finds_the_eicar_test_file_and_it_is_refused(client, cast: Cast, settings, content, name) -> None:  # type: ignore[no-untyped-def]
    assert "This file contains a virus or other harmful content" in refused(client, cast, settings, content, name)


def test_when_the_scanner_cannot_be_reached_files_are_refused_not_stored_unscanned(
    client, cast: Cast, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.CLAMAV_SOCKET = str(tmp_path / "no-such-clamd.sock")
    page = refused(client, cast, settings, b"Notes from the phone call.", "notes.txt")
    assert "We could not check this file for viruses just now. Try again in a few minutes." in page


def test_production_settings_require_the_scanner(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRODUCTION = True
    settings.CLAMAV_SOCKET = ""
    assert "evidence.E001" in [message.id for message in run_checks()]
    settings.CLAMAV_SOCKET = "/run/clamav/clamd.ctl"
    assert "evidence.E001" not in [message.id for message in run_checks()]


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [
        ("report.html", b"What the parent said on the phone.", "report.txt"),
        ("report", b"What the parent said on the phone.", "report.txt"),
        ("photo.txt", None, "photo.png"),
        ("Scan.JPEG", "jpeg", "Scan.JPEG"),
    ],
)
def test_the_stored_name_follows_the_type_found_in_the_content(client, cast: Cast, name, content, stored) -> None:  # type: ignore[no-untyped-def]
    content = {None: png(), "jpeg": jpeg()}.get(content, content)
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    assert upload(client, incident, content, name).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == stored
    download = client.get(reverse("evidence:download", args=[evidence.uuid]))
    assert f'filename="{stored}"' in download["Content-Disposition"]


class FullDisk:
    """Storage that takes the first half of a file and then reports the disk full (ENOSPC)."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def __call__(self, path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        self.paths.append(Path(path))
        handle = open(path, mode, *args, **kwargs)  # noqa: SIM115
        real_write = handle.write

        def write(data: bytes) -> int:
            real_write(data[: len(data) // 2])
            handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        handle.write = write  # type: ignore[method-assign, assignment]
        return handle


@pytest.fixture
def full_disk(monkeypatch) -> FullDisk:  # type: ignore[no-untyped-def]
    storage = FullDisk()
    monkeypatch.setattr(evidence_storage, "open", storage, raising=False)
    return storage


@pytest.mark.asvs("V5.2.1")
def test_a_full_disk_answers_503_removes_the_part_file_and_keeps_what_was_typed(  # type: ignore[no-untyped-def]
    client, cast: Cast, settings, full_disk: FullDisk
) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = upload(client, incident, png(), "photo.png", description="Photo of the open filing cabinet")
    assert response.status_code == 503
    page = response.content.decode()
    assert "no room left to store it. Try again in a few minutes." in page
    assert "Photo of the open filing cabinet" in page  # what was typed is still there
    assert full_disk.paths and full_disk.paths[0].suffix == ".part"
    assert files_on_disk(settings) == []  # the half-written .part file is gone
    assert not Evidence.objects.exists()


def test_a_full_disk_on_the_public_report_page_keeps_the_report_text(client, cast: Cast, settings, full_disk) -> None:  # type: ignore[no-untyped-def]
    page = page_for(cast.school_a)
    url = reverse("anonymous:public_report", args=[page.slug])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    response = client.post(
        url,
        {
            "token": token,
            "description": "The register was left on the minibus.",
            "attachments": [SimpleUploadedFile("bus.png", png())],
        },
    )
    assert response.status_code == 503
    assert "The register was left on the minibus." in response.content.decode()
    assert files_on_disk(settings) == []
    assert not Evidence.objects.exists()
    assert not Event.objects.filter(action="incident.reported").exists()


def send_anonymously(client, cast: Cast, name: str, content: bytes):  # type: ignore[no-untyped-def]
    page = page_for(cast.school_a)
    url = reverse("anonymous:public_report", args=[page.slug])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    return client.post(
        url, {"token": token, "description": "See attached.", "attachments": [SimpleUploadedFile(name, content)]}
    )


@pytest.mark.asvs("V5.2.3")
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("IMG_2041.png", png_claiming(7000, 7000), "This photo is too large (49 megapixels)"),
        ("minutes.docx", docx_bomb(101 * 1024 * 1024), "This document is too large once unpacked"),
        ("eicar.txt", EICAR, "This file contains a virus"),
    ],
)
def test_the_anonymous_page_refuses_before_removing_metadata(
    client, cast: Cast, settings, name, content, message
) -> None:  # type: ignore[no-untyped-def]
    response = send_anonymously(client, cast, name, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Evidence.objects.exists() and files_on_disk(settings) == []
    assert not Event.objects.filter(action="incident.reported").exists()


def test_a_full_disk_anywhere_else_is_the_503_try_again_page(rf) -> None:  # type: ignore[no-untyped-def]
    from core.exceptions import StorageFull
    from core.middleware import StorageFullMiddleware

    middleware = StorageFullMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]
    response = middleware.process_exception(rf.get("/"), StorageFull())
    assert response is not None and response.status_code == 503
    assert "try again in a few minutes" in response.content.decode()
    assert response["Retry-After"] == "300"


def test_a_refused_second_file_leaves_no_first_file_behind(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from core.exceptions import StepRefused
    from evidence.services import Upload, add_files

    incident = reported_incident(cast.school_a, cast.bob)
    with pytest.raises(StepRefused), transaction.atomic():
        add_files(
            incident=incident,
            uploads=[Upload("fine.png", png()), Upload("eicar.txt", EICAR)],
            actor=cast.alice,
            source=Evidence.Source.STAFF,
        )
    assert files_on_disk(settings) == [] and not Evidence.objects.exists()
