"""How long the deadline scan takes, and how many queries, for N open incidents.

    DATABASE_URL=postgres://.../bench_db python bench/deadline_scan.py 10000
    VAR_DIR=/tmp/bench python bench/deadline_scan.py 10000          (SQLite)
    python bench/deadline_scan.py 1000 --backlog                    (every incident overdue, then the drain)

Uses (and empties) the database it is given: never point it at real data. N open incidents in
50 schools, each with its stored deadlines (worked out as the report step would, not timed).
Prints the scan with nothing due, then with 1,000 of them past their triage timescale (one
escalation each, with its email, in-app notification and event), then the steady state (nothing
new). `--backlog`: every incident overdue at once (two escalations each), then draining the
outbox to Django's in-memory mail backend (the SMTP server's speed is not ours).
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from deadlines import store  # noqa: E402
from deadlines.scan import scan  # noqa: E402
from incidents.models import Incident  # noqa: E402
from notifications.delivery import deliver  # noqa: E402
from notifications.models import Outbox  # noqa: E402
from organisations.models import Membership, Organisation, Role  # noqa: E402

DUE = 1000


def setup(n: int, reported_on: object) -> list[int]:
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    county = Organisation.objects.create(name="Bench County", kind="dpo_service")
    schools = [Organisation.objects.create(name=f"Bench School {i}", kind="school", parent=county) for i in range(50)]
    dpo = User.objects.create_user(email="dpo@bench.example.org", password=None)
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    for school in schools:
        for role in (Role.SIRO, Role.INCIDENT_MANAGER):
            person = User.objects.create_user(email=f"{role}{school.pk}@bench.example.org", password=None)
            Membership.objects.create(user=person, organisation=school, role=role)
    with transaction.atomic():
        Incident.objects.bulk_create(
            [
                Incident(
                    organisation=schools[i % len(schools)],
                    description="Bench incident",
                    reported_on=reported_on,
                    reference=f"INC-BENCH-{i:07d}",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
    ids = list(Incident.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), 1000):  # what each report step stores
        with transaction.atomic():
            store.refresh_incidents(ids[start : start + 1000])
    print(
        f"{connection.vendor}, {n} open incidents in {len(schools)} schools (deadlines stored in "
        f"{time.perf_counter() - started:.0f} s, not counted)"
    )
    return ids


def timed(label: str) -> None:
    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = scan()
        seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s, {queries} queries, {result.escalations} escalations")


def main(n: int) -> None:
    now = timezone.now()
    ids = setup(n, now - timedelta(hours=1))
    timed("scan, nothing due")
    # 1,000 of them reported a week ago, stored as the steps store them: past their triage timescale.
    due = ids[:: max(1, len(ids) // DUE)][:DUE]
    with transaction.atomic():
        Incident.objects.filter(pk__in=due).update(reported_on=now - timedelta(days=7))
        store.refresh_incidents(due)
    timed(f"scan, {len(due)} due")
    timed("scan again, nothing new")


def backlog(n: int) -> None:
    setup(n, timezone.now() - timedelta(days=30))
    timed("first scan (all overdue)")
    timed("second scan (nothing new)")
    pending = Outbox.objects.filter(status=Outbox.Status.PENDING).count()
    started = time.perf_counter()
    sent = 0
    while True:
        counts = deliver(batch_size=100)
        if not counts["sent"]:
            break
        sent += counts["sent"]
    seconds = time.perf_counter() - started
    print(f"outbox drain: {sent}/{pending} emails in {seconds:.2f} s, {sent / seconds:.0f} emails/s")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    backlog(count) if "--backlog" in sys.argv else main(count)
