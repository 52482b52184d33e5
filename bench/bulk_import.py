"""Import 10,000 people into 500 organisations from one CSV: time, queries and memory.

    .venv/bin/python bench/bulk_import.py [--people 10000] [--organisations 500]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the
PostgreSQL database in BENCH_DATABASE_URL (which it empties first: never point it at one
you care about). Times the trial run, the import and the same file imported again (which
must change nothing), with the number of queries and the Python heap peak (tracemalloc)
of each. The full import is timed without tracemalloc (which slows Python several times over);
the heap is traced on imports of a tenth and a quarter of the size: flat memory means the
two peaks are alike. Not a test: the numbers depend on the machine.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=500)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    os.environ.setdefault("VAR_DIR", folder)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from accounts.models import User
    from audit.models import Event
    from onboarding import people
    from onboarding.models import OrganisationUrn
    from organisations.models import Membership, Organisation, Role

    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")

    county = Organisation.objects.create(name="Benchshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    admin = User.objects.create_user("bench-admin@example.org")
    Membership.objects.create(user=admin, organisation=county, role=Role.ADMIN)
    for i in range(args.organisations):
        school = Organisation.objects.create(name=f"Bench School {i}", kind="school", parent=county)
        OrganisationUrn.objects.create(organisation=school, urn=f"{200000 + i}")

    def csv_of(n: int, prefix: str) -> bytes:
        lines = ["Name,Email,URN,Role,Leaver"]
        for i in range(n):
            role = "Incident manager" if i % 60 == 0 else "Reporter"
            lines.append(f"Person {i},{prefix}{i}@bench.example.org,{200000 + i % args.organisations},{role},")
        return ("\n".join(lines) + "\n").encode()

    def measure(label: str, step: object, content: bytes, trace: bool = True) -> object:
        queries = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries.append(1)
            return execute(sql, params, many, context)

        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            outcome = step(county, content, "people.csv", by=admin)  # type: ignore[operator]
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        print(
            f"{label:<40} {seconds:8.1f} s {len(queries):>9,} queries  "
            + (f"heap peak {peak / 1024 / 1024:6.1f} MiB" if trace else "(time only)")
            + f"  file {len(content) / 1024:,.0f} KiB"
        )
        return outcome

    full = csv_of(args.people, "p")
    tenth = csv_of(args.people // 10, "t")
    quarter = csv_of(args.people // 4, "q")
    print(f"{args.people:,} people into {args.organisations} organisations")
    measure("trial run", people.check, full)
    counts = (User.objects.count(), Membership.objects.count(), Event.objects.count())
    # tracemalloc slows Python several times over: the big import is timed without it, and
    # the heap is traced on imports of a tenth and a quarter of the size (flat means equal).
    outcome = measure("import", people.run_import, full, trace=False)
    print(
        f"  {outcome.people_added:,} people, {outcome.roles_given:,} roles; "  # type: ignore[attr-defined]
        f"{DBTaskResult.objects.count():,} invitation jobs queued"
    )
    after = (User.objects.count(), Membership.objects.count(), Event.objects.count(), DBTaskResult.objects.count())
    measure("same file again", people.run_import, full)
    again = (User.objects.count(), Membership.objects.count(), Event.objects.count(), DBTaskResult.objects.count())
    print(f"  re-import added: {tuple(b - a for a, b in zip(after, again, strict=True))} (people, roles, events, jobs)")
    assert again == after and counts[0] < after[0]
    measure(f"import of {args.people // 10:,} more (heap traced)", people.run_import, tenth)
    measure(f"import of {args.people // 4:,} more (heap traced)", people.run_import, quarter)


if __name__ == "__main__":
    main()
