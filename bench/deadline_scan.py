"""How long the deadline scan takes for N open incidents, and the outbox drain for its emails.

    DATABASE_URL=postgres://.../bench_db python bench/deadline_scan.py 5000
    VAR_DIR=/tmp/bench python bench/deadline_scan.py 5000          (SQLite)

Uses (and empties) the database it is given: never point it at real data. Prints the time
of the first scan (every incident overdue: one escalation each for triage and the reporter
update), of a second scan (nothing new: the steady state every 5 minutes), and of draining
the outbox to Django's in-memory mail backend (the SMTP server's speed is not ours).
"""

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from deadlines.scan import scan  # noqa: E402
from incidents.models import Incident  # noqa: E402
from notifications.delivery import deliver  # noqa: E402
from notifications.models import Outbox  # noqa: E402
from organisations.models import Membership, Organisation, Role  # noqa: E402


def main(n: int) -> None:
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
    reported = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with transaction.atomic():
        Incident.objects.bulk_create(
            [
                Incident(
                    organisation=schools[i % len(schools)],
                    description="Bench incident",
                    reported_on=reported,
                    reference=f"INC-BENCH-{i:06d}",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
    print(f"{connection.vendor}, {n} open incidents in {len(schools)} schools")
    for label in ("first scan (all overdue)", "second scan (nothing new)"):
        started = time.perf_counter()
        result = scan()
        seconds = time.perf_counter() - started
        print(f"{label}: {seconds:.2f} s, {result.escalations} escalations, {n / seconds:.0f} incidents/s")
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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
