"""Evidence: upload refusals, downloads that match their digest, the custody log, withdrawal.

Every test runs against both stores: the folder and a bucket on a real S3 server.
"""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.services import create_action
from audit.models import Event
from evidence import storage
from evidence.models import Evidence
from evidence.services import add_evidence, name_for_type, read_evidence
from organisations.models import Role

from .conftest import Cast
from .factories import MembershipFactory, UserFactory, reported_incident
from .object_store import stored_names
from .test_contract import PNG

pytestmark = pytest.mark.usefixtures("evidence_store")

SVG_WITH_SCRIPT = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>document.location='https://example.org/'</script></body></html>"


def upload(client, incident, content: bytes, name: str, description: str = "Screenshot of the sent email"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("evidence:upload", args=[incident.uuid]),
        {"file": SimpleUploadedFile(name, content), "source": "staff", "description": description},
    )


def test_handler_uploads_and_the_download_matches_the_recorded_digest(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = upload(client, incident, PNG, "photo of the screen.png")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type) == ("photo of the screen.png", "image/png")
    assert evidence.description == "Screenshot of the sent email"
    assert evidence.uploaded_by == cast.alice
    download = client.get(reverse("evidence:download", args=[evidence.uuid]))
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "image/png"
    assert "sandbox" in download["Content-Security-Policy"]


