"""The county peak: a phishing wave of reports through the web form while handlers browse.

    .venv/bin/python bench/load.py [--rate 15] [--seconds 300] [--handlers 20] [--quick]

What it starts, on a throwaway PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/deploy_load; it is DROPPED and made again: never point it
at one you care about) and a temporary VAR_DIR (the record's keys, shared by every process as
on several machines):

- `migrate`, then a generated county: a council over 5 trusts and 50 schools, N incidents
  (`insights.sample.generate`, bulk inserts), 2 county DPOs and incident managers at trusts and
  schools (the handlers), 40 members of staff who report, and public report pages at 10 schools;
- gunicorn with 2 workers (`incidentdesk.wsgi`), two `manage.py db_worker`s.

Then, for --seconds, a wave of --rate reports a second, each as a browser makes it: GET the
form, POST it with its CSRF token (or the public page's signed token), GET the page that
acknowledges it and read the reference it shows. Two in three through the staff form as a
member of staff signed in through the sign-in form; one in three through a school's public
page, named (so it acknowledges a reference), each from its own forwarded address, as
pupils and parents behind the county's proxy would be. Meanwhile --handlers handlers browse:
the incident list, then an incident from it, with a pause of 1 to 3 seconds between pages.
Handlers must pass a second factor (organisations/mfa.py), so their sessions are made in the
database through the session engine, with the password and TOTP steps recorded as allauth
records them (tests/mfa.py): the bench's own generated people, never a real account.

Reports are sent by a bounded pool of threads (the standard library: no httpx or aiohttp in
the project), paced from a clock so a slow answer does not slow the wave; a report starts
late only when every thread is busy, and the lag is printed. At the end: reports sent,
accepted, errors, references acknowledged and found in the database, and p50/p95 of each kind
of request. Not a test: the figures depend on the machine.
"""

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
REFERENCE = re.compile(r'data-testid="reference">([^<]+)<')
INCIDENT_LINK = re.compile(r'href="(/incidents/[0-9a-f-]{36}/)"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


class FormFields(HTMLParser):
    """The fields a browser would send from each POST form of a page: hidden values, the
    checked (or first) radio, the first option of a select; never a file or a button."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.inside = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.forms.append({})
            self.inside = True
        if not self.inside:
            return
        fields = self.forms[-1]
        if tag == "option" and self._select is not None:
            fields.setdefault(self._select, a.get("value", ""))
        if not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "radio":
                if "checked" in a or name not in fields:
                    fields[name] = a.get("value", "")
            elif kind == "checkbox":
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in {"file", "submit"}:
                fields[name] = a.get("value", "")
        elif tag == "textarea":
            fields[name] = ""
        elif tag == "select":
            self._select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None


def form_fields(html: str, having: str) -> dict[str, str]:
    """The fields of the page's POST form that has a field named `having` (not sign-out's)."""
    parser = FormFields()
    parser.feed(html)
    return next(form for form in parser.forms if having in form)


class Browser:
    """One person's cookies over fresh connections (gunicorn's sync workers close each one)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None, forwarded_for: str = "") -> None:
        self.port, self.cookies, self.forwarded_for = port, dict(cookies or {}), forwarded_for
        self.lock = threading.Lock()  # report threads may share one person's browser

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of one request."""
        headers = {"Host": "127.0.0.1"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    with self.lock:
                        self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location") or "", text
        finally:
            connection.close()


class Figures:
    """Latencies by kind of request, errors with a sample of each, references acknowledged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, str] = {}
        self.references: list[str] = []
        self.sent = self.accepted = 0
        self.lag: list[float] = []

    @contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        with self.lock:
            self.times[kind].append(time.perf_counter() - started)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            self.samples.setdefault(kind, what[:300])


def form_errors(page: str) -> str:
    return "; ".join(re.findall(r"<li>(?:<a [^>]*>)?([^<]+)<", page.split("govuk-error-summary__list", 1)[-1])[:5])


def expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status}, expected {wanted}")


def staff_report(browser: Browser, figures: Figures, n: int) -> str:
    with figures.timed("report form (GET)"):
        status, _, page = browser.request("GET", "/report/")
    expect(status, 200, "GET /report/")
    form = form_fields(page, "description") | {
        "description": f"Bench phishing wave {n}: an email asking staff to re-enter their password.",
        "location": "Staff inbox",
        "identity": "named",
        "submission_key": str(uuid.uuid4()),
    }
    with figures.timed("report (POST)"):
        status, location, page = browser.request("POST", "/report/", form)
    expect(status, 302, f"POST /report/ {form_errors(page)}")
    with figures.timed("acknowledgement (GET)"):
        status, _, page = browser.request("GET", urlsplit(location).path)
    expect(status, 200, f"GET {location}")
    found = REFERENCE.search(page)
    if not found:
        raise RuntimeError("acknowledgement without a reference")
    return found.group(1).strip()


def public_report(port: int, slug: str, figures: Figures, n: int) -> str:
    # Each sender its own address, forwarded by the proxy (ANONYMOUS_CLIENT_ADDRESS_HEADER).
    browser = Browser(port, forwarded_for=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    with figures.timed("public page (GET)"):
        status, _, page = browser.request("GET", f"/r/{slug}/")
    expect(status, 200, f"GET /r/{slug}/")
    form = form_fields(page, "description") | {
        "description": f"Bench phishing wave {n}: my child's school account was sent a strange link.",
        "who": "named",
        "reporter_name": f"Parent {n}",
        "reporter_email": f"parent{n}@example.org",
        "website": "",
    }
    with figures.timed("public report (POST)"):
        status, _, page = browser.request("POST", f"/r/{slug}/", form)
    expect(status, 200, f"POST /r/{slug}/")
    found = REFERENCE.search(page)
    if not found:
        raise RuntimeError(f"public report not acknowledged: {form_errors(page)}")
    return found.group(1).strip()


def handler_loop(browser: Browser, figures: Figures, stop: threading.Event, rng: random.Random) -> None:
    while not stop.is_set():
        try:
            with figures.timed("incident list"):
                status, _, page = browser.request("GET", "/incidents/")
            expect(status, 200, "GET /incidents/")
            links = INCIDENT_LINK.findall(page)
            if stop.wait(rng.uniform(1, 3)) or not links:
                continue
            path = rng.choice(links)
            with figures.timed("incident page"):
                status, _, page = browser.request("GET", path)
            expect(status, 200, f"GET {path}")
        except Exception as failed:
            figures.error("handler", f"{type(failed).__name__}: {failed}")
        stop.wait(rng.uniform(1, 3))


def sign_in(port: int, email: str, password: str) -> Browser:
    """Through the sign-in form, as a member of staff does (no second factor for reporters)."""
    browser = Browser(port)
    status, _, page = browser.request("GET", "/accounts/login/")
    expect(status, 200, "GET /accounts/login/")
    form = form_fields(page, "login") | {"login": email, "password": password}
    status, _, _ = browser.request("POST", "/accounts/login/", form)
    expect(status, 302, f"sign-in of {email}")
    return browser


def build_county(incidents: int, handlers: int) -> dict[str, object]:
    """The generated county in the bench database; returns who signs in where."""
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from anonymous.models import PublicReportPage
    from incidents.models import IncidentType
    from insights.sample import generate
    from organisations.models import Membership, Organisation, Role
    from tests.mfa import SecondFactorClient

    county = Organisation.objects.create(name="Bench County Council", kind=Organisation.Kind.COUNCIL)
    trusts = [
        Organisation.objects.create(name=f"Bench Trust {t}", kind=Organisation.Kind.TRUST, parent=county)
        for t in range(5)
    ]
    schools = [
        Organisation.objects.create(name=f"Bench School {s}", kind=Organisation.Kind.SCHOOL, parent=trusts[s % 5])
        for s in range(50)
    ]
    types = [*IncidentType.objects.filter(organisation=None), None]
    started = time.monotonic()
    generate(schools, types, incidents, now=timezone.now())
    print(f"  {incidents} incidents generated in {time.monotonic() - started:.0f} s")
    sessions = []
    for h in range(handlers):
        # Two county DPOs (they see everything), then managers at a trust, then at a school.
        where = county if h < 2 else trusts[h % 5] if h < 5 else schools[h % 50]
        role = Role.DPO if h < 2 else Role.INCIDENT_MANAGER
        email = f"handler{h}@bench.example.org"
        person = User.objects.create_user(email=email, password=None, full_name=f"Handler {h}")
        Membership.objects.create(user=person, organisation=where, role=role)
        client = SecondFactorClient()
        client.force_login(person)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    password = "bench-" + uuid.uuid4().hex
    staff = []
    for s in range(40):
        email = f"staff{s}@bench.example.org"
        person = User.objects.create_user(email=email, password=password, full_name=f"Staff {s}")
        Membership.objects.create(user=person, organisation=schools[s % 50], role=Role.REPORTER)
        staff.append(person.email)
    slugs = [PublicReportPage.objects.create(organisation=school).slug for school in schools[:10]]
    return {"sessions": sessions, "staff": staff, "password": password, "slugs": slugs}


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes and their children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    family, total = set(pids), 0.0
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and (int(entry.name) in family or int(fields[1]) in family):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Browser(port).request("GET", "/accounts/login/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=15, help="reports a second")
    parser.add_argument("--seconds", type=int, default=300, help="length of the wave")
    parser.add_argument("--handlers", type=int, default=20)
    parser.add_argument("--incidents", type=int, default=5000, help="generated before the wave")
    parser.add_argument("--quick", action="store_true", help="a 30-second wave")
    parser.add_argument("--threads", type=int, default=32, help="report senders at most at once")
    parser.add_argument("--gunicorn-threads", type=int, default=1, help="threads per gunicorn worker (1: sync)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if args.quick:
        args.seconds = 30

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/deploy_load")
    var_dir = tempfile.mkdtemp(prefix="incidentdesk-load-")
    env = os.environ | {
        "DATABASE_URL": url,
        "VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "incidentdesk.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "ANONYMOUS_CLIENT_ADDRESS_HEADER": "HTTP_X_FORWARDED_FOR",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
    }
    os.environ.update(env)
    recreate_database(url)
    print(f"database {urlsplit(url).path.lstrip('/')} (PostgreSQL), VAR_DIR {var_dir}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    county = build_county(args.incidents, args.handlers)
    connection.close()

    log = open(Path(var_dir) / "processes.log", "w")  # noqa: SIM115 (closed below)
    web = [
        "-m",
        "gunicorn",
        "incidentdesk.wsgi",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{args.port}",
        "--timeout",
        "120",
        "--no-control-socket",
    ]
    if args.gunicorn_threads > 1:
        web += ["--threads", str(args.gunicorn_threads)]
    commands = [web, *[["manage.py", "db_worker", "--no-reload", "--worker-id", f"bench-{w}"] for w in (1, 2)]]
    processes = [subprocess.Popen([PYTHON, *c], cwd=ROOT, env=env, stdout=log, stderr=log) for c in commands]  # noqa: S603
    try:
        wait_for(args.port)
        run(args, county, [processes[0].pid], [p.pid for p in processes[1:]])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()
        print(f"process log: {log.name}")


def run(args: argparse.Namespace, county: dict[str, object], web: list[int], workers: list[int]) -> None:
    from incidents.models import Incident

    staff = [sign_in(args.port, email, str(county["password"])) for email in county["staff"]]  # type: ignore[attr-defined]
    slugs: list[str] = county["slugs"]  # type: ignore[assignment]
    figures = Figures()
    stop = threading.Event()
    browsing = [
        threading.Thread(
            target=handler_loop,
            args=(Browser(args.port, {"sessionid": session}), figures, stop, random.Random(h)),
            daemon=True,
        )
        for h, session in enumerate(county["sessions"])  # type: ignore[call-overload]
    ]
    for thread in browsing:
        thread.start()
    before = Incident.objects.count()
    load1 = os.getloadavg()[0]
    cpu_before = cpu_seconds(web), cpu_seconds(workers)

    def one(n: int, scheduled: float) -> None:
        with figures.lock:
            figures.lag.append(time.monotonic() - scheduled)
        try:
            if n % 3 == 2:
                reference = public_report(args.port, slugs[n % len(slugs)], figures, n)
            else:
                reference = staff_report(staff[n % len(staff)], figures, n)
        except Exception as failed:
            figures.error("report", f"{type(failed).__name__}: {failed}")
        else:
            with figures.lock:
                figures.accepted += 1
                figures.references.append(reference)

    total = int(args.rate * args.seconds)
    print(f"wave: {total} reports at {args.rate:g}/s for {args.seconds} s, {args.handlers} handlers browsing")
    started = time.monotonic()
    loads = []
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        for n in range(total):
            scheduled = started + n / args.rate
            time.sleep(max(0.0, scheduled - time.monotonic()))
            pool.submit(one, n, scheduled)
            figures.sent += 1
            if n % max(1, int(args.rate * 10)) == 0:
                loads.append(os.getloadavg()[0])
        dispatched = time.monotonic() - started
    elapsed = time.monotonic() - started
    stop.set()
    for thread in browsing:
        thread.join(timeout=10)
    web_cpu, worker_cpu = cpu_seconds(web) - cpu_before[0], cpu_seconds(workers) - cpu_before[1]
    requests = sum(len(times) for times in figures.times.values())
    loads.append(os.getloadavg()[0])

    found = set(Incident.objects.filter(reference__in=figures.references).values_list("reference", flat=True))
    made = Incident.objects.count() - before
    print()
    print(f"| | {args.rate:g}/s for {args.seconds} s, {args.handlers} handlers, {args.incidents} incidents before |")
    print("| --- | --- |")
    print(f"| reports sent (due at {args.rate:g}/s over {dispatched:.0f} s) | {figures.sent} |")
    print(f"| last report answered after | {elapsed:.0f} s ({figures.accepted / elapsed:.1f} reports/s achieved) |")
    print(f"| accepted (acknowledged with a reference) | {figures.accepted} |")
    print(f"| errors | reports {figures.errors['report']}, handler pages {figures.errors['handler']} |")
    print(f"| references acknowledged found in the database | {len(found)} of {len(set(figures.references))} |")
    print(f"| incidents added during the wave | {made} |")
    print(f"| report start lag p50 / p95 / max | {fmt(figures.lag)} / {max(figures.lag, default=0) * 1000:.0f} ms |")
    print(f"| web CPU (2 gunicorn workers) | {web_cpu:.0f} s, {web_cpu / max(1, requests) * 1000:.0f} ms a request |")
    per_report = worker_cpu / max(1, figures.accepted) * 1000
    print(f"| worker CPU (2 db_workers) | {worker_cpu:.0f} s, {per_report:.0f} ms a report |")
    for kind in (
        "incident list",
        "incident page",
        "report form (GET)",
        "report (POST)",
        "acknowledgement (GET)",
        "public page (GET)",
        "public report (POST)",
    ):
        times = figures.times.get(kind, [])
        print(f"| {kind} p50 / p95 (n={len(times)}) | {fmt(times)} |")
    during = statistics.mean(loads)
    print(f"| load average (1 min) before / during / after | {load1:.1f} / {during:.1f} / {loads[-1]:.1f} |")
    for kind, sample in figures.samples.items():
        print(f"first {kind} error: {sample}")


def fmt(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    return f"{percentile(seconds, 0.5) * 1000:.0f} ms / {percentile(seconds, 0.95) * 1000:.0f} ms"


if __name__ == "__main__":
    main()
