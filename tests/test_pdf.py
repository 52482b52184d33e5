"""Every PDF the service makes comes from lib.pdf: tagged PDF/UA-1, titled, in one language, in
the same fonts, with the data placed as text, and one error (PdfError, one error page) when a
document cannot be made.

Each of the five documents is fetched through its real view with real data. The render times
are printed (run with -s to read them), never asserted.
"""

import io
import logging
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from anonymous import poster
from anonymous.services import page_for
from audit.models import Event
from breaches import documents
from breaches.models import IcoSubmission
from casefile import render
from incidents import pdf as outcome_pdf
from incidents.models import Incident, OutcomeReport
from insights import pack
from lib import pdf

from .conftest import Cast
from .factories import reported_incident, set_fields

# Every character typst markup gives a meaning to. Placed as text, each comes out as itself.
MARKUP = r'#panic("x") *bold* _it_ $x^2$ [a] \ #set page(width: 1cm) back\slash'
# What typst carries inside itself; any other font comes from Noto's families (PDF_FONT_DIRS).
FAMILIES = {"LibertinusSerif", "DejaVuSansMono"}
# Text in scripts and symbols the fonts typst carries cannot draw: emoji (with a joined family
# and a skin tone), Chinese, Urdu, Hindi, Hebrew, Thai and a mathematical symbol.
EVERY_SCRIPT = (
    "The screen said \U0001f600 \U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f44d\U0001f3fd "
    "学校数据 اسکول کا ڈیٹا विद्यालय שלום สวัสดี ∮"
)


@dataclass
class Document:
    name: str
    url: str
    params: dict[str, str]
    title: str
    module: Any  # where the template is named, to break it on purpose
    template_attr: str
    event: str | None  # the download event, if the document writes one


def squash(text: str) -> str:
    return "".join(text.split())


def the_five(cast: Cast) -> list[Document]:
    """The five documents, about one incident (or organisation) whose texts are full of markup."""
    cast.school_a.name = f"School {MARKUP}"
    cast.school_a.save()
    incident = reported_incident(cast.school_a, cast.bob, description=f"Described as {MARKUP}")
    Incident.objects.filter(pk=incident.pk).update(personal_data_breach="yes", aware_on=incident.reported_on)
    incident.refresh_from_db()
    IcoSubmission.record_submission(incident=incident, by=cast.alice, submitted_on=incident.reported_on)
    OutcomeReport.objects.create(incident=incident, summary=f"Summed up as {MARKUP}", round=1, status="submitted")
    page = page_for(cast.school_a)
    uuid = [incident.uuid]
    return [
        Document(
            "case file",
            reverse("casefile:pdf", args=uuid),
            {},
            f"Case file {incident.reference}",
            render,
            "TEMPLATE",
            "incident.case_file_downloaded",
        ),
        Document(
            "outcome report",
            reverse("incidents:outcome_pdf", args=uuid),
            {},
            f"Incident Outcome Report {incident.reference}",
            outcome_pdf,
            "TEMPLATE",
            "outcome.pdf_downloaded",
        ),
        Document(
            "ICO report",
            reverse("breaches:ico_report_pdf", args=uuid),
            {},
            f"Personal data breach report: {incident.reference}",
            documents,
            "TEMPLATES",
            "breach.document_generated",
        ),
        Document(
            "governor pack",
            reverse("insights:pack"),
            {"start": "2026-01-01", "end": "2026-12-31"},
            "Information security incidents: report to governors and the board",
            pack,
            "TEMPLATE",
            "pack.produced",
        ),
        Document(
            "poster",
            reverse("anonymous:poster", args=[page.slug]),
            {},
            f"Report an information security incident: School {MARKUP}",
            poster,
            "TEMPLATE",
            None,
        ),
    ]


NAMES = ["case file", "outcome report", "ICO report", "governor pack", "poster"]