def test_oversized_upload_is_refused_and_nothing_is_stored(client, cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_BYTES = 100
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = upload(client, incident, PNG + b"\x00" * 200, "big.png")
    assert response.status_code == 200
    assert "too big" in response.content.decode()
    assert not Evidence.objects.exists() and stored_names() == []
    assert not Event.objects.filter(action="evidence.uploaded").exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "minutes.pdf"),  # a web page renamed to look like a PDF
        (HTML, "notes.txt"),
        (SVG_WITH_SCRIPT, "logo.png"),  # an SVG with a script, renamed
        (SVG_WITH_SCRIPT, "logo.svg"),
        (b"  \n<svg onload='alert(1)'/>", "image.jpg"),  # leading blank lines do not hide it
        (b"MZ\x90\x00" + b"\x00" * 60, "invoice.pdf"),  # a Windows program
    ],
)
def test_markup_and_programs_are_refused_whatever_their_name(client, cast: Cast, content, name) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = upload(client, incident, content, name)
    assert response.status_code == 200
    assert "cannot be added" in response.content.decode()
    assert not Evidence.objects.exists() and stored_names() == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system32\\photo.png", "photo.png"),
        ("/absolute/path/photo.png", "photo.png"),
        ("..", "file.png"),  # the extension follows the type found in the content
        ('evil".png\r\nX-Injected: 1', "evil.png"),
        ("invoice\u202egnp.exe", "invoicegnp.png"),  # right-to-left override removed, and no ".exe"
    ],
)
def test_path_traversal_and_header_tricks_in_names_are_neutralised(client, cast: Cast, name, shown) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name=name, actor=cast.alice)
    assert evidence.original_name == shown
    # The file is under a generated name in the evidence folder, nowhere else.
    assert stored_names() == [evidence.stored_name]
    assert evidence.stored_name.endswith(".bin") and shown not in evidence.stored_name
    client.force_login(cast.alice)
    disposition = client.get(reverse("evidence:download", args=[evidence.uuid]))["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition and "/" not in disposition
    assert name_for_type(name, "image/png") == shown


def test_a_tampered_stored_name_is_never_opened(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name="a.png", actor=cast.alice)
    Evidence.objects.filter(pk=evidence.pk).update(stored_name="../../settings.py")
    evidence.refresh_from_db()
    with pytest.raises(ValueError, match="not a generated evidence name"):
        read_evidence(evidence)


@pytest.mark.asvs("V5.2.2")
def test_plain_text_is_served_as_text_attachment_never_html(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    upload(client, incident, b"Parent confirmed by phone that the email was deleted.", "note.html")
    evidence = Evidence.objects.get()
    # The name follows the type found in the content: a ".html" name on plain text would
    # open in a browser once saved to disk (issue 12, finding 8).
    assert evidence.original_name == "note.txt"
    response = client.get(reverse("evidence:download", args=[evidence.uuid]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="note.txt"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")


def test_the_assigned_investigator_may_add_evidence_and_other_schools_may_not(client, cast: Cast) -> None:
    investigator = UserFactory()
    MembershipFactory(user=investigator, organisation=cast.school_a, role=Role.INVESTIGATOR)
    incident = reported_incident(cast.school_a, cast.bob)
    incident.investigator = investigator
    incident.save()
    client.force_login(investigator)
    assert upload(client, incident, PNG, "a.png").status_code == 302
    evidence = Evidence.objects.get()
    client.force_login(cast.dave)
    assert client.get(reverse("evidence:upload", args=[incident.uuid])).status_code == 404
    assert upload(client, incident, PNG, "b.png").status_code == 404
    assert client.get(reverse("evidence:download", args=[evidence.uuid])).status_code == 404
    client.force_login(cast.bob)  # the reporter follows the report elsewhere, not here
    assert client.get(reverse("evidence:download", args=[evidence.uuid])).status_code == 404
    assert Evidence.objects.count() == 1


def test_every_upload_download_and_withdrawal_is_in_the_custody_log(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    upload(client, incident, PNG, "photo.png")
    evidence = Evidence.objects.get()
    client.get(reverse("evidence:download", args=[evidence.uuid]))
    client.force_login(cast.carol)
    client.get(reverse("evidence:download", args=[evidence.uuid]))
    client.force_login(cast.alice)
    client.post(reverse("evidence:withdraw", args=[evidence.uuid]), {"reason": "Wrong photo: another class."})
    events = Event.objects.filter(target_type="evidence.evidence", target_id=str(evidence.pk)).order_by("sequence")
    assert [(e.action, e.actor) for e in events] == [
        ("evidence.uploaded", cast.alice),
        ("evidence.downloaded", cast.alice),
        ("evidence.downloaded", cast.carol),
        ("evidence.withdrawn", cast.alice),
    ]
    assert all((e.after or {})["sha256"] == evidence.sha256 for e in events)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Custody log" in page and "(4 events)" in page
    assert page.count("Evidence downloaded by") == 2 and "Evidence withdrawn by Alice Handler" in page
    assert "Wrong photo: another class." in page and evidence.sha256 in page


def test_withdrawn_evidence_is_kept_and_only_the_dpo_or_siro_may_download_it(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name="a.png", actor=cast.alice)
    client.force_login(cast.alice)
    response = client.post(reverse("evidence:withdraw", args=[evidence.uuid]), {"reason": ""})
    assert response.status_code == 200 and not Evidence.objects.get().is_withdrawn  # a reason is needed
    client.post(reverse("evidence:withdraw", args=[evidence.uuid]), {"reason": "Uploaded to the wrong incident"})
    evidence.refresh_from_db()
    assert evidence.is_withdrawn and evidence.withdrawn_by == cast.alice
    assert storage.exists(evidence.stored_name)  # the file is kept
    assert client.get(reverse("evidence:download", args=[evidence.uuid])).status_code == 403
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Withdrawn" in page and reverse("evidence:download", args=[evidence.uuid]) not in page
    # A second withdrawal is refused in plain words and writes nothing.
    again = client.post(reverse("evidence:withdraw", args=[evidence.uuid]), {"reason": "Again"})
    assert "already been withdrawn" in again.content.decode()
    assert Event.objects.filter(action="evidence.withdrawn").count() == 1
    client.force_login(cast.carol)
    response = client.get(reverse("evidence:download", args=[evidence.uuid]))
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == evidence.sha256


def test_the_uploader_may_withdraw_their_own_but_not_others(client, cast: Cast) -> None:
    investigator = UserFactory()
    MembershipFactory(user=investigator, organisation=cast.school_a, role=Role.INVESTIGATOR)
    incident = reported_incident(
        cast.school_a,
        cast.bob,
    )
    incident.investigator = investigator
    incident.save()
    with transaction.atomic():
        theirs = add_evidence(incident=incident, content=PNG, original_name="a.png", actor=investigator)
        alices = add_evidence(incident=incident, content=PNG, original_name="b.png", actor=cast.alice)
    client.force_login(investigator)
    assert client.get(reverse("evidence:withdraw", args=[alices.uuid])).status_code == 403
    response = client.post(reverse("evidence:withdraw", args=[theirs.uuid]), {"reason": "Duplicate"})
    assert response.status_code == 302
    assert Evidence.objects.get(pk=theirs.pk).is_withdrawn and not Evidence.objects.get(pk=alices.pk).is_withdrawn


def test_incident_page_queries_do_not_grow_with_evidence_and_actions(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    url = reverse("incidents:detail", args=[incident.uuid])
    client.force_login(cast.alice)

    def add_one(n: int) -> None:
        with transaction.atomic():
            add_evidence(incident=incident, content=PNG, original_name=f"{n}.png", actor=cast.alice)
        create_action(by=cast.alice, incident=incident, title=f"Action {n}", owner=cast.bob, due_on=None)

    add_one(0)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 6):
        add_one(n)
    client.get(reverse("evidence:download", args=[Evidence.objects.first().uuid]))  # type: ignore[union-attr]
    with CaptureQueriesContext(connection) as six:
        page = client.get(url)
    assert page.content.decode().count('data-testid="evidence-item"') == 6
    assert len(six) == len(one)
