"""The monitoring log's CSV and XLSX exports at N rows: rows a second, first byte, peak memory.

    .venv/bin/python bench/export.py [--rows 100000 1000000] [--organisations 200] [--seed 20000]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the
PostgreSQL database in BENCH_DATABASE_URL (which it empties first: never point it at one you
care about). `--seed` incidents are made as the tests make them (`insights.sample.generate`,
with their stored deadlines; one in 13 reported anonymously, so the times' precision is asked),
then copied by the database itself (INSERT ... SELECT, deadlines too) up to each size in
`--rows`, smallest first.

Each export runs in a fresh process (so its peak resident memory, `ru_maxrss`, is its own):
the whole request through Django's test client as the county DPO, every byte written to a file
in the temporary folder. Prints rows a second, the time to the first byte, the file's size, the
queries the request made and the peak RSS. Not a test: the numbers depend on the machine.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DPO_EMAIL = "bench-export-dpo@example.org"


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


def measure(fmt: str, folder: str) -> None:
    """In the child process: one export, its figures as a line of JSON."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from incidents.models import Incident
    from tests.mfa import SecondFactorClient

    client = SecondFactorClient()
    client.force_login(User.objects.get(email=DPO_EMAIL))
    rows = Incident.objects.count()
    client.get("/reports/log/export.csv?month=1990-01")  # warm: the URLconf and templates load on the first request
    path = Path(folder) / f"export.{fmt}"
    with CaptureQueriesContext(connection) as queries, path.open("wb") as out:
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/reports/log/export.{fmt}")
        assert response.status_code == 200, response.status_code
        first = None
        for chunk in response.streaming_content:
            if first is None:
                first = time.perf_counter() - started
            out.write(chunk)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = path.stat().st_size
    path.unlink()
    figures = {
        "format": fmt,
        "rows": rows,
        "seconds": elapsed,
        "cpu": cpu,  # this process's: on SQLite the database's work too, on PostgreSQL not
        "first_byte": first,
        "mb": size / 1e6,
        "queries": len(queries),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(figures))


def copy_incidents(times: int, seed_range: tuple[int, int], start: int) -> None:
    """Copy the seed incidents (and their deadlines) `times` more times, copies `start`, `start`+1, ...;
    each copy's reference gets "-k", its uuid a new random one."""
    from django.db import connection, transaction

    from deadlines.models import Deadline
    from incidents.models import Incident

    incident = Incident._meta.db_table
    deadline = Deadline._meta.db_table
    new_uuid = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    columns = [f.column for f in Incident._meta.concrete_fields if f.column != "id"]
    fresh = {"uuid": new_uuid, "submission_key": f"CASE WHEN submission_key IS NULL THEN NULL ELSE {new_uuid} END"}
    deadline_columns = [f.column for f in Deadline._meta.concrete_fields if f.column not in ("id", "incident_id")]
    low, high = seed_range  # the SQL below names only the models' own tables and columns
    for k in range(start, start + times):
        values = [fresh.get(c) or (f"reference || '-{k}'" if c == "reference" else c) for c in columns]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {incident} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {incident} "  # noqa: S608
                f"WHERE id BETWEEN %s AND %s ORDER BY id",
                [low, high],
            )
            cursor.execute(
                f"INSERT INTO {deadline} ({', '.join(deadline_columns)}, incident_id) "  # noqa: S608
                f"SELECT {', '.join('d.' + c for c in deadline_columns)}, n.id FROM {deadline} d "
                f"JOIN {incident} o ON o.id = d.incident_id JOIN {incident} n ON n.reference = o.reference || '-{k}' "
                f"WHERE d.action_id IS NULL AND o.id BETWEEN %s AND %s",
                [low, high],
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20_000)
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        setup(os.environ["DATABASE_URL"])
        measure(args.measure, args.folder)
        return

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-export-")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    setup(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone

    from accounts.models import User
    from incidents.models import Incident, IncidentType
    from insights.sample import generate
    from organisations.models import Membership, Organisation, Role

    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({database_url.split('@')[-1]})")

    started = time.perf_counter()
    county = Organisation.objects.create(name="Bench County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    trusts = [Organisation.objects.create(name=f"Trust {i}", kind="trust", parent=county) for i in range(5)]
    schools = [
        Organisation.objects.create(name=f"School {i}", kind="school", parent=trusts[i % len(trusts)])
        for i in range(args.organisations)
    ]
    types = [IncidentType.objects.create(name=f"Type {i}") for i in range(14)] + [None]
    seed = min(args.seed, min(args.rows))
    generate(schools, types, seed, now=timezone.now())
    bounds = Incident.objects.aggregate(low=Min("id"), high=Max("id"))
    seed_range = (bounds["low"], bounds["high"])
    # Some anonymous reports, so each row's times ask their organisation's precision.
    Incident.objects.filter(id__in=range(seed_range[0], seed_range[1] + 1, 13)).update(reporter_anonymous=True)
    dpo = User.objects.create_user(email=DPO_EMAIL, password=None)
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    print(f"made {seed} incidents in {args.organisations} schools in {time.perf_counter() - started:.1f}s", flush=True)

    copies = 0
    for size in sorted(args.rows):
        started = time.perf_counter()
        wanted = size // seed - 1 - copies
        if wanted > 0:
            copy_incidents(wanted, seed_range, copies + 1)
            copies += wanted
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        total = Incident.objects.count()
        print(f"\n{total:,} incidents (copied in {time.perf_counter() - started:.1f}s)", flush=True)
        for fmt in ("csv", "xlsx"):
            child = subprocess.run(  # noqa: S603 (this script itself)
                [sys.executable, __file__, "--measure", fmt, "--folder", folder],
                env={**os.environ, "DATABASE_URL": database_url},
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode:
                print(child.stdout, child.stderr)
                raise SystemExit(child.returncode)
            f = json.loads(child.stdout.strip().splitlines()[-1])
            rate, cpu_rate = f["rows"] / f["seconds"], f["rows"] / f["cpu"]
            print(
                f"{fmt.upper():<5} {f['rows']:>9,} rows {f['seconds']:7.1f}s  {rate:>8,.0f} rows/s "
                f"({cpu_rate:>7,.0f} a CPU second)  first byte {f['first_byte'] * 1000:6.0f} ms  "
                f"{f['mb']:7.1f} MB  {f['queries']} queries  peak RSS {f['rss_mb']:.0f} MB",
                flush=True,
            )
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
