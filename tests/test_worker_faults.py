"""The worker under faults: killed mid-batch and restarted, and two workers at once.

Real processes (`manage.py db_worker`, `manage.py shell`) killed with SIGKILL, a real
SMTP server, the real database engine (SQLite or PostgreSQL, whichever the suite runs on).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from audit.models import Event
from deadlines.models import Escalation
from deadlines.scan import scan
from incidents.models import Incident
from notifications.delivery import deliver
from notifications.models import Notification, Outbox
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import UserFactory, reported_incident
from .smtp import SmtpServer, running_server
from .test_notifications import escalate_to

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    yield from running_server(settings)


def database_url() -> str:
    """The test database, as a URL another process can open."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


def child(args: list[str], server: SmtpServer | None = None, **env: str) -> subprocess.Popen:
    environment = os.environ | {"DATABASE_URL": database_url(), "LOG_LEVEL": "WARNING"} | env
    if server is not None:
        environment |= {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(server.port), "EMAIL_USE_TLS": "0"}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def people(cast: Cast, n: int) -> list:
    result = []
    for i in range(n):
        person = UserFactory(email=f"handler{i:02d}@example.org")
        Membership.objects.create(user=person, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
        result.append(person)
    return result


def test_outbox_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    transactional_db, cast: Cast, smtp: SmtpServer
) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    handlers = people(cast, 10)
    escalate_to(handlers, incident)  # ten emails, and a queued job to send them
    smtp.inbox.hold_at = 4  # the mail server stalls on the fourth message...
    worker = child(["db_worker", "--batch"], smtp, OUTBOX_LEASE_SECONDS="60")
    try:
        assert smtp.inbox.holding.wait(60), worker.communicate(timeout=5)[0]
        worker.send_signal(signal.SIGKILL)  # ...and the worker dies while handing it over
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        smtp.unblock()
    assert len(smtp.inbox.messages) == 3
    statuses = Counter(Outbox.objects.values_list("status", flat=True))
    assert statuses == {Outbox.Status.SENT: 3, Outbox.Status.SENDING: 7}  # claimed by the dead worker

    # The lease runs out; a new worker takes the rest.
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert deliver()["sent"] == 7
    assert Counter(smtp.inbox.recipients()) == Counter(h.email for h in handlers)  # each exactly once
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}


def overdue_incidents(cast: Cast, n: int) -> list[Incident]:
    siro = UserFactory(email="siro@example.org")
    Membership.objects.create(user=siro, organisation=cast.school_a, role=Role.SIRO)
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        return [reported_incident(cast.school_a, None) for _ in range(n)]


def test_scan_killed_mid_batch_loses_nothing_and_repeats_nothing(transactional_db, cast: Cast) -> None:
    incidents = overdue_incidents(cast, 120)
    code = "from deadlines.scan import scan; scan(batch_size=20)"
    scanner = child(["shell", "-c", code])
    try:
        deadline = time.monotonic() + 120
        while not Escalation.objects.exists():
            assert scanner.poll() is None, scanner.communicate()[0]
            assert time.monotonic() < deadline
            time.sleep(0.005)
        scanner.send_signal(signal.SIGKILL)
        scanner.wait(30)
    finally:
        if scanner.poll() is None:
            scanner.kill()
    done = Escalation.objects.count()
    # Each incident owes two: triage overdue (to the SIRO) and reporter update (to the incident manager).
    assert 0 < done < 2 * len(incidents), "the scan should have been killed part-way"
    # Everything committed is whole: each escalation has its email, notification and event.
    assert Outbox.objects.filter(kind="escalation").count() == done
    assert Notification.objects.filter(kind="escalation").count() == done
    assert Event.objects.filter(action__startswith="escalation.").count() == done

    scan()  # the next scan carries on
    assert Escalation.objects.count() == 2 * len(incidents)
    assert Outbox.objects.filter(kind="escalation").count() == 2 * len(incidents)
    triage = Escalation.objects.filter(kind=Escalation.Kind.TRIAGE_OVERDUE)
    assert Counter(triage.values_list("incident_id", flat=True)) == Counter(i.pk for i in incidents)


def run_together(job, count: int = 2) -> list:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == []
    return results


def test_two_workers_draining_at_once_send_each_email_once(transactional_db, cast: Cast, smtp: SmtpServer) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    handlers = people(cast, 30)
    escalate_to(handlers, incident)
    results = run_together(lambda: deliver(batch_size=5))
    assert sum(r["sent"] for r in results) == 30
    assert Counter(smtp.inbox.recipients()) == Counter(h.email for h in handlers)


def test_two_scans_at_once_escalate_each_incident_once(transactional_db, cast: Cast) -> None:
    incidents = overdue_incidents(cast, 25)
    with time_machine.travel(datetime(2026, 6, 3, 9, tzinfo=UTC), tick=False):
        results = run_together(lambda: scan(batch_size=5))
    assert sum(r.escalations for r in results) == len(incidents)
    assert Escalation.objects.count() == len(incidents)
    assert Outbox.objects.filter(kind="escalation").count() == len(incidents)


@pytest.mark.parametrize("workers", [2])
def test_two_worker_processes_run_each_queued_job_once(transactional_db, cast: Cast, smtp: SmtpServer, workers) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    handlers = people(cast, 12)
    for handler in handlers:  # twelve separate jobs in the queue
        escalate_to([handler], incident)
    procs = [child(["db_worker", "--batch"], smtp) for _ in range(workers)]
    for proc in procs:
        proc.wait(120)
    assert Counter(smtp.inbox.recipients()) == Counter(h.email for h in handlers)
    with transaction.atomic():
        assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}
