"""Time the one search (learning/search.py) over N generated incidents.

    .venv/bin/python bench/search.py [--incidents 100000] [--organisations 200] [--repeat 30]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the
PostgreSQL database in BENCH_DATABASE_URL (which it empties first: never point it at one you
care about). Generates the incidents with `learning.corpus` (the tests' corpus), builds the
index with `rebuild_search_index`, then times a set of queries as a county DPO (sees all) and
as one school's incident manager, each query `--repeat` times, and prints p50 and p95 in ms
of the first page of results (20, ranked), the number of matches, and the query plan's use of
the index on PostgreSQL. Not a test: the numbers depend on the machine.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "laptop",
    "wrong parent",
    "printer office",
    "class list bus",
    "ransomware backup",
    "phishing link email",
    "minibus",
    "INC-2024-00042",
    "nothingatall",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from learning import search
    from learning.corpus import make_incidents
    from organisations.models import Membership, Organisation, Role

    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})")

    started = time.perf_counter()
    county = Organisation.objects.create(name="Bench County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    schools = [
        Organisation.objects.create(name=f"School {i}", kind="school", parent=county) for i in range(args.organisations)
    ]
    make_incidents(schools, args.incidents)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    written = search.rebuild()
    indexed = time.perf_counter() - started
    dpo = User.objects.create_user(email="bench-dpo@example.org", password=None)
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    manager = User.objects.create_user(email="bench-manager@example.org", password=None)
    Membership.objects.create(user=manager, organisation=schools[0], role=Role.INCIDENT_MANAGER)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"generated {args.incidents} incidents in {generated:.1f}s; indexed {written} entries in {indexed:.1f}s")

    for who, user in (("county DPO (sees all)", dpo), ("school incident manager", manager)):
        print(f"\n{who}")
        print(f"{'query':<24} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}")
        everything: list[float] = []
        for text in QUERIES:
            times = []
            for _ in range(args.repeat):
                # A fresh person object each time: the page's cost includes reading their roles.
                fresh = User.objects.get(pk=user.pk)
                t0 = time.perf_counter()
                search.search(fresh, text)
                times.append((time.perf_counter() - t0) * 1000)
            everything += times
            matches = search.entries(user, text).count()
            print(f"{text:<24} {matches:>8} {percentile(times, 0.5):>8.1f} {percentile(times, 0.95):>8.1f}")
        print(f"{'all queries':<24} {'':>8} {statistics.median(everything):>8.1f} {percentile(everything, 0.95):>8.1f}")

    if connection.vendor == "postgresql":
        sql, params = search.entries(dpo, "wrong parent")[:20].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print("\nindex used:", "learning_searchentry_document" in plan)


if __name__ == "__main__":
    main()
