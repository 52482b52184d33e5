"""Evidence through the API: the store's checks, the custody log, the web's permissions.

Every test runs against both stores: the folder and a bucket on a real S3 server.
"""

import hashlib
from typing import Any

import pytest

from audit.models import Event
from evidence.models import Evidence
from evidence.services import add_evidence

from .api_helpers import bearer, token_for
from .clamd import EICAR
from .factories import reported_incident
from .test_contract import PNG

pytestmark = pytest.mark.usefixtures("evidence_store")


def upload(
    client: Any, person: Any, incident: Any, content: bytes, name: str, scopes: list[str] | None = None, **data: str
):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields = {"description": "Screenshot of the sent email", "source": "staff"} | data
    return client.post(
        f"/api/v1/incidents/{incident.uuid}/evidence",
        {"file": SimpleUploadedFile(name, content), **fields},
        **bearer(token_for(person, scopes)),
    )


def test_a_file_is_added_with_its_digest_and_the_upload_on_the_record(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    answer = upload(client, cast.alice, incident, PNG, "../../photo.png")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["name"] == "photo.png"
    assert body["content_type"] == "image/png"
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["uploaded_by"] == cast.alice.email
    assert Event.objects.filter(action="evidence.uploaded", actor=cast.alice, record_id=str(incident.pk)).exists()
    listed = client.get(f"/api/v1/incidents/{incident.uuid}/evidence", **bearer(token_for(cast.carol))).json()
    assert [e["uuid"] for e in listed] == [body["uuid"]]
    assert Event.objects.filter(action="incident.viewed", actor=cast.carol, record_id=str(incident.pk)).exists()


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"<html><script>alert(1)</script></html>", "page.html", "This type of file cannot be added."),
        (b"", "empty.txt", "The submitted file is empty."),
    ],
)
def test_a_file_the_store_refuses_is_422_at_the_file_in_the_pages_words(client, cast, content, name, words) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    answer = upload(client, cast.alice, incident, content, name)
    assert answer.status_code == 422
    assert any(words in message for message in answer.json()["errors"]["file"])
    assert not Evidence.objects.filter(incident=incident).exists()


def test_too_big_is_refused_before_it_is_read(client, cast, settings) -> None:
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    incident = reported_incident(cast.school_a, cast.bob)
    answer = upload(client, cast.alice, incident, b"a" * (1024 * 1024 + 1), "big.txt")
    assert answer.status_code == 422
    assert answer.json()["errors"]["file"] == ["The file is too big. Files can be up to 1 MB."]


def test_a_description_is_needed_as_on_the_page(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    answer = upload(client, cast.alice, incident, PNG, "photo.png", description="")
    assert answer.status_code == 422
    assert "description" in answer.json()["errors"]


@pytest.mark.usefixtures("scanner")
def test_clamav_finds_the_eicar_file_and_it_is_not_stored(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    answer = upload(client, cast.alice, incident, EICAR, "eicar.txt")
    assert answer.status_code == 422
    assert "This file contains a virus" in answer.json()["errors"]["file"][0]
    assert not Evidence.objects.filter(incident=incident).exists()


def test_when_the_scanner_cannot_be_reached_the_upload_is_503_try_again(client, cast, settings, tmp_path) -> None:
    settings.CLAMAV_SOCKET = str(tmp_path / "no-such-clamd.sock")
    incident = reported_incident(cast.school_a, cast.bob)
    answer = upload(client, cast.alice, incident, b"Notes from the call.", "notes.txt")
    assert answer.status_code == 503
    assert "Try again in a few minutes" in answer.json()["detail"]
    assert not Evidence.objects.filter(incident=incident).exists()


def test_download_writes_the_custody_event_and_serves_an_attachment(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=cast.alice)
    answer = client.get(f"/api/v1/evidence/{evidence.uuid}/download", **bearer(token_for(cast.carol)))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == PNG
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert Event.objects.filter(action="evidence.downloaded", actor=cast.carol, target_id=str(evidence.pk)).exists()


def test_withdrawn_evidence_downloads_only_for_the_dpo_or_siro_and_withdrawing_needs_a_reason(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=cast.alice)
    alice = bearer(token_for(cast.alice))
    url = f"/api/v1/evidence/{evidence.uuid}/withdraw"
    assert client.post(url, {}, content_type="application/json", **alice).status_code == 422
    answer = client.post(url, {"reason": "The wrong photo"}, content_type="application/json", **alice)
    assert answer.status_code == 200
    assert answer.json()["withdrawn"] is True
    again = client.post(url, {"reason": "Again"}, content_type="application/json", **alice)
    assert again.status_code == 409
    assert again.json()["detail"] == "This evidence has already been withdrawn."
    download = f"/api/v1/evidence/{evidence.uuid}/download"
    assert client.get(download, **alice).status_code == 403
    assert client.get(download, **bearer(token_for(cast.carol))).status_code == 200


def test_another_organisations_evidence_is_404(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=cast.alice)
    dave = bearer(token_for(cast.dave))
    assert client.get(f"/api/v1/incidents/{incident.uuid}/evidence", **dave).status_code == 404
    assert client.get(f"/api/v1/evidence/{evidence.uuid}", **dave).status_code == 404
    assert client.get(f"/api/v1/evidence/{evidence.uuid}/download", **dave).status_code == 404
    withdraw = f"/api/v1/evidence/{evidence.uuid}/withdraw"
    assert client.post(withdraw, {"reason": "x"}, content_type="application/json", **dave).status_code == 404
    assert upload(client, cast.dave, incident, PNG, "photo.png").status_code == 404


def test_a_read_only_token_cannot_add_or_withdraw_and_a_handle_only_token_cannot_download(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    assert upload(client, cast.alice, incident, PNG, "photo.png", scopes=["read"]).status_code == 403
    evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=cast.alice)
    read_only = bearer(token_for(cast.alice, ["read"]))
    url = f"/api/v1/evidence/{evidence.uuid}/withdraw"
    assert client.post(url, {"reason": "x"}, content_type="application/json", **read_only).status_code == 403
    handle_only = bearer(token_for(cast.alice, ["handle"]))
    assert client.get(f"/api/v1/evidence/{evidence.uuid}/download", **handle_only).status_code == 403
    assert not Event.objects.filter(action="evidence.downloaded").exists()
