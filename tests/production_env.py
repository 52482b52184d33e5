"""A production-like environment for tests that start the project in a subprocess.

Production settings refuse to start without what a real deployment has (a secret key, an
email server). Work that adds a required production setting (a keys file, the virus
scanner) adds its variable in `production_env`, and every test that starts production
settings gets it.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

# Variables of the test run that must not leak into the production subprocess.
DROPPED = {
    "DATABASE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "ENVIRONMENT",
    # Set by the browser tests (Playwright runs an event loop beside the ORM); never in production.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update(
        ENVIRONMENT="production",
        DJANGO_SETTINGS_MODULE="incidentdesk.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="incidents.example.org",
        CSRF_TRUSTED_ORIGINS="https://incidents.example.org",
        SITE_URL="https://incidents.example.org",
        EMAIL_HOST="smtp.example.org",
        VAR_DIR=str(var_dir),
        DEBUG="0",
        # The record's keys live outside the database (docs/record.md); production names the file.
        RECORD_KEYS_FILE=str(var_dir / "record-keys.json"),
        # Uploads are scanned by ClamAV's daemon (docs/deploy.md); production names its socket.
        CLAMAV_SOCKET=str(var_dir / "clamd.sock"),
    )
    return env


def manage(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=production_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_settings(var_dir: Path, names: list[str]) -> dict[str, Any]:
    """The values settings.py gives `names` in production, read in a subprocess."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=production_env(var_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
