"""The county's pages at N incidents, on either engine: p50/p95 ms and queries of each.

    .venv/bin/python bench/compare.py --engine postgres --incidents 100000 [--reuse] [--repeat 10]
        [--http] [--export-cap 100000] [--out bench/results/pg-100k.md]

Generates a county (`bench/county.py`: a council, 25 trusts, 550 schools, people in every role,
N incidents over seven years in every state, their stored due moments, the search index) in a
throwaway database, then measures, for a county DPO (sees all), a trust's incident manager and a
school business manager: the incident list (first page and one half-way down), the triage
queue, the work views (assigned to me, serious, ICO clocks, home), an incident page with a real
history, three searches, the dashboard and the monitoring log page, each through its URL with
`django.test.Client` (signed in with `force_login`, so the real view, middleware and template
run), `--repeat` times after one warm-up, with the queries of the last run. Then the CSV and
XLSX exports (the log's own functions, `insights.log.rows` into `insights.export.FORMATS`, over
at most `--export-cap` rows of the viewer's log: rows/s) and the deadline scan
(`deadlines.scan.scan`) with nothing due and with 1,000 incidents due. Prints a Markdown table
and writes it to `--out`.

The database: `--engine sqlite` is a fresh file in a temporary folder (with `--reuse`, the file
`/tmp/incidentdesk-bench-<N>.sqlite3`); `--engine postgres` is
`postgres://postgres@127.0.0.1:5432/bench_<N>` (bench_10k, bench_100k, bench_1m), dropped and
made afresh unless `--reuse`. `BENCH_DATABASE_URL` names another (its database name must start
with "bench"). `--reuse` keeps a generated database: it migrates it to the current schema and
generates only if it holds no bench county yet, so a 1M database made once serves later runs.

`--http` measures the pages through a real gunicorn (2 workers, a free port, this database)
with signed-in session cookies instead of the test client; query counts are then not known.

The 1,000 due: the escalations already sent for 1,000 open incidents are deleted, so the scan
finds their overdue deadlines unchased and escalates each (its notifications, emails in the
outbox and events, as on a running service); those escalations put the state back to nothing
due. Not a test: the figures depend on the machine and its load (printed with them).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEARCHES = ("laptop", "wrong parent", "phishing link email")
PAGE_SIZE = 50  # the incident list's page (incidents.views.incident.PAGE_SIZE)


def size_name(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def database_url(args: argparse.Namespace) -> str:
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        return given
    if args.engine == "postgres":
        return f"postgres://postgres@127.0.0.1:5432/bench_{size_name(args.incidents)}"
    if args.reuse:
        return f"sqlite:////tmp/incidentdesk-bench-{size_name(args.incidents)}.sqlite3"
    return f"sqlite:///{tempfile.mkdtemp(prefix='incidentdesk-bench-')}/bench.sqlite3"


def fresh_postgres(url: str, keep: bool) -> None:
    """Make the bench database (dropped first unless `keep`). Refuses names not starting "bench"."""
    import psycopg

    server, name = url.rsplit("/", 1)
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to empty {name!r}: a bench database's name starts with 'bench'")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


@dataclass
class Figure:
    what: str
    viewer: str
    times: list[float] = field(default_factory=list)  # ms
    queries: int | None = None
    status: int = 200
    note: str = ""

    def cells(self) -> list[str]:
        if self.status != 200:
            return [self.what, self.viewer, f"HTTP {self.status}", "", "", self.note]
        p50 = statistics.median(self.times) if self.times else 0.0
        p95 = percentile(self.times, 0.95) if self.times else 0.0
        queries = "" if self.queries is None else str(self.queries)
        return [self.what, self.viewer, f"{p50:,.1f}", f"{p95:,.1f}", queries, self.note]


def pages(county: Any, key: str) -> list[tuple[str, str]]:
    """(what, URL) of each page measured for the viewer `key` ("dpo", "trust", "school")."""
    from core.keyset import cursor_of
    from incidents.models import Incident

    viewer = county.viewers[key]
    visible = Incident.objects.visible_to(viewer).count()
    deep = max(1, (visible + PAGE_SIZE - 1) // PAGE_SIZE // 2)
    # The list pages by keyset (core/keyset.py): the page `deep` pages in starts after the row
    # just before it, as its "Next" link would say (found once here, by an offset, outside the timing).
    newest_first = Incident.objects.visible_to(viewer).order_by("-reported_on", "-id").values("reported_on", "id")
    before_it = newest_first[(deep - 1) * PAGE_SIZE - 1] if deep > 1 else None
    after = f"?after={quote(cursor_of(before_it, 'reported_on'))}" if before_it else ""
    found = [
        ("incident list, first page", "/incidents/"),
        (f"incident list, page {deep:,} of {visible:,} incidents", f"/incidents/{after}"),
        ("triage queue", "/incidents/queue/"),
        ("work: assigned to me", "/incidents/mine/"),
        ("work: serious incidents", "/incidents/serious/"),
        ("work: ICO clocks", "/deadlines/ico-clocks/"),
        ("home", "/"),
    ]
    if county.sample is not None:
        found.append(("incident page", f"/incidents/{county.sample.uuid}/"))
    found += [(f"search '{text}'", f"/learning/search/?q={text.replace(' ', '+')}") for text in SEARCHES]
    found += [("dashboard", "/reports/"), ("monitoring log, first page", "/reports/log/")]
    return found


def measure_pages(
    county: Any, key: str, label: str, repeat: int, get: Callable[[str], tuple[int, int | None]]
) -> list[Figure]:
    figures = []
    for what, url in pages(county, key):
        figure = Figure(what, label)
        figure.status, _ = get(url)  # warm-up (and the status a broken page would give)
        if figure.status == 200:
            for _ in range(repeat):
                t0 = time.perf_counter()
                figure.status, figure.queries = get(url)
                figure.times.append((time.perf_counter() - t0) * 1000)
        figures.append(figure)
        print(" | ".join(figure.cells()), flush=True)
    return figures


class counting_queries:
    """The queries run inside it. Django keeps at most `queries_limit` (9,000) in its log and
    `CaptureQueriesContext` counts by the log's length, so a long run (the scan, after all the
    pages) would be miscounted: the log is emptied first and the limit raised."""

    def __enter__(self) -> "counting_queries":
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        connection.queries_log.clear()
        connection.queries_limit = 10_000_000
        connection.queries_log = type(connection.queries_log)(maxlen=connection.queries_limit)
        self.context = CaptureQueriesContext(connection)
        self.context.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.context.__exit__(*exc)

    def __len__(self) -> int:
        return len(self.context)


def client_get(user: Any) -> Callable[[str], tuple[int, int | None]]:
    """GET through django.test.Client as `user`, the body read in full; (status, queries)."""

    from tests.mfa import SecondFactorClient

    client = SecondFactorClient()  # signed in past the second factor, as bench/load.py does
    client.force_login(user)

    def get(url: str) -> tuple[int, int | None]:
        with counting_queries() as captured:
            response = client.get(url)
            if response.streaming:
                for _ in response.streaming_content:  # type: ignore[attr-defined]
                    pass
            else:
                response.content  # noqa: B018 (rendered already; read as a browser would)
        return response.status_code, len(captured)

    return get


class Gunicorn:
    """gunicorn with 2 workers on a free port, on the bench's database."""

    def __init__(self, url: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = os.environ | {"DATABASE_URL": url, "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "127.0.0.1"}
        self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [str(ROOT / ".venv/bin/gunicorn"), "incidentdesk.wsgi", "-w", "2", "-b", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accessibility/", timeout=5)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer in 60 s")

    def get_as(self, user: Any) -> Callable[[str], tuple[int, int | None]]:
        from django.conf import settings

        from tests.mfa import SecondFactorClient

        client = SecondFactorClient()
        client.force_login(user)  # a session in the database gunicorn reads, second factor passed
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        no_redirect = urllib.request.build_opener(NoRedirect)

        def get(url: str) -> tuple[int, int | None]:
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}{url}", headers={"Cookie": cookie})
            try:
                with no_redirect.open(request, timeout=600) as response:
                    response.read()
                    return response.status, None
            except urllib.error.HTTPError as error:
                return error.code, None

        return get

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def measure_exports(county: Any, key: str, label: str, cap: int) -> list[Figure]:
    """CSV and XLSX of the viewer's whole log (its first `cap` rows), through the log's own
    functions; the figure's note is rows/s."""
    from django.test import RequestFactory
    from django.utils import timezone

    from insights import export, log
    from insights.scope import resolve_for_handlers

    request = RequestFactory().get("/reports/log/export.csv")
    request.user = county.viewers[key]
    figures = []
    for fmt in ("csv", "xlsx"):
        with counting_queries() as captured:
            t0 = time.perf_counter()
            now = timezone.now()
            _, queryset = log.filtered(resolve_for_handlers(request), {}, now)
            if cap:
                queryset = queryset[:cap]
            chunks, _ = export.FORMATS[fmt]
            rows = 0
            size = 0
            counted = _counting(log.rows(queryset, now))
            for chunk in chunks(counted):
                size += len(chunk)
            rows = counted.count
            elapsed = time.perf_counter() - t0
        figure = Figure(f"{fmt.upper()} export", label, [elapsed * 1000], len(captured))
        capped = " (capped)" if cap and rows >= cap else ""
        figure.note = f"{rows:,} rows{capped}, {rows / elapsed:,.0f} rows/s, {size / 1e6:,.1f} MB"
        figures.append(figure)
        print(" | ".join(figure.cells()), flush=True)
    return figures


class _counting:
    def __init__(self, rows: Any) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Any:
        for row in self.rows:
            self.count += 1
            yield row


def measure_scan(repeat: int, due: int = 1000) -> list[Figure]:

    from bench.county import settle
    from deadlines.models import Escalation
    from deadlines.scan import scan
    from incidents.models import Incident

    settle()  # what fell due since the database was made is escalated, as a running scan would have
    scan()  # and the scan has run since: each deadline's next moment (attention_at) moved on
    quiet = Figure("deadline scan, nothing due", "service")

    def timed(figure: Figure) -> Any:
        with counting_queries() as captured:
            t0 = time.perf_counter()
            result = scan()
            figure.times.append((time.perf_counter() - t0) * 1000)
        figure.queries = len(captured)
        return result

    for _ in range(repeat):
        result = timed(quiet)
        quiet.note = f"{result.incidents:,} incidents looked at, {result.escalations} escalations"
    print(" | ".join(quiet.cells()), flush=True)

    chosen = list(
        Escalation.objects.filter(action__isnull=True, incident__status__in=Incident.OPEN_STATUSES)
        .order_by("incident_id")
        .values_list("incident_id", flat=True)
        .distinct()[:due]
    )
    Escalation.objects.filter(incident_id__in=chosen, action__isnull=True).delete()
    # They fell due since the last scan: their overdue deadlines' moment is now, as store.py and
    # the scan would have left it at the moment each fell due.
    from django.utils import timezone

    from deadlines.models import Deadline

    now = timezone.now()
    Deadline.objects.overdue(now).filter(incident_id__in=chosen, action__isnull=True).update(attention_at=now)
    busy = Figure(f"deadline scan, {len(chosen):,} incidents due", "service")
    result = timed(busy)
    busy.note = f"{result.escalations:,} escalations sent (once: then nothing is due again)"
    print(" | ".join(busy.cells()), flush=True)
    return [quiet, busy]


def table(figures: list[Figure]) -> str:
    lines = ["| page | viewer | p50 ms | p95 ms | queries | |", "| --- | --- | ---: | ---: | ---: | --- |"]
    lines += ["| " + " | ".join(f.cells()) + " |" for f in figures]
    return "\n".join(lines)


def run(
    county: Any, *, repeat: int, export_cap: int, scan_repeat: int, http: Any = None, viewers: Any = None
) -> list[Figure]:
    """Every figure, for each viewer (default `county.VIEWERS`), then the scan."""
    from bench.county import VIEWERS

    figures: list[Figure] = []
    for label, key in viewers or VIEWERS:
        get = http.get_as(county.viewers[key]) if http else client_get(county.viewers[key])
        figures += measure_pages(county, key, label, repeat, get)
        figures += measure_exports(county, key, label, export_cap)
    figures += measure_scan(scan_repeat)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--schools", type=int, default=550)
    parser.add_argument("--trusts", type=int, default=25)
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the generated database")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--scan-repeat", type=int, default=3)
    parser.add_argument("--export-cap", type=int, default=100_000, help="rows per export measured (0: all)")
    parser.add_argument("--http", action="store_true", help="through gunicorn (2 workers) instead of the test client")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    url = database_url(args)
    if url.startswith("postgres"):
        fresh_postgres(url, keep=args.reuse)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import county as generator
    from incidents.models import Incident

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {url.split('@')[-1]}; migrated in {time.perf_counter() - t0:.1f} s")
    county = generator.find() if args.reuse else None
    generation = ""
    if county is None:
        print(f"generating {args.incidents:,} incidents in {args.schools} schools")
        t0 = time.perf_counter()
        county = generator.generate(args.incidents, schools=args.schools, trusts=args.trusts)
        generation = f"generated in {time.perf_counter() - t0:,.0f} s"
    else:
        print(f"reusing {Incident.objects.count():,} incidents")
    if args.generate_only:
        return

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before measuring: {load}")
    http = Gunicorn(url) if args.http else None
    try:
        figures = run(county, repeat=args.repeat, export_cap=args.export_cap, scan_repeat=args.scan_repeat, http=http)
    finally:
        if http:
            http.stop()
    after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    total = Incident.objects.count()
    heading = (
        f"{connection.vendor}, {total:,} incidents in {len(county.schools)} schools"
        f"{', ' + generation if generation else ''}; {'gunicorn, 2 workers' if http else 'django.test.Client'}, "
        f"{args.repeat} runs after a warm-up; exports capped at {args.export_cap:,} rows; "
        f"load average {load} before, {after} after"
    )
    text = f"{heading}\n\n{table(figures)}\n"
    print("\n" + text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


def references(html: str) -> set[str]:
    """The incident references on a page (the test checks the list shows what `visible_to` says)."""
    return set(re.findall(r"INC-\d{4}-\d{5,}", html))


if __name__ == "__main__":
    main()
