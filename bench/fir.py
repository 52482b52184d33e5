"""FIR (CERT Société Générale's incident tracker) measured the way `bench/compare.py --http` measures us.

    .venv/bin/python bench/fir.py --fir /tmp/fir [--incidents 100000] [--repeat 20] [--reuse]
        [--ours /tmp/bench/ours-http-sqlite-100k.md] [--out bench/results/fir-sqlite-100k.md]

Issue 20 asks how our county pages compare with FIR's on the same machine and the same data. This
script takes a FIR checkout that runs (`--fir`: its `manage.py`, its `fir.settings` reading the
SQLite file named by the environment variable FIR_DB, and its own virtualenv at `.venv`; FIR runs on
an older Django than ours, so it never shares our interpreter) and:

1. generates N FIR incidents in a SQLite file of their own (`/tmp/fir-bench-<N>.sqlite3`), shaped as
   `bench/county.py` shapes ours: 25 trusts as root business lines with 550 schools beneath them,
   two reporters per school, reports spread over seven years (oldest first, so ids rise with the
   date), the last two months partly open and older ones closed but for 0.5 % left behind, the
   same descriptions (`learning.corpus`), severities weighted as ours. Every row goes in with
   `bulk_create` in FIR's own interpreter (a child process running FIR's models): no HTTP.
   Each incident gets the "Opened" comment FIR writes on creation (and a "Closed" one if closed),
   its school as concerned business line and its trust as main business line. The viewer is a
   superuser: in FIR, the user who sees everything.
2. starts FIR under gunicorn (2 workers, a free port, that file), signs in by a session made in
   FIR's session table, and measures each page `--repeat` times after one warm-up, p50 and p95 ms,
   as `bench/compare.py` does: the incident list's first page (FIR's list page `/incidents/` is a
   shell whose table comes from `/incidents/all/`, so both are measured: the table is the list),
   the three searches of `bench/compare.py` (FIR's `/search/?q=` answers its table to the page's
   XMLHttpRequest; that request is what is measured), and an incident page with a short history.
3. prints a Markdown table with the load averages before and after; with `--ours`, the table
   `bench/compare.py --http` wrote for us is read and set beside FIR's, with the ratio.

`--reuse` keeps the generated file and generates only when it holds no incidents.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.compare import SEARCHES, percentile  # noqa: E402 (after the path that finds it)

SEVERITY_WEIGHTS = [(1, 55), (2, 30), (3, 12), (4, 3)]  # ours: minor, moderate, major, critical
CATEGORIES = [
    "Lost or stolen device",
    "Sent to the wrong recipient",
    "Phishing",
    "Unauthorised access",
    "Paper records",
    "Malware",
    "Loss of availability",
    "Verbal disclosure",
    "Other",
]

# Run by FIR's own interpreter, in the FIR checkout, with FIR's settings: only FIR's models and Django.
CHILD = r"""
import datetime, json, os, random, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from incidents.models import (BaleCategory, BusinessLine, Comments, Incident, IncidentCategory, Label,
                              LabelGroup, Profile)

job = json.load(sys.stdin)
VIEWER = "bench-county-dpo"


def labels(group, names):
    g, _ = LabelGroup.objects.get_or_create(name=group)
    return [Label.objects.get_or_create(name=n, group=g)[0] for n in names]


