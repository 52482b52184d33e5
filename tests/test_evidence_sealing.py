"""Evidence files sealed at rest under their incident's key (decision 0038, point 2).

Every test runs against both stores: the folder and a bucket on a real S3 server. What is
stored is read back through the store's own listing and reads, never through the app.
"""

import hashlib
import importlib
import io
import tracemalloc
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from audit import sealing, sealing_files
from audit.models import Event
from evidence import storage
from evidence.integrity import check_files
from evidence.models import Evidence
from evidence.services import add_evidence, read_evidence
from incidents.models import Incident

from .conftest import Cast
from .factories import reported_incident

pytestmark = pytest.mark.usefixtures("evidence_store")

CANARY = b"CANARY-7f3a9e-the-pupil-is-Jemima-Puddleduck"
NAME_CANARY = "jemima-puddleduck-medical-note"
CHUNK = sealing_files.CHUNK
TAG = sealing_files.TAG


def text_of(size: int) -> bytes:
    """Plain text of exactly `size` bytes, the canary inside, no two chunks alike."""
    line = b"Line %08d of the call notes. " + CANARY + b"\n"
    out = b"".join(line % n for n in range(size // len(line % 0) + 1))
    return out[:size]


def upload(client: Any, incident: Incident, content: bytes, name: str = "notes.txt") -> Evidence:
    response = client.post(
        reverse("evidence:upload", args=[incident.uuid]),
        {"file": SimpleUploadedFile(name, content), "source": "staff", "description": "Call notes"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Evidence.objects.latest("pk")


def stored_bytes(evidence: Evidence) -> bytes:
    with storage.open_file(evidence.stored_name) as handle:
        return bytes(handle.read())


def replace_stored(evidence: Evidence, content: bytes) -> None:
    storage.remove(evidence.stored_name)
    assert storage.store().save(storage.key(evidence.stored_name), ContentFile(content)) == storage.key(
        evidence.stored_name
    )


def database_text() -> str:
    """Every row of every table, as text (what a copy of the database would show)."""
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            found.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(found)


def download(client: Any, evidence: Evidence) -> bytes:
    response = client.get(reverse("evidence:download", args=[evidence.uuid]))
    assert response.status_code == 200
    assert response["Content-Length"] == str(evidence.size)
    return b"".join(response.streaming_content)


def test_a_canary_in_a_file_and_its_name_is_in_neither_the_store_nor_the_database(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    evidence = upload(client, incident, text_of(3000), f"{NAME_CANARY}.txt")
    stored = stored_bytes(evidence)
    assert stored.startswith(sealing_files.MAGIC)
    assert CANARY not in stored and NAME_CANARY.encode() not in stored
    everything = database_text()
    assert CANARY.decode() not in everything and NAME_CANARY not in everything
    # The page and the download see the clear name and bytes; the digest is the clear file's.
    assert evidence.original_name == f"{NAME_CANARY}.txt"
    assert NAME_CANARY in client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert download(client, evidence) == text_of(3000)
    assert evidence.sha256 == hashlib.sha256(text_of(3000)).hexdigest()


@pytest.mark.parametrize("size", [1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 1024 * 1024 + 12345])
def test_the_download_gives_back_the_exact_clear_bytes(client, cast: Cast, size: int) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    content = text_of(size)
    evidence = upload(client, incident, content)
    chunks = max(1, -(-size // CHUNK))
    stored = stored_bytes(evidence)
    header = len(sealing_files.MAGIC) + 1 + len(str(incident.uuid)) + sealing_files.PREFIX_BYTES
    assert len(stored) == header + size + chunks * TAG
    assert download(client, evidence) == content
    assert check_files().breaks == []


def sealed_chunks(evidence: Evidence, incident: Incident) -> tuple[bytes, list[bytes]]:
    stored = stored_bytes(evidence)
    header = len(sealing_files.MAGIC) + 1 + len(str(incident.uuid)) + sealing_files.PREFIX_BYTES
    body = stored[header:]
    return stored[:header], [body[i : i + CHUNK + TAG] for i in range(0, len(body), CHUNK + TAG)]


def flip(stored: bytes, at: int) -> bytes:
    return stored[:at] + bytes([stored[at] ^ 1]) + stored[at + 1 :]


TAMPERING = {
    "a flipped byte in the first chunk": lambda head, chunks: flip(head + b"".join(chunks), len(head) + 10),
    "a flipped byte in the last chunk": lambda head, chunks: flip(
        head + b"".join(chunks), len(head) + 2 * (CHUNK + TAG) + 5
    ),
    "the last chunk cut off whole": lambda head, chunks: head + b"".join(chunks[:-1]),
    "the last chunk cut short": lambda head, chunks: head + b"".join(chunks)[:-7],
    "two chunks swapped": lambda head, chunks: head + chunks[1] + chunks[0] + b"".join(chunks[2:]),
    "a chunk repeated": lambda head, chunks: head + chunks[0] + b"".join(chunks),
    "bytes added after the end": lambda head, chunks: head + b"".join(chunks) + b"more",
    "every chunk gone": lambda head, chunks: head,
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_a_changed_sealed_file_is_refused(client, cast: Cast, how: str) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    evidence = upload(client, incident, text_of(2 * CHUNK + 500))  # three chunks, the last short
    head, chunks = sealed_chunks(evidence, incident)
    assert len(chunks) == 3
    replace_stored(evidence, TAMPERING[how](head, chunks))
    sealing.clear_cache()
    with pytest.raises(sealing.SealingError):
        read_evidence(evidence)
    with pytest.raises(sealing.SealingError):
        b"".join(client.get(reverse("evidence:download", args=[evidence.uuid])).streaming_content)
    [found] = check_files().breaks
    assert "does not open" in found.problem


def test_a_sealed_file_moved_to_another_evidence_row_does_not_open(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    first = upload(client, incident, text_of(500), "first.txt")
    second = upload(client, incident, text_of(500), "second.txt")
    replace_stored(second, stored_bytes(first))  # same key, same bytes: only the binding differs
    with pytest.raises(sealing.SealingError):
        read_evidence(second)
    assert read_evidence(first) == text_of(500)


def test_sealing_and_opening_hold_a_few_pieces_whatever_the_size(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    small, large = text_of(256 * 1024), text_of(6 * 1024 * 1024)
    peaks = []
    for content in (small, large):
        evidence = upload(client, incident, content)
        response = client.get(reverse("evidence:download", args=[evidence.uuid]))
        tracemalloc.start()
        try:
            size = sum(len(piece) for piece in response.streaming_content)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert size == len(content)
    # Streaming 6 MiB holds no more than streaming 256 KiB does (a few 64 KiB pieces).
    assert peaks[1] < 1024 * 1024 and peaks[1] < peaks[0] + 512 * 1024


def test_sealing_as_written_holds_a_few_pieces_whatever_the_size(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)

    class Endless(io.RawIOBase):
        """8 MiB of clear bytes made as they are read: nothing holds the whole file."""

        def __init__(self) -> None:
            self.left = 8 * 1024 * 1024

        def readable(self) -> bool:
            return True

        def readinto(self, target: Any) -> int:
            size = min(len(target), self.left)
            target[:size] = b"x" * size
            self.left -= size
            return size

    sealing.data_key(incident)  # the key unwrapped before measuring
    reader = sealing_files.sealed_reader(Endless(), incident, "probe")
    tracemalloc.start()
    try:
        total = 0
        while piece := reader.read(CHUNK):
            total += len(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total > 8 * 1024 * 1024 and peak < 1024 * 1024


def destroy_key(incident: Incident) -> None:
    """What a disposal does to the incident's key (decision 0038, point 5)."""
    Incident.objects.filter(pk=incident.pk).update(content_key=sealing.DESTROYED)
    sealing.forget(incident.uuid)


def test_a_file_whose_incident_key_was_destroyed_is_gone(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    evidence = upload(client, incident, text_of(500))
    destroy_key(incident)
    response = client.get(reverse("evidence:download", args=[evidence.uuid]))
    assert response.status_code == 410
    page = response.content.decode()
    assert "can no longer be opened" in page and "disposed of" in page and evidence.sha256 in page
    assert not Event.objects.filter(action="evidence.downloaded").exists()
    with pytest.raises(sealing_files.KeyDestroyed):
        read_evidence(evidence)
    result = check_files()
    assert result.breaks == [] and any("key was destroyed" in note for note in result.notes)


def test_the_api_answers_gone_for_a_file_whose_key_was_destroyed(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    from .api_helpers import bearer, token_for

    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=text_of(500), original_name="a.txt", actor=cast.alice)
    destroy_key(incident)
    response = client.get(f"/api/v1/evidence/{evidence.uuid}/download", **bearer(token_for(cast.alice)))
    assert response.status_code == 410 and "disposed of" in response.json()["detail"]


def test_files_stored_in_clear_still_open_and_seal_evidence_seals_them(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    content = text_of(CHUNK * 2 + 10)
    evidence = upload(client, incident, content)
    replace_stored(evidence, content)  # as it was stored before sealing
    assert download(client, evidence) == content
    result = check_files()
    assert result.breaks == [] and any("stored in clear" in note for note in result.notes)
    old_name = evidence.stored_name

    out = io.StringIO()
    call_command("seal_evidence", stdout=out)
    assert "Sealed 1 evidence file(s); 0 were sealed already." in out.getvalue()
    evidence.refresh_from_db()
    assert evidence.stored_name != old_name and not storage.exists(old_name)
    assert stored_bytes(evidence).startswith(sealing_files.MAGIC) and CANARY not in stored_bytes(evidence)
    assert download(client, evidence) == content
    result = check_files()
    assert result.breaks == [] and result.notes == []

    call_command("seal_evidence", stdout=(again := io.StringIO()))
    assert "Sealed 0 evidence file(s); 1 were sealed already." in again.getvalue()


def test_seal_evidence_leaves_a_clear_file_that_no_longer_matches_its_digest(client, cast: Cast) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    evidence = upload(client, incident, text_of(700))
    replace_stored(evidence, b"Something else entirely")
    with pytest.raises(CommandError, match="does not match its recorded digest"):
        call_command("seal_evidence", stdout=io.StringIO())
    evidence.refresh_from_db()
    assert stored_bytes(evidence) == b"Something else entirely"  # left for verify_events to show
    from .object_store import stored_names

    assert stored_names() == [evidence.stored_name]  # the sealed copy was removed


def test_the_migration_seals_the_names_stored_in_clear(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=text_of(100), original_name="x.txt", actor=cast.alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evidence_evidence SET original_name = %s WHERE id = %s", [f"{NAME_CANARY}.txt", evidence.pk]
        )
    assert NAME_CANARY in database_text()
    assert Evidence.objects.get().original_name == f"{NAME_CANARY}.txt"  # clear text still reads
    migration = importlib.import_module("evidence.migrations.0002_sealed_names")
    with sealing.as_stored():
        migration.forwards(apps, None)
    assert NAME_CANARY not in database_text()
    assert Evidence.objects.get().original_name == f"{NAME_CANARY}.txt"
