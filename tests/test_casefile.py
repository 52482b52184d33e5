"""The case-file PDF, parsed back: sections, digests, tags, the reporter as the reader may see them."""

import io
from datetime import date
from typing import Any

import pypdf
from django.db import transaction
from django.urls import reverse

from actions.services import create_action
from audit.models import Event
from evidence.services import add_evidence
from incidents.models import Incident, report_incident
from incidents.registry import add_section, remove_section
from organisations.models import Role

from .conftest import Cast
from .factories import MembershipFactory, UserFactory, reported_incident
from .test_contract import PNG

SECTIONS = [
    "The record",
    "The report",
    "Classification",
    "ICO and individuals",
    "Timeline",
    "Evidence",
    "Remedial actions",
]


def pdf_text(content: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


def test_case_file_has_every_section_the_digests_and_is_tagged(client, cast: Cast) -> None:
    incident = reported_incident(
        cast.school_a, cast.bob, description="A class list was sent to the wrong parent.", location="School office"
    )
    with transaction.atomic():
        evidence = add_evidence(
            incident=incident, content=PNG, original_name="sent-email.png", actor=cast.alice, description="Screenshot"
        )
    create_action(by=cast.alice, incident=incident, title="Train office staff", owner=cast.bob, due_on=date(2027, 3, 1))
    client.force_login(cast.alice)
    response = client.get(reverse("casefile:pdf", args=[incident.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="case-file-{incident.reference}.pdf"'
    reader, text = pdf_text(response.content)
    for heading in SECTIONS:
        assert heading in text, heading
    assert squash(evidence.sha256) in squash(text)
    for expected in ["sent-email.png", "Train office staff", "School office", "Evidence added", "Reported"]:
        assert expected in text, expected
    # Tagged: a structure tree and the Marked flag, with the document's language and title.
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert str(root["/Lang"]).lower().startswith("en")
    assert reader.metadata is not None and reader.metadata.title == f"Case file {incident.reference}"
    assert Event.objects.filter(action="incident.case_file_downloaded", actor=cast.alice).count() == 1


def test_report_text_is_placed_as_text_never_run_as_markup(client, cast: Cast) -> None:
    text = '#panic("boom") *not bold* $x^2$ <script>alert(1)</script> = heading'
    incident = reported_incident(cast.school_a, cast.bob, description=text)
    client.force_login(cast.alice)
    response = client.get(reverse("casefile:pdf", args=[incident.uuid]))
    assert response.status_code == 200
    assert squash(text) in squash(pdf_text(response.content)[1])


def test_a_confidential_reporter_is_named_only_to_the_dpo_and_siro(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    incident.reporter_confidential = True
    incident.save()
    client.force_login(cast.alice)
    text = pdf_text(client.get(reverse("casefile:pdf", args=[incident.uuid])).content)[1]
    assert "Confidential reporter" in text and "Bob Reporter" not in text and "bob@example.org" not in text
    client.force_login(cast.carol)
    text = pdf_text(client.get(reverse("casefile:pdf", args=[incident.uuid])).content)[1]
    assert "Bob Reporter" in text


def test_only_handlers_may_download_the_case_file(client, cast: Cast) -> None:
    investigator = UserFactory()
    MembershipFactory(user=investigator, organisation=cast.school_a, role=Role.INVESTIGATOR)
    incident = reported_incident(cast.school_a, cast.bob)
    incident.investigator = investigator
    incident.save()
    url = reverse("casefile:pdf", args=[incident.uuid])
    client.force_login(investigator)
    assert client.get(url).status_code == 403
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert url not in page
    client.force_login(cast.dave)
    assert client.get(url).status_code == 404
    client.force_login(cast.bob)
    assert client.get(url).status_code == 404
    assert not Event.objects.filter(action="incident.case_file_downloaded").exists()
    client.force_login(cast.alice)
    assert url in client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()


def test_other_apps_can_add_sections(client, cast: Cast) -> None:
    def checklist(incident, viewer):  # type: ignore[no-untyped-def]
        return [{"title": "Investigation checklist", "rows": [{"label": "Speak to staff involved", "value": "Done"}]}]

    add_section(checklist)
    try:
        incident = reported_incident(cast.school_a, cast.bob)
        client.force_login(cast.alice)
        text = pdf_text(client.get(reverse("casefile:pdf", args=[incident.uuid])).content)[1]
        assert "Investigation checklist" in text and "Speak to staff involved" in text
    finally:
        remove_section(checklist)


def test_an_anonymous_report_shows_only_the_day_in_the_case_file(client, cast: Cast) -> None:
    from datetime import datetime

    from django.utils import timezone

    reported = timezone.make_aware(datetime(2026, 11, 3, 14, 37))
    incident, _ = report_incident(
        organisation=cast.school_a,
        reported_by=None,
        submission_key=None,
        fields={"description": "Someone left the office door open overnight."},
        reported_on=reported,
    )
    Incident.objects.filter(pk=incident.pk).update(reporter_anonymous=True)
    client.force_login(cast.carol)
    _, text = pdf_text(client.get(reverse("casefile:pdf", args=[incident.uuid])).content)
    assert "3 November 2026" in text
    assert "14:37" not in text
    assert "Anonymous reporter" in text