def generate(job):
    call_command("migrate", run_syncdb=True, verbosity=0)
    if Incident.objects.exists():
        return {"generated": 0, "incidents": Incident.objects.count()}
    rng = random.Random(job["seed"])
    now = datetime.datetime.now().replace(microsecond=0)
    detection = labels("detection", ["CERT", "External", "Staff"])
    actor = labels("actor", ["DPO", "Trust handler", "School business manager"])
    plan = labels("plan", ["A", "B", "C"])
    opened, closed, _blocked, info = labels("action", ["Opened", "Closed", "Blocked", "Info"])
    bale = BaleCategory.objects.create(name="Information security", category_number=1)
    categories = [IncidentCategory.objects.create(name=n, bale_subcategory=bale) for n in job["categories"]]
    viewer = User.objects.create_superuser(VIEWER, "bench-county-dpo@example.org", None)
    Profile.objects.create(user=viewer, incident_number=50, hide_closed=False)
    trusts = [BusinessLine.add_root(name="Bench Trust %d" % (i + 1)) for i in range(job["trusts"])]
    schools, trust_of = [], {}
    for i in range(job["schools"]):
        trust = BusinessLine.objects.get(pk=trusts[i % len(trusts)].pk)
        school = trust.add_child(name="Bench School %d" % (i + 1))
        schools.append(school)
        trust_of[school.pk] = trust.pk
    users = User.objects.bulk_create(
        [User(username="bench-staff-%d-%d" % (s.pk, n), password="!") for s in schools for n in range(2)]
    )
    by_name = dict(User.objects.filter(username__startswith="bench-staff-").values_list("username", "pk"))
    reporters = {s.pk: [by_name["bench-staff-%d-%d" % (s.pk, n)] for n in range(2)] for s in schools}
    concerned = Incident.concerned_business_lines.through
    main = Incident.main_business_lines.through
    rows, links, mains, comments = [], [], [], []

    def flush():
        with transaction.atomic():
            Incident.objects.bulk_create(rows)
            concerned.objects.bulk_create(links)
            main.objects.bulk_create(mains)
            Comments.objects.bulk_create(comments)
        for batch in (rows, links, mains, comments):
            del batch[:]  # list.clear() is not in the Python 2 that FIR runs on

    for n, row in enumerate(job["rows"]):
        pk = n + 1
        school = schools[row["school"]]
        date = now - datetime.timedelta(seconds=row["age_s"])
        who = reporters[school.pk][row["reporter"]]
        rows.append(Incident(
            pk=pk, date=date, subject=row["subject"][:256], description=row["description"],
            category=categories[row["category"]], detection=detection[row["detection"]],
            severity=row["severity"], is_incident=True, actor=actor[row["severity"] % 3],
            plan=plan[row["severity"] % 3] if row["severity"] > 1 else None, status=row["status"],
            opened_by_id=who, confidentiality=1,
        ))
        links.append(concerned(incident_id=pk, businessline_id=school.pk))
        mains.append(main(incident_id=pk, businessline_id=trust_of[school.pk]))
        comments.append(Comments(date=date, comment="Incident opened", action=opened, incident_id=pk, opened_by_id=who))
        if row["status"] == "C":
            comments.append(Comments(date=min(now, date + datetime.timedelta(days=row["closed_after_d"])),
                                     comment="Closed after investigation", action=closed, incident_id=pk,
                                     opened_by_id=viewer.pk))
        if len(rows) >= 10000:
            flush()
    if rows:
        flush()
    shown = Incident.objects.order_by("-pk").first()  # the incident page: the newest, with a short history
    for n in range(5):
        Comments.objects.create(date=shown.date + datetime.timedelta(hours=n + 1), action=info, incident=shown,
                                opened_by=viewer, comment="Step %d of the investigation: the class list was "
                                "recalled and the parent asked to delete it." % (n + 1))
    return {"generated": len(job["rows"]), "incidents": Incident.objects.count()}


def session(job):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    viewer = User.objects.get(username=VIEWER)
    store = SessionStore()
    store[SESSION_KEY] = str(viewer.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
    store.create()
    return {"cookie": "%s=%s" % (settings.SESSION_COOKIE_NAME, store.session_key),
            "incident": Incident.objects.order_by("-pk").values_list("pk", flat=True).first(),
            "incidents": Incident.objects.count()}


print(json.dumps({"generate": generate, "session": session}[job["action"]](job)))
"""


def rows(count: int, schools: int, seed: int) -> list[dict[str, Any]]:
    """FIR incidents as `bench/county.py` makes ours: the same seven years, states and descriptions."""
    import random

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from learning.corpus import description

    rng = random.Random(seed)
    days, open_days, stale = 7 * 365, 60, 0.005
    made = []
    for age in sorted((rng.random() * days for _ in range(count)), reverse=True):
        text, _place = description(rng)
        if age < open_days:
            status = "O" if rng.random() < (0.95 if age < 3 else 0.6) else "C"
        else:
            status = "O" if rng.random() < stale else "C"
        made.append(
            {
                "age_s": round(age * 86400),
                "school": rng.randrange(schools),
                "reporter": rng.randrange(2),
                "subject": text.split(" near the ")[0],
                "description": text,
                "category": rng.randrange(len(CATEGORIES)),
                "detection": rng.randrange(3),
                "severity": rng.choices([v for v, _ in SEVERITY_WEIGHTS], [w for _, w in SEVERITY_WEIGHTS])[0],
                "status": status,
                "closed_after_d": rng.uniform(2, 40),
            }
        )
    return made


def child(fir: Path, db: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Run CHILD in FIR's interpreter on `job`; its JSON answer."""
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "fir.settings", "FIR_DB": str(db), "PYTHONPATH": str(fir)}
    done = subprocess.run(  # noqa: S603 (FIR's own interpreter, our fixed script)
        [str(fir / ".venv/bin/python"), "-c", CHILD],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=fir,
        env=env,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"FIR's interpreter failed:\n{done.stderr[-4000:]}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


@dataclass
class Figure:
    what: str
    url: str
    times: list[float] = field(default_factory=list)  # ms
    status: int = 200
    size: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.times, 0.95) if self.times else 0.0


