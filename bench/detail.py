"""Time the incident page, and how long its "viewed" event holds the organisation's chain lock.

    .venv/bin/python bench/detail.py [--incidents 10000] [--views 200] [--threads 8]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the
PostgreSQL database in BENCH_DATABASE_URL (which it empties first: never point it at one you
care about). Generates `--incidents` incidents (`learning.corpus`) in 40 schools of a county
(county > trust > school) and one incident with every panel filled (tests/full_incident.py),
then opens that incident's page as the county DPO, first alone, then from `--threads` threads
at once (each its own connection and session, all of one organisation). Prints p50 and p95 of
the page in ms, its queries, and the time the chain lock was held by the "viewed" event: from
the moment it was taken (SQLite: `BEGIN IMMEDIATE`, the database's write lock; PostgreSQL:
the head row's `SELECT ... FOR UPDATE`) to the end of the commit, and the time spent waiting
for it. Not a test: the numbers depend on the machine and its load.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] if ordered else 0.0


class LockClock:
    """Times the chain lock of each "viewed" event from the statements the connection runs."""

    def __init__(self) -> None:
        self.held: list[float] = []
        self.waited: list[float] = []
        self.queries = 0
        self.local = threading.local()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        from django.db import transaction

        self.queries += 1
        head = 'FROM "audit_chainhead"' in sql
        takes = sql.startswith("BEGIN IMMEDIATE") or (head and "FOR UPDATE" in sql)
        started = time.perf_counter()
        result = execute(sql, params, many, context)
        if takes and getattr(self.local, "taken", None) is None:
            self.local.taken = time.perf_counter()
            self.waited.append((self.local.taken - started) * 1000)
        if head and getattr(self.local, "taken", None) is not None:
            # Registered once inside the transaction (BEGIN runs before Django marks it atomic).
            taken = self.local.taken

            def released() -> None:
                self.held.append((time.perf_counter() - taken) * 1000)
                self.local.taken = None

            transaction.on_commit(released)
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--views", type=int, default=200, help="page views in each run")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ["RECORD_CHECKPOINT_FILE"] = f"{folder}/checkpoint.json"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, {args.incidents} incidents, load {os.getloadavg()[0]:.1f}")

    from learning import search
    from learning.corpus import make_incidents
    from organisations.models import Organisation
    from tests.full_incident import county, full_incident

    started = time.perf_counter()
    c = county()
    schools = [c.school, c.sibling] + [
        Organisation.objects.create(name=f"School {i}", kind="school", parent=c.trust) for i in range(38)
    ]
    make_incidents(schools, args.incidents)
    incident = full_incident(c)
    search.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f} s")
    url = reverse("incidents:detail", args=[incident.uuid])
    for threads in (1, args.threads):
        run(url, c.dpo, threads, args.views)


def run(url: str, user: Any, threads: int, views: int) -> None:
    from django.db import connection, connections

    from tests.mfa import SecondFactorClient

    clock = LockClock()
    pages: list[float] = []
    errors: list[str] = []

    def viewer(count: int) -> None:
        client = SecondFactorClient()
        client.force_login(user)
        client.get(url)
        try:
            with connection.execute_wrapper(clock):
                for _ in range(count):
                    t0 = time.perf_counter()
                    status = client.get(url).status_code
                    pages.append((time.perf_counter() - t0) * 1000)
                    if status != 200:
                        errors.append(str(status))
        finally:
            connections.close_all()

    before = clock.queries
    workers = [threading.Thread(target=viewer, args=(views // threads,)) for _ in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    shown = len(pages)
    print(
        f"{threads} viewer(s): {shown} pages in {elapsed:.1f} s ({shown / elapsed:.1f}/s), errors {len(errors)}; "
        f"page p50 {percentile(pages, 0.5):.1f} ms p95 {percentile(pages, 0.95):.1f} ms; "
        f"{(clock.queries - before) / max(shown, 1):.1f} queries a page; "
        f"chain lock held p50 {percentile(clock.held, 0.5):.2f} ms p95 {percentile(clock.held, 0.95):.2f} ms, "
        f"waited for p50 {percentile(clock.waited, 0.5):.2f} ms p95 {percentile(clock.waited, 0.95):.2f} ms"
    )


if __name__ == "__main__":
    main()
