"""Time the dashboard, the monitoring log page and a full streamed export on N incidents.

    .venv/bin/python bench/export_100k.py [--incidents 100000] [--organisations 200]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the
PostgreSQL database in BENCH_DATABASE_URL (which it empties first: never point it at one
you care about). Prints wall-clock times, the Python heap peak during each export
(tracemalloc) and the process's maximum resident set size (resource). Not a test: the
numbers depend on the machine.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=200)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from incidents.models import IncidentType
    from insights.sample import generate, generate_actions
    from organisations.models import Membership, Organisation, Role

    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})")

    started = time.perf_counter()
    county = Organisation.objects.create(name="Bench County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    trusts = [Organisation.objects.create(name=f"Trust {i}", kind="trust", parent=county) for i in range(5)]
    schools = [
        Organisation.objects.create(name=f"School {i}", kind="school", parent=trusts[i % len(trusts)])
        for i in range(args.organisations)
    ]
    types = [IncidentType.objects.create(name=f"Type {i}") for i in range(14)] + [None]
    now = timezone.now()
    generate(schools, types, args.incidents, now=now)
    generate_actions(schools, args.incidents // 5, now=now)
    dpo = User.objects.create_user(email="bench-dpo@example.org", password=None)
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"generated {args.incidents} incidents in {args.organisations} schools in {time.perf_counter() - started:.1f}s"
    )

    client = Client()
    client.force_login(dpo)
    client.get("/reports/")  # warm

    def fetch(url: str, stream: bool) -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if stream:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    def timed(label: str, url: str, stream: bool = False) -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        size = fetch(url, stream)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        # CPU time is this process's (SQLite runs inside it; PostgreSQL's work is not counted).
        line = f"{label:<34} {elapsed:7.2f}s wall {cpu:7.2f}s CPU  {size / 1e6:7.2f} MB"
        if stream:  # a second pass under tracemalloc (which slows Python down) for the heap peak
            tracemalloc.start()
            fetch(url, stream)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            line += f"  Python heap peak {peak / 1e6:6.1f} MB"
        print(line, flush=True)

    timed("dashboard (whole service)", "/reports/")
    timed("monitoring log, page 1", "/reports/log/")
    timed("monitoring log, page 1000", "/reports/log/?page=1000")
    timed("log filtered (open, major)", "/reports/log/?status=open&severity=major")
    timed(f"CSV export, all {args.incidents}", "/reports/log/export.csv", stream=True)
    timed(f"XLSX export, all {args.incidents}", "/reports/log/export.xlsx", stream=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS over the whole run: {rss:.0f} MB")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