class Gunicorn:
    """FIR under gunicorn with 2 workers on a free port, on the generated file."""

    def __init__(self, fir: Path, db: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = os.environ | {"DJANGO_SETTINGS_MODULE": "fir.settings", "FIR_DB": str(db)}
        self.process = subprocess.Popen(  # noqa: S603 (FIR's gunicorn, fixed arguments)
            [str(fir / ".venv/bin/gunicorn"), "fir.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{self.port}"],
            cwd=fir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("FIR's gunicorn did not answer in 60 s")

    def get(self, url: str, cookie: str, xhr: bool) -> tuple[int, int]:
        headers = {"Cookie": cookie}
        if xhr:
            headers["X-Requested-With"] = "XMLHttpRequest"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{url}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (our own server)
                return response.status, len(response.read())
        except urllib.error.HTTPError as error:
            return error.code, 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def pages(incident: int) -> list[tuple[str, str, bool]]:
    """(what, URL, sent as XMLHttpRequest) of each FIR page measured."""
    found = [
        ("incident list, first page", "/incidents/all/", False),
        ("incident list page shell (table loads from the row above)", "/incidents/", False),
        ("incident page", f"/incidents/{incident}/", False),
    ]
    found += [(f"search '{text}'", f"/search/?q={quote_plus(text)}", True) for text in SEARCHES]
    return found


def measure(server: Gunicorn, cookie: str, incident: int, repeat: int) -> list[Figure]:
    figures = []
    for what, url, xhr in pages(incident):
        figure = Figure(what, url)
        figure.status, figure.size = server.get(url, cookie, xhr)  # warm-up
        if figure.status == 200:
            for _ in range(repeat):
                t0 = time.perf_counter()
                figure.status, figure.size = server.get(url, cookie, xhr)
                figure.times.append((time.perf_counter() - t0) * 1000)
        figures.append(figure)
        print(f"{what} | {figure.status} | {figure.p50:,.1f} | {figure.p95:,.1f}", flush=True)
    return figures


def ours(path: Path) -> dict[str, tuple[float, float]]:
    """p50/p95 of each county-DPO page in the table `bench/compare.py` wrote."""
    found = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[1] == "county DPO":
            try:
                found[cells[0]] = (float(cells[2].replace(",", "")), float(cells[3].replace(",", "")))
            except ValueError:
                continue
    return found


GOALS = {"incident list, first page": 0.1, "incident page": 0.5} | {f"search '{t}'": 0.1 for t in SEARCHES}


def table(figures: list[Figure], mine: dict[str, tuple[float, float]]) -> str:
    head = (
        "| page (county DPO / FIR superuser) | FIR p50 ms | FIR p95 ms | ours p50 ms | ours p95 ms"
        " | ours / FIR (p50) | goal |"
    )
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for f in figures:
        if f.status != 200:
            lines.append(f"| {f.what} | HTTP {f.status} | | | | | |")
            continue
        p50, p95 = mine.get(f.what, (0.0, 0.0))
        ratio = f"{p50 / f.p50:.3f}" if p50 and f.p50 else ""
        goal = f"≤ {GOALS[f.what]}" if f.what in GOALS else ""
        theirs = f"{p50:,.1f} | {p95:,.1f}" if p50 else " | "
        lines.append(f"| {f.what} | {f.p50:,.1f} | {f.p95:,.1f} | {theirs} | {ratio} | {goal} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fir", type=Path, required=True, help="a FIR checkout with its own .venv")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=550)
    parser.add_argument("--trusts", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the generated FIR database")
    parser.add_argument("--generate-only", action="store_true", help="generate (with --reuse, keep) and stop")
    parser.add_argument("--ours", type=Path, help="the table bench/compare.py --http wrote, to set beside FIR's")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    fir = args.fir.resolve()
    db = Path(f"/tmp/fir-bench-{args.incidents}.sqlite3")  # noqa: S108 (a throwaway bench file)
    if db.exists() and not args.reuse:
        db.unlink()
    t0 = time.perf_counter()
    made = child(fir, db, {"action": "session"}) if db.exists() else {"incidents": 0}
    if not made["incidents"]:
        job = {
            "action": "generate",
            "seed": args.seed,
            "trusts": args.trusts,
            "schools": args.schools,
            "categories": CATEGORIES,
            "rows": rows(args.incidents, args.schools, args.seed),
        }
        print(child(fir, db, job), f"in {time.perf_counter() - t0:.1f} s", flush=True)
    if args.generate_only:
        return
    signed_in = child(fir, db, {"action": "session"})
    before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    server = Gunicorn(fir, db)
    try:
        figures = measure(server, signed_in["cookie"], signed_in["incident"], args.repeat)
    finally:
        server.stop()
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    mine = ours(args.ours) if args.ours else {}
    text = (
        f"FIR at {signed_in['incidents']:,} incidents, SQLite, gunicorn 2 workers, {args.repeat} runs after a "
        f"warm-up; load average before {before}, after {after}; {os.cpu_count()} cores.\n\n"
        + table(figures, mine)
        + "\n"
    )
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