def fetch(client, cast: Cast, document: Document) -> Any:
    client.force_login(cast.alice)
    return client.get(document.url, document.params)


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """Each font's family (subset prefix and style dropped), and whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":  # colour emoji: glyphs drawn in the file itself
                found[str(font["/Name"]).lstrip("/").split("-")[0]] = True
                continue
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            family = str(font["/BaseFont"]).lstrip("/").split("+")[-1].split("-")[0]
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[family] = found.get(family, True) and embedded
    return found


@pytest.mark.parametrize("name", NAMES)
def test_each_document_is_tagged_pdf_ua_with_title_language_and_the_house_fonts(client, cast: Cast, name) -> None:
    document = next(d for d in the_five(cast) if d.name == name)
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        response = fetch(client, cast, document)
        samples.append(time.perf_counter() - start)
    print(f"\n{name}: median {statistics.median(samples) * 1000:.0f} ms through the view (3 runs)")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root: Any = reader.trailer["/Root"]
    # PDF/UA-1, declared where checkers look for it: the XMP metadata.
    assert reader.xmp_metadata is not None
    assert b"<pdfuaid:part>1</pdfuaid:part>" in reader.xmp_metadata.stream.get_data()
    # Tagged: a structure tree and the Marked flag.
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    # A title, shown by viewers instead of the file name, and the language.
    assert reader.metadata is not None and reader.metadata.title == document.title
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert str(root["/Lang"]) == "en-GB"
    # The same fonts in all five, every one embedded.
    fonts = fonts_of(reader)
    assert "LibertinusSerif" in fonts and all(f in FAMILIES or f.startswith("Noto") for f in fonts), fonts
    assert all(fonts.values()), fonts


@pytest.mark.parametrize("name", NAMES)
def test_text_full_of_markup_comes_out_as_typed(client, cast: Cast, name) -> None:
    document = next(d for d in the_five(cast) if d.name == name)
    response = fetch(client, cast, document)
    reader = PdfReader(io.BytesIO(response.content))
    text = squash("\n".join(page.extract_text() for page in reader.pages))
    assert squash(f"School {MARKUP}") in text  # the organisation's name is in all five
    if name in ("case file", "ICO report"):
        assert squash(f"Described as {MARKUP}") in text
    if name == "outcome report":
        assert squash(f"Summed up as {MARKUP}") in text


def broken_copy(tmp_path: Path, template: Path) -> Path:
    """The real template under a copy of the project's typst files, ending in a typo."""
    shutil.copytree(pdf.ROOT / "lib" / "typst", tmp_path / "lib" / "typst")
    copy = tmp_path / template.relative_to(pdf.ROOT)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(template.read_text() + "\n#data.no_such_field\n")
    return copy


@pytest.mark.parametrize("name", NAMES)
def test_a_template_error_is_one_error_page_logged_and_nothing_recorded(
    client, cast: Cast, name, tmp_path: Path, monkeypatch, caplog
) -> None:
    document = next(d for d in the_five(cast) if d.name == name)
    real = getattr(document.module, document.template_attr)
    template = real / "document.typ" if real.is_dir() else real
    broken = broken_copy(tmp_path, template)
    monkeypatch.setattr(pdf, "ROOT", tmp_path)
    monkeypatch.setattr(document.module, document.template_attr, broken.parent if real.is_dir() else broken)
    events = Event.objects.count()
    with caplog.at_level(logging.ERROR, logger="lib.pdf"):
        response = fetch(client, cast, document)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Sorry, the document could not be made" in page
    assert "Something is wrong in the service&#x27;s template for this document." in page
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "lib.pdf"]
    assert logged.startswith(f'PDF {template.name} could not be made: dictionary does not contain key "no_such_field"')
    assert "#data.no_such_field" in logged  # typst's pointer to the template's line
    if document.event:
        assert not Event.objects.filter(action=document.event).exists()
    assert Event.objects.count() == events


