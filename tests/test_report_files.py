"""Files on the staff report form, and a reporter adding to their own report afterwards
(issue 13, "Reporting"): the evidence store's checks on every file, each addition an event
on the record, and the handlers told."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from audit.models import Event
from evidence import services as evidence_services
from evidence import storage as evidence_storage
from evidence.models import Evidence
from incidents.models import Incident, ReporterMessage
from notifications.models import Notification
from organisations.models import Membership, Role

from .anonymous_files import jpeg_with_gps
from .clamd import EICAR
from .conftest import Cast
from .factories import UserFactory, reported_incident
from .hostile_files import png, png_claiming
from .test_upload_checks import FullDisk

pytestmark = pytest.mark.usefixtures("scanner")


def post_report(client, files: list[SimpleUploadedFile], **data):  # type: ignore[no-untyped-def]
    form = client.get(reverse("intake:report")).context["form"]
    payload = {
        "submission_key": form["submission_key"].value(),
        "organisation": form["organisation"].value() or "",
        "description": "The Year 6 register was left on the minibus.",
        "attachments": files,
    }
    return client.post(reverse("intake:report"), payload | data)


def files_on_disk(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    folder = Path(settings.MEDIA_ROOT) / "evidence"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_report_form_offers_files(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    page = client.get(reverse("intake:report")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="attachments"' in page and "multiple" in page


def test_a_named_report_keeps_its_files_as_evidence_from_the_reporter(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    response = post_report(
        client, [SimpleUploadedFile("minibus.png", png()), SimpleUploadedFile("note.html", b"Seat 4, under the bag.")]
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    # The names are sealed (decision 0038): the database cannot sort them; Python does.
    files = sorted(Evidence.objects.filter(incident=incident), key=lambda f: f.original_name)
    assert [(f.original_name, f.content_type) for f in files] == [
        ("minibus.png", "image/png"),
        ("note.txt", "text/plain"),  # the name follows the type
    ]
    assert {(f.source, f.uploaded_by) for f in files} == {(Evidence.Source.REPORTER, cast.bob)}
    uploaded = Event.objects.filter(action="evidence.uploaded", record_id=str(incident.pk))
    assert uploaded.count() == 2 and {e.actor_id for e in uploaded} == {cast.bob.pk}
    # The handler sees them on the incident.
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "minibus.png" in page and "note.txt" in page


@pytest.mark.asvs("V5.4.3")
@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("eicar.txt", lambda: EICAR, "This file contains a virus"),
        ("IMG_2041.png", lambda: png_claiming(7000, 7000), "This photo is too large (49 megapixels)"),
    ],
)
def test_a_refused_file_stores_nothing_and_keeps_what_was_typed(
    client, cast: Cast, settings, name, make, message
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.bob)
    response = post_report(client, [SimpleUploadedFile("fine.png", png()), SimpleUploadedFile(name, make())])
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "The Year 6 register was left on the minibus." in page
    assert not Incident.objects.exists() and not Evidence.objects.exists() and files_on_disk(settings) == []


def test_a_full_store_answers_503_and_the_report_form_keeps_what_was_typed(
    client, cast: Cast, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.bob)
    storage = FullDisk()
    monkeypatch.setattr(evidence_storage, "open", storage, raising=False)
    response = post_report(client, [SimpleUploadedFile("minibus.png", png())], location="The school minibus")
    assert response.status_code == 503
    page = response.content.decode()
    assert "no room left to store it. Try again in a few minutes." in page
    assert "The Year 6 register was left on the minibus." in page and "The school minibus" in page
    assert not Incident.objects.exists() and files_on_disk(settings) == []
    # Sent again once there is room: the same form (same submission key) goes through.
    monkeypatch.undo()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    again = client.post(
        reverse("intake:report"),
        {
            "submission_key": key,
            "organisation": cast.school_a.pk,
            "description": "The Year 6 register was left on the minibus.",
            "attachments": [SimpleUploadedFile("minibus.png", png())],
        },
    )
    assert again.status_code == 302 and Evidence.objects.count() == 1


def test_a_confidential_reports_files_carry_no_name(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    post_report(client, [SimpleUploadedFile("minibus.png", png())], identity="confidential")
    evidence = Evidence.objects.get()
    assert evidence.uploaded_by is None and evidence.source == Evidence.Source.REPORTER
    assert Event.objects.get(action="evidence.uploaded").actor_id is None


def test_an_anonymous_report_from_the_staff_form_loses_its_files_metadata(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    response = post_report(client, [SimpleUploadedFile("IMG_0042.jpg", jpeg_with_gps())], identity="anonymous")
    assert 'id="receipt"' in response.content.decode()
    evidence = Evidence.objects.get()
    assert evidence.uploaded_by is None and evidence.source == Evidence.Source.ANONYMOUS_REPORTER
    stored = evidence_services.read_evidence(evidence)
    assert len(Image.open(io.BytesIO(stored)).getexif()) == 0 and b"CanaryCam" not in stored


# ── Adding to one's own report ───────────────────────────────────────────────────────────


def add(client, incident, text: str = "", files: list[SimpleUploadedFile] | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("intake:add_to_my_report", args=[incident.uuid]), {"text": text, "attachments": files or []}
    )


def test_a_named_reporter_adds_information_and_files_and_the_handlers_are_told(client, cast: Cast) -> None:
    investigator = UserFactory(email="ivy@example.org", full_name="Ivy Investigator")
    Membership.objects.create(user=investigator, organisation=cast.school_a, role=Role.INVESTIGATOR)
    incident = reported_incident(cast.school_a, cast.bob)
    Incident.objects.filter(pk=incident.pk).update(investigator=investigator)
    Notification.objects.all().delete()
    client.force_login(cast.bob)
    page = client.get(reverse("intake:my_report", args=[incident.uuid])).content.decode()
    assert "Add to your report" in page
    response = add(client, incident, "The driver found a second list.", [SimpleUploadedFile("second list.png", png())])
    assert response.status_code == 302
    message = ReporterMessage.objects.get(incident=incident)
    assert message.direction == ReporterMessage.Direction.FROM_REPORTER
    assert message.body == "The driver found a second list."
    evidence = Evidence.objects.get(incident=incident)
    assert (evidence.source, evidence.uploaded_by) == (Evidence.Source.REPORTER, cast.bob)
    events = Event.objects.filter(
        record_id=str(incident.pk), action__in=["reporter_message.received", "evidence.uploaded"]
    )
    assert sorted(e.action for e in events) == ["evidence.uploaded", "reporter_message.received"]
    assert {e.actor_id for e in events} == {cast.bob.pk}
    told = set(Notification.objects.filter(kind="reporter_added").values_list("user__email", flat=True))
    # The incident manager, the DPO over the school, and the investigator; never the reporter.
    assert told == {"alice@example.org", "carol@example.org", "ivy@example.org"}
    # The reporter sees what they sent; the handler sees it on the incident.
    page = client.get(reverse("intake:my_report", args=[incident.uuid])).content.decode()
    assert "The driver found a second list." in page and "second list.png" in page
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "The driver found a second list." in page and "second list.png" in page


def test_a_confidential_reporters_additions_carry_no_name(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    Incident.objects.filter(pk=incident.pk).update(reporter_confidential=True)
    client.force_login(cast.bob)
    assert add(client, incident, "More detail.", [SimpleUploadedFile("photo.png", png())]).status_code == 302
    assert Evidence.objects.get().uploaded_by is None
    events = Event.objects.filter(
        record_id=str(incident.pk), action__in=["reporter_message.received", "evidence.uploaded"]
    )
    assert events.count() == 2 and {e.actor_id for e in events} == {None}


def test_nobody_else_can_add_to_a_report(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    for person in (cast.alice, cast.carol, cast.dave):
        client.force_login(person)
        assert add(client, incident, "Not mine to add.").status_code == 404
    assert not ReporterMessage.objects.exists()


def test_adding_nothing_says_what_to_do(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.bob)
    response = add(client, incident)
    assert response.status_code == 200
    assert "Write what you want to add, or choose a file." in response.content.decode()
    assert not ReporterMessage.objects.exists()


def test_a_harmful_file_added_later_is_refused_and_the_text_kept(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.bob)
    response = add(client, incident, "Here is the attachment.", [SimpleUploadedFile("invoice.txt", EICAR)])
    assert response.status_code == 200
    page = response.content.decode()
    assert "This file contains a virus" in page and "Here is the attachment." in page
    assert not ReporterMessage.objects.exists() and files_on_disk(settings) == []


def test_files_go_through_with_the_csrf_check_on(cast: Cast) -> None:
    # The CSRF check reads the body before the view: the view must not touch how it is read.
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.bob)
    page = client.get(reverse("intake:report"))
    response = client.post(
        reverse("intake:report"),
        {
            "csrfmiddlewaretoken": str(page.context["csrf_token"]),
            "submission_key": page.context["form"]["submission_key"].value(),
            "organisation": cast.school_a.pk,
            "description": "The Year 6 register was left on the minibus.",
            "attachments": [SimpleUploadedFile("minibus.png", png())],
        },
    )
    assert response.status_code == 302 and Evidence.objects.count() == 1
    incident = Incident.objects.get()
    added = client.post(
        reverse("intake:add_to_my_report", args=[incident.uuid]),
        {"csrfmiddlewaretoken": str(page.context["csrf_token"]), "text": "One more thing."},
    )
    assert added.status_code == 302


def test_a_body_larger_than_the_files_allowed_is_refused_with_413(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REPORT_ATTACHMENT_MAX_BYTES = 1  # the body may then be at most 2 MB and 5 bytes
    client.force_login(cast.bob)
    response = post_report(client, [SimpleUploadedFile("scan.txt", b"a" * (3 * 1024 * 1024))])
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()
    assert not Incident.objects.exists()
