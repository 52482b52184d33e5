"""Letters people can send ("Daily work", documents): their sentences follow the assessment's
facts and the organisation that sends them, they carry the organisation's letterhead and a named
signatory, and the Word files say who made them and when."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from PIL import Image
from pypdf import PdfReader

from audit.models import Event
from breaches import documents
from breaches.engine import Facts
from breaches.models import Assessment
from incidents.models import Incident
from organisations.models import Letterhead, Organisation, letterhead_of

from .conftest import Cast
from .factories import OrganisationFactory, reported_incident

STILL_GOING = "We are still working to stop the information going any further"
STOPPED = "We have stopped the information going any further."
GOT_BACK = "We have got the information back, or have been told it has been deleted."
FINDING_OUT = "We are finding out what happened and what we need to do to put it right."
OLD_CLAIM = "We acted as soon as we knew"


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def png(width: int = 400, height: int = 120) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 94, 165)).save(out, format="PNG")
    return out.getvalue()


def breach_at(organisation: Organisation, reporter, facts: dict | None, by) -> Incident:
    incident = reported_incident(organisation, reporter, description="A class list was emailed to a parent.")
    incident.personal_data_breach = "yes"
    incident.aware_on = incident.reported_on
    incident.save()
    if facts is not None:
        Assessment.record_assessment(incident=incident, facts=Facts.from_dict(facts), by=by)
    return incident


CONTAINMENT = {
    "not contained": ({"data_categories": ["contact_details"], "contained": False}, STILL_GOING),
    "contained": ({"data_categories": ["contact_details"], "contained": True}, STOPPED),
    "recovered": ({"data_categories": ["contact_details"], "recovered_or_deleted": True}, GOT_BACK),
    "not assessed": (None, FINDING_OUT),
}
KINDS: list[Organisation.Kind] = [
    Organisation.Kind.SCHOOL,
    Organisation.Kind.TRUST,
    Organisation.Kind.COUNCIL,
    Organisation.Kind.DEPARTMENT,
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("state", list(CONTAINMENT))
def test_the_letter_says_what_the_facts_say_for_every_kind_of_organisation(
    cast: Cast, state: str, kind: Organisation.Kind
) -> None:
    facts, sentence = CONTAINMENT[state]
    sender = OrganisationFactory(name=f"Fernhill {kind.label}", kind=kind, parent=cast.county)
    incident = breach_at(sender, cast.bob, facts, cast.carol)
    data = documents.letter(incident, "parents")
    text = pdf_text(documents.render_pdf(data))
    assert sentence in text
    assert OLD_CLAIM not in text
    for other in {STILL_GOING, STOPPED, GOT_BACK, FINDING_OUT} - {sentence}:
        assert other not in text
    # The organisation that sends it, never "the school" for a council.
    assert "the school" not in text.lower() or kind == Organisation.Kind.SCHOOL
    if facts is not None:
        assert f"that mention Fernhill {kind.label}" in text
    assert (
        text.rstrip().endswith(f"Yours sincerely, Fernhill {kind.label}")
        or f"Yours sincerely, Fernhill {kind.label}" in text
    )
    assert docx_text(documents.render_docx(data)).count(sentence) == 1


def test_typed_measures_follow_the_sentence_of_the_facts(cast: Cast) -> None:
    incident = breach_at(cast.school_a, cast.bob, {"contained": False}, cast.alice)
    incident.action_taken = "We asked the parent to delete the email."
    incident.save()
    text = docx_text(documents.render_docx(documents.letter(incident)))
    assert text.index(STILL_GOING) < text.index("We asked the parent to delete the email.")


def test_the_letterhead_heads_and_signs_letters_and_a_school_without_one_uses_its_trusts(cast: Cast) -> None:
    Letterhead.objects.create(
        organisation=cast.county,
        logo_png=png(),
        address="County Hall\nMarket Street\nTestshire TS1 1AA",
        signatory_name="Priya Okafor",
        signatory_title="Data Protection Officer",
    )
    assert letterhead_of(cast.school_a) is not None and letterhead_of(cast.school_a).organisation == cast.county
    incident = breach_at(cast.school_a, cast.bob, {"contained": True}, cast.alice)
    data = documents.letter(incident, "staff")
    text = pdf_text(documents.render_pdf(data))
    assert "County Hall Market Street Testshire TS1 1AA" in text
    assert "Yours sincerely, Priya Okafor Data Protection Officer School A" in text
    reader = PdfReader(io.BytesIO(documents.render_pdf(data)))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1  # the logo, with alt text (PDF/UA-1 refuses an image without)
    word = Document(io.BytesIO(documents.render_docx(data)))
    assert len(word.inline_shapes) == 1
    # The school's own letterhead wins over the county's.
    Letterhead.objects.create(organisation=cast.school_a, signatory_name="Sam Ellis", signatory_title="Headteacher")
    text = pdf_text(documents.render_pdf(documents.letter(incident, "staff")))
    assert "Sam Ellis Headteacher" in text and "Priya Okafor" not in text
    # The public notice is not signed by a person.
    assert "Yours sincerely" not in pdf_text(documents.render_pdf(documents.letter(incident, "public")))


def test_word_files_say_the_organisation_and_today_never_python_docx(cast: Cast) -> None:
    incident = breach_at(cast.school_a, cast.bob, {"contained": True}, cast.alice)
    for data in (documents.letter(incident), documents.ico_report(incident)):
        properties = Document(io.BytesIO(documents.render_docx(data))).core_properties
        assert properties.author == "School A" and properties.last_modified_by == "School A"
        assert properties.created is not None and abs(properties.created - timezone.now()) < timedelta(minutes=5)
        assert properties.modified == properties.created
        assert properties.comments == "" and "python-docx" not in (properties.comments + properties.subject)
        assert properties.title == data.title


def test_an_admin_sets_the_letterhead_and_a_logo_is_redrawn(client, people) -> None:
    school = people.cast.school_a
    client.force_login(people.admin)
    url = reverse("organisations:letterhead", args=[school.uuid])
    assert "Change the letterhead" in client.get(reverse("organisations:detail", args=[school.uuid])).content.decode()
    upload = io.BytesIO(png() + b"<script>alert(1)</script>")
    upload.name = "logo.png"
    response = client.post(
        url,
        {"address": "1 Lane\nTown", "signatory_name": "Sam Ellis", "signatory_title": "Headteacher", "logo": upload},
    )
    assert response.status_code == 302
    saved = Letterhead.objects.get(organisation=school)
    assert saved.address_lines == ["1 Lane", "Town"] and saved.signatory_name == "Sam Ellis"
    assert bytes(saved.logo_png).startswith(b"\x89PNG") and b"<script>" not in bytes(saved.logo_png)
    assert Event.objects.filter(action="organisation.letterhead_changed").exists()
    logo = client.get(reverse("organisations:letterhead_logo", args=[school.uuid]))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png" and logo["Cache-Control"] == "no-store"
    # Not an image: a clear error, nothing saved.
    bad = io.BytesIO(b"%PDF-1.4 not a logo")
    bad.name = "logo.png"
    response = client.post(url, {"address": "", "logo": bad})
    assert response.status_code == 200
    assert "The logo must be a PNG, JPEG, GIF or WebP image." in response.content.decode()
    assert bytes(Letterhead.objects.get(organisation=school).logo_png) == bytes(saved.logo_png)


@pytest.mark.parametrize("who", ["alice (incident manager)", "bob (reporter)", "dave (manager elsewhere)"])
def test_only_the_organisations_admins_change_its_letterhead(client, people, who: str) -> None:
    client.force_login(people.everyone()[who])
    url = reverse("organisations:letterhead", args=[people.cast.school_a.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"signatory_name": "Mallory"}).status_code == 404
    assert not Letterhead.objects.exists()