def test_render_pdf_raises_pdf_error_with_a_plain_message_for_any_typst_failure(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(pdf, "ROOT", tmp_path)
    (tmp_path / "syntax.typ").write_text("#let\n")
    for name in ("syntax.typ", "missing.typ"):
        with pytest.raises(pdf.PdfError, match=r"^Something is wrong in the service's template for this document\.$"):
            pdf.render_pdf(tmp_path / name, {}, title="T")


@pytest.mark.asvs("V1.3.3")
@pytest.mark.parametrize("name", NAMES)
def test_every_document_draws_text_in_any_script(client, cast: Cast, name) -> None:
    """Finding 4 of "Hardening": an emoji, Chinese or Urdu in any field broke the case file, the
    ICO report and the letters. Now each of the five documents draws them, in embedded fonts."""
    document = next(d for d in the_five(cast) if d.name == name)
    cast.school_a.name = f"School {EVERY_SCRIPT}"
    cast.school_a.save()
    set_fields(Incident.objects.all(), description=f"Described as {EVERY_SCRIPT}")
    response = fetch(client, cast, document)
    assert response.status_code == 200, response.content[:500]
    reader = PdfReader(io.BytesIO(response.content))
    fonts = fonts_of(reader)
    assert all(fonts.values()), fonts
    assert any(f.startswith("NotoSansCJK") for f in fonts) and any(f.startswith("NotoColorEmoji") for f in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    for word in ("学校数据", "שלום", "\U0001f600"):
        assert word in text, word
    assert "[U+" not in text  # every character here has a font


def test_the_letter_pdf_draws_any_script(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description=f"Described as {EVERY_SCRIPT}")
    Incident.objects.filter(pk=incident.pk).update(personal_data_breach="yes", aware_on=incident.reported_on)
    cast.school_a.name = "学校 \U0001f3eb"
    cast.school_a.save()
    client.force_login(cast.alice)
    response = client.get(reverse("breaches:letter_pdf", args=[incident.uuid]))
    assert response.status_code == 200, response.content[:500]
    assert "学校" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_a_character_no_font_has_is_written_as_its_code(tmp_path: Path) -> None:
    """A private-use or unassigned character has no glyph anywhere: the document is still made,
    and the reader sees the character's code where it stood, never a blank box."""
    template = pdf.ROOT / "lib" / "typst" / "house.typ"
    source = tmp_path / "t.typ"
    source.write_text('#import "/lib/typst/house.typ": data, house\n#show: house\n#data.text\n')
    assert template.exists()
    text = "Before \ue000 middle \U0010fffd after \x07 end"
    assert pdf.showable(text) == "Before [U+E000] middle [U+10FFFD] after [U+0007] end"
    copy = pdf.ROOT / "lib" / "typst" / "_test_codes.typ"
    copy.write_text(source.read_text())
    try:
        made = pdf.render_pdf(copy, {"text": text}, title="Codes \ue001")
    finally:
        copy.unlink()
    reader = PdfReader(io.BytesIO(made))
    extracted = reader.pages[0].extract_text()
    assert "[U+E000]" in extracted and "[U+10FFFD]" in extracted
    assert reader.metadata is not None and reader.metadata.title == "Codes [U+E001]"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_at_all_makes_a_document(text: str) -> None:
    copy = pdf.ROOT / "lib" / "typst" / "_test_any.typ"
    copy.write_text('#import "/lib/typst/house.typ": data, house\n#show: house\n#data.text\n')
    try:
        made = pdf.render_pdf(copy, {"text": text}, title=text or "Empty")
    finally:
        copy.unlink()
    assert made.startswith(b"%PDF")


def test_only_lib_pdf_calls_typst() -> None:
    """No module keeps typst options of its own: a new document has to come through lib.pdf."""
    callers = {
        str(path.relative_to(pdf.ROOT))
        for path in pdf.ROOT.glob("*/**/*.py")
        if path.parts[len(pdf.ROOT.parts)] not in {".venv", "tests", "bench"}
        and ("import typst" in (code := path.read_text()) or "typst.compile" in code)
    }
    assert callers == {"lib/pdf.py"}
