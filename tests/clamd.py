"""A private ClamAV daemon for the tests: one per test process, over a real Unix socket.

Started once per session by `scripts/clamd` (its own config, socket and signature file
under $VAR_DIR/clamd-test/, see that script), stopped at the end. The signature file detects the
EICAR test string, so tests prove that a file clamd flags is refused. `make test` installs
clamd where it is missing (`make clamav`); where it cannot be, these tests fail loudly.
"""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from lib import clamav

from .processes import stop

ROOT = Path(__file__).resolve().parent.parent
# The EICAR anti-virus test file: harmless, and detected by every scanner. Assembled here
# so that this source file is not itself flagged by a scanner on a developer's machine.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS" + b"-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd_socket() -> Iterator[str]:
    if shutil.which("clamd") is None and not Path("/usr/sbin/clamd").exists():
        pytest.fail("clamd is not installed: run `make clamav` (Debian: apt-get install clamav-daemon).")
    state = Path(settings.VAR_DIR) / "clamd-test" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    socket_path = str(state / "clamd.sock")
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "clamd"), str(state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ | {"CLAMD_LOCAL_ONLY": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if clamav.command(socket_path, b"zPING", timeout=1) == "PONG":
                    break
            except clamav.ScannerUnavailable:
                pass
            if process.poll() is not None:
                pytest.fail(f"clamd stopped at start: {process.stderr.read().decode() if process.stderr else ''}")
            if time.monotonic() > deadline:
                pytest.fail("clamd did not answer within 60 seconds")
            time.sleep(0.1)
        yield socket_path
    finally:
        stop(process)


@pytest.fixture
def scanner(settings, clamd_socket: str) -> str:  # type: ignore[no-untyped-def]
    """Every file in this test is scanned by the private clamd."""
    settings.CLAMAV_SOCKET = clamd_socket
    return clamd_socket
