"""A real S3-compatible server for the tests: moto in server mode, one per test process.

Started once per session as a subprocess (`python -m moto.server`) on a free port of
127.0.0.1 and stopped at the end; boto3 talks to it over real sockets, as it would to
MinIO or AWS. If it cannot start, the tests that need it fail, never skip.

`evidence_store` runs a test twice, once with evidence in the folder and once in a bucket of
its own on that server: modules that use it (`pytestmark = pytest.mark.usefixtures(...)`)
prove the same behaviour on both stores without a second copy of any test.
"""

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import pytest

from .processes import stop

REGION = "eu-west-2"
KEYS = {"aws_access_key_id": "incidentdesk-test", "aws_secret_access_key": "incidentdesk-test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1) as response:  # noqa: S310 (our own server)
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The server's address; a port taken between choosing and binding is tried again."""
    for _attempt in range(3):
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while not answers(endpoint) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if process.poll() is None and answers(endpoint):
            break
        process.kill()
        error = process.communicate()[1].decode(errors="replace")
    else:
        pytest.fail(f"the S3 server (moto) did not start: {error[-2000:]}")
    try:
        yield endpoint
    finally:
        stop(process)


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **KEYS)


@pytest.fixture(params=["folder", "s3"])
def evidence_store(request, settings) -> str:  # type: ignore[no-untyped-def]
    """Evidence in the folder (the default), or in a new private bucket on the S3 server."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_server")
        bucket = f"evidence-{uuid.uuid4().hex[:16]}"
        s3_client(endpoint).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {
            **settings.STORAGES,
            "evidence": {
                "BACKEND": "evidence.storage.ObjectStorage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": endpoint,
                    "region_name": REGION,
                    "access_key": KEYS["aws_access_key_id"],
                    "secret_key": KEYS["aws_secret_access_key"],
                    "addressing_style": "path",
                },
            },
        }
    return str(request.param)


def stored_names() -> list[str]:
    """Every file in the evidence store, `.part` files included, by the store's own listing."""
    from evidence.storage import store

    try:
        return sorted(store().listdir("evidence")[1])
    except FileNotFoundError:  # the folder is made with the first file
        return []
