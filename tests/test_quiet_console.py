"""A quiet console (issue 13): emails readable in the terminal, one line per background task,
friendly error pages with the detail in the log, a favicon."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from lib.console import EmailBackend, OneLinePerTask

ROOT = Path(__file__).resolve().parent.parent


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the developer's detail: a broken view")


urlpatterns = [path("broken/", broken_view)]


def test_console_email_shows_recipient_subject_and_text_without_mime_or_html() -> None:
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Overdue: triage for INC-2026-00001",
        body="A deadline has passed at Children's Services.\n\nSign in to see it:\nhttp://127.0.0.1:8000/x/\n",
        to=["sbm@example.org"],
    )
    message.attach_alternative("<p>A deadline has passed</p>", "text/html")
    assert EmailBackend(stream=stream).send_messages([message]) == 1
    out = stream.getvalue()
    assert "Email to sbm@example.org" in out
    assert "Subject: Overdue: triage for INC-2026-00001" in out
    assert "A deadline has passed at Children's Services." in out
    for noise in ("MIME-Version", "Content-Type", "<p>", "=3D", "boundary"):
        assert noise not in out


def test_the_started_line_of_a_task_is_dropped_and_the_finished_line_kept() -> None:
    keep = OneLinePerTask()

    def record(state: str) -> logging.LogRecord:
        return logging.LogRecord(
            "django.tasks", logging.INFO, __file__, 1, "Task id=%s path=%s state=%s", ("1", "x.y", state), None
        )

    assert not keep.filter(record("RUNNING"))
    assert keep.filter(record("SUCCESSFUL"))
    assert keep.filter(record("FAILED"))


def test_the_worker_prints_one_line_per_task_with_debug_on(transactional_db: None, tmp_path: Path) -> None:
    """The real worker, as `make run` starts it (DEBUG on), on the test database: a job queued
    here, run by a worker process. (Migrating a database of its own took 40 s of CI.)"""
    from notifications.tasks import deliver_outbox

    from .test_worker_faults import database_url

    deliver_outbox.enqueue()
    env = {**os.environ, "VAR_DIR": str(tmp_path), "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "incidentdesk.settings"}
    env["DATABASE_URL"] = database_url()
    run = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "Task id=" in line]
    assert len(lines) == 1, lines
    assert "notifications.tasks.deliver_outbox" in lines[0] and "state=SUCCESSFUL" in lines[0]


def test_a_mistyped_address_shows_the_friendly_page_not_the_list_of_urls(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "URLconf" not in page


@pytest.mark.urls("tests.test_quiet_console")
def test_a_server_error_shows_the_friendly_page_and_logs_the_detail(
    settings,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "the developer's detail" not in response.content.decode()
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.exc_info is not None and "the developer's detail" in str(logged.exc_info[1])


def test_the_favicon_is_ours(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # type: ignore[attr-defined]  # an ICO file
