"""Where evidence is kept: the folder by default, an S3-compatible bucket when configured
(docs/decisions/0037-evidence-in-object-storage.md), and the database pool beside it.

The store's own behaviour is in tests/test_evidence.py and tests/test_api_evidence.py, which
run against both stores; here: what only one store has, and the settings that choose them.
"""

import runpy
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.response import StreamingBody
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.utils import ConnectionHandler
from django.urls import reverse
from django.utils.module_loading import import_string

from evidence import storage
from evidence.models import Evidence

from .conftest import Cast
from .factories import reported_incident
from .object_store import KEYS, REGION, s3_client

SETTINGS = Path(__file__).resolve().parents[1] / "incidentdesk" / "settings.py"
# Plain text of 200 KiB: several of the download's 64 KiB pieces.
NOTES = b"Parent confirmed by phone that the email was deleted.\n" * 3800


def upload_notes(client: Any, cast: Cast) -> Evidence:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("evidence:upload", args=[incident.uuid]),
        {"file": SimpleUploadedFile("notes.txt", NOTES), "source": "staff", "description": "Call notes"},
    )
    assert response.status_code == 302
    return Evidence.objects.get()


@pytest.mark.parametrize("evidence_store", ["s3"], indirect=True)
def test_evidence_in_the_bucket_is_a_private_object_under_its_generated_name(  # type: ignore[no-untyped-def]
    client, cast: Cast, settings, evidence_store
) -> None:
    evidence = upload_notes(client, cast)
    options = settings.STORAGES["evidence"]["OPTIONS"]
    bucket, endpoint = options["bucket_name"], options["endpoint_url"]
    s3 = s3_client(endpoint)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [f"evidence/{evidence.stored_name}"]
    grants = s3.get_object_acl(Bucket=bucket, Key=f"evidence/{evidence.stored_name}")["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]  # the owner only: no AllUsers, no AuthenticatedUsers
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(f"{endpoint}/{bucket}/evidence/{evidence.stored_name}")  # noqa: S310
    assert unsigned.value.code == 403


def test_a_download_streams_from_the_store_a_piece_at_a_time(client, cast: Cast, evidence_store: str) -> None:  # type: ignore[no-untyped-def]
    evidence = upload_notes(client, cast)
    # From the bucket, the GET's body itself: not a copy of the whole object made before the
    # first byte, as django-storages' own S3 file does.
    with storage.open_file(evidence.stored_name) as handle:
        assert isinstance(handle.file, StreamingBody) == (evidence_store == "s3")
    response = client.get(reverse("evidence:download", args=[evidence.uuid]))
    pieces = list(response.streaming_content)
    assert len(pieces) >= 4 and max(len(piece) for piece in pieces) == storage.CHUNK
    assert b"".join(pieces) == NOTES and response["Content-Length"] == str(len(NOTES))


@pytest.mark.parametrize("evidence_store", ["s3"], indirect=True)
def test_a_download_of_an_object_gone_from_the_bucket_writes_no_custody_event(  # type: ignore[no-untyped-def]
    client, cast: Cast, evidence_store
) -> None:
    from audit.models import Event

    evidence = upload_notes(client, cast)
    storage.remove(evidence.stored_name)
    with pytest.raises(FileNotFoundError):
        client.get(reverse("evidence:download", args=[evidence.uuid]))
    assert not Event.objects.filter(action="evidence.downloaded").exists()


def settings_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """incidentdesk/settings.py as a process started with `env` would read it."""
    for name in ("EVIDENCE_STORAGE", "DATABASE_URL", "DATABASE_POOL", "CONN_MAX_AGE", "AWS_STORAGE_BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_evidence_stays_in_the_folder_unless_object_storage_is_chosen(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert settings_with(monkeypatch, tmp_path)["STORAGES"]["evidence"] == {"BACKEND": "evidence.storage.FolderStorage"}
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        settings_with(monkeypatch, tmp_path, EVIDENCE_STORAGE="s3")
    with pytest.raises(ImproperlyConfigured, match="'folder' or 's3'"):
        settings_with(monkeypatch, tmp_path, EVIDENCE_STORAGE="nfs")


def test_the_object_store_settings_reach_a_working_bucket(monkeypatch, tmp_path, s3_server: str) -> None:  # type: ignore[no-untyped-def]
    s3_client(s3_server).create_bucket(
        Bucket="county-evidence", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    read = settings_with(
        monkeypatch,
        tmp_path,
        EVIDENCE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="county-evidence",
        AWS_S3_ENDPOINT_URL=s3_server,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
        AWS_S3_ADDRESSING_STYLE="path",
    )
    chosen = read["STORAGES"]["evidence"]
    store = import_string(chosen["BACKEND"])(**chosen["OPTIONS"])
    assert (store.default_acl, store.querystring_auth, store.file_overwrite) == (None, True, False)
    name = f"evidence/{'0' * 32}.bin"
    assert store.save(name, ContentFile(b"call notes")) == name
    with store.open(name) as handle:
        assert handle.read() == b"call notes"
    body = s3_client(s3_server).get_object(Bucket="county-evidence", Key=name)["Body"].read()
    assert body == b"call notes"


def test_the_database_pool_is_opt_in_for_postgresql_and_never_with_persistent_connections(  # type: ignore[no-untyped-def]
    monkeypatch, tmp_path
) -> None:
    url = "postgres://incidentdesk@db.example:5432/incidentdesk"
    unpooled = settings_with(monkeypatch, tmp_path, DATABASE_URL=url)["DATABASES"]["default"]
    assert "pool" not in unpooled.get("OPTIONS", {})
    sizes = {"DATABASE_POOL_MIN_SIZE": "2", "DATABASE_POOL_MAX_SIZE": "6"}
    pooled = settings_with(monkeypatch, tmp_path, DATABASE_URL=url, DATABASE_POOL="1", **sizes)["DATABASES"]["default"]
    assert pooled["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 6, "timeout": 10.0}
    # Django's PostgreSQL backend takes the options as they are (the pool opens on first use).
    wrapper = DatabaseWrapper(ConnectionHandler({"default": pooled}).settings["default"], alias="pool-settings-test")
    try:
        assert (wrapper.pool.min_size, wrapper.pool.max_size, wrapper.pool.timeout) == (2, 6, 10.0)
    finally:
        wrapper.close_pool()
    with pytest.raises(ImproperlyConfigured, match="cannot be combined"):
        settings_with(monkeypatch, tmp_path, DATABASE_URL=url, DATABASE_POOL="1", CONN_MAX_AGE="60")
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL only"):
        settings_with(monkeypatch, tmp_path, DATABASE_POOL="1")


def test_sqlite_connections_are_kept_by_each_process_unless_told_otherwise(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Opening a SQLite connection is about 2.5 ms a request and empties its page cache.
    assert settings_with(monkeypatch, tmp_path)["DATABASES"]["default"]["CONN_MAX_AGE"] == 600
    assert settings_with(monkeypatch, tmp_path, CONN_MAX_AGE="0")["DATABASES"]["default"]["CONN_MAX_AGE"] == 0
    # PostgreSQL's stay one a request unless set (or pooled): a server's connections are counted.
    url = "postgres://incidentdesk@db.example:5432/incidentdesk"
    assert settings_with(monkeypatch, tmp_path, DATABASE_URL=url)["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_postgresql_connections_never_jit_compile_with_or_without_the_pool(  # type: ignore[no-untyped-def]
    monkeypatch, tmp_path, django_db_blocker
) -> None:
    # The machine's own PostgreSQL (CI's second run uses it too), reached as settings.py configures it.
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    for pool in ("0", "1"):
        chosen = settings_with(monkeypatch, tmp_path, DATABASE_URL=url, DATABASE_POOL=pool)["DATABASES"]["default"]
        wrapper = DatabaseWrapper(ConnectionHandler({"default": chosen}).settings["default"], alias=f"jit-{pool}")
        try:
            with django_db_blocker.unblock(), wrapper.cursor() as cursor:
                cursor.execute("SHOW jit")
                assert cursor.fetchone() == ("off",)
        finally:
            wrapper.close()
            if pool == "1":
                wrapper.close_pool()
