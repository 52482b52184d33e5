"""The API beside the web pages: list, detail and report-one latency (p50, p95) and throughput.

    .venv/bin/python bench/api_vs_web.py [--incidents 5000] [--requests 200] [--reports 100]

Same data, same machine, same process: a throwaway database (a fresh SQLite file in a
temporary folder, or the PostgreSQL database in BENCH_DATABASE_URL, which it empties first:
never point it at one you care about) with N incidents over 20 schools, and one incident
manager over all of them, who asks each thing through the page and through the API in turn:

- list: the incident list's first page (`/incidents/`) and the API's (`GET /api/v1/incidents`),
  50 rows each;
- detail: one incident's page and `GET /api/v1/incidents/{uuid}` (both write the view event);
- report one: the staff report form's POST and `POST /api/v1/incidents` (the same service).

Requests go through Django's test client (the whole middleware and URL stack, no network),
one after another, alternating page and API so drift on a shared machine falls on both alike.
Throughput is sequential: requests completed per second of wall-clock time in one process.
Not a test: the numbers depend on the machine. Prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200, help="list and detail requests through each door")
    parser.add_argument("--reports", type=int, default=100, help="reports made through each door")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["API_RATE_LIMIT_PER_MINUTE"] = str(10**9)  # the limit is not what is measured
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from api.models import ApiToken
    from incidents.models import Incident, IncidentType
    from insights.sample import generate
    from lib import clock
    from organisations.models import Membership, Organisation, Role
    from tests.factories import UserFactory
    from tests.mfa import SecondFactorClient

    settings.MEDIA_ROOT = Path(folder) / "media"
    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(
        f"database: {connection.vendor}; {args.incidents} incidents; {args.requests} list and detail requests, "
        f"{args.reports} reports through each door"
    )

    trust = Organisation.objects.create(name="Bench Trust", kind="trust")
    schools = [Organisation.objects.create(name=f"School {i}", kind="school", parent=trust) for i in range(20)]
    types = [*IncidentType.objects.filter(organisation=None), None]
    generate(schools, types, args.incidents, now=timezone.now())
    manager = UserFactory(email="bench-manager@example.org", full_name="Bench Manager")
    Membership.objects.create(user=manager, organisation=trust, role=Role.INCIDENT_MANAGER)
    # Reporting: the manager also belongs to one school, so the form offers it (and only it).
    Membership.objects.create(user=manager, organisation=schools[0], role=Role.REPORTER)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _, secret = ApiToken.issue(
        person=manager, name="Bench", scopes=["read", "report", "handle"], created_by=manager, created_on=clock.now()
    )
    api = {"Authorization": f"Bearer {secret}"}
    web = SecondFactorClient()
    web.force_login(manager)
    program = SecondFactorClient()  # no session: the token is all it has

    uuids = list(Incident.objects.order_by("-reported_on").values_list("uuid", flat=True)[: args.requests])
    report = {"description": "A laptop was left on the train.", "location": "Platform 2"}

    def web_list(i: int) -> int:
        return web.get("/incidents/").status_code

    def api_list(i: int) -> int:
        return program.get("/api/v1/incidents", headers=api).status_code

    def web_detail(i: int) -> int:
        return web.get(f"/incidents/{uuids[i % len(uuids)]}/").status_code

    def api_detail(i: int) -> int:
        return program.get(f"/api/v1/incidents/{uuids[i % len(uuids)]}", headers=api).status_code

    def web_report(i: int) -> int:
        form = report | {"organisation": schools[0].pk, "identity": "named", "submission_key": str(uuid.uuid4())}
        return web.post("/report/", form).status_code

    def api_report(i: int) -> int:
        body = report | {"organisation": str(schools[0].uuid)}
        return program.post("/api/v1/incidents", body, content_type="application/json", headers=api).status_code

    def measure(pair: tuple[Callable[[int], int], Callable[[int], int]], count: int, ok: tuple[int, int]) -> list[dict]:
        for door, expected in zip(pair, ok, strict=True):  # warm each door once
            status = door(0)
            assert status == expected, (door.__name__, status)
        times: list[list[float]] = [[], []]
        totals = [0.0, 0.0]
        for i in range(count):
            for side, door in enumerate(pair):
                started = time.perf_counter()
                status = door(i)
                elapsed = time.perf_counter() - started
                assert status == ok[side], (door.__name__, status)
                times[side].append(elapsed * 1000)
                totals[side] += elapsed
        return [
            {
                "p50": statistics.median(times[side]),
                "p95": percentile(times[side], 0.95),
                "per_second": count / totals[side],
            }
            for side in (0, 1)
        ]

    rows = [
        ("list (first page, 50 rows)", measure((web_list, api_list), args.requests, (200, 200))),
        ("detail (one incident)", measure((web_detail, api_detail), args.requests, (200, 200))),
        ("report one", measure((web_report, api_report), args.reports, (302, 201))),
    ]
    print()
    print("| operation | web p50 | web p95 | web per second | API p50 | API p95 | API per second |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, (page, program_side) in rows:
        print(
            f"| {name} | {page['p50']:.1f} ms | {page['p95']:.1f} ms | {page['per_second']:.0f} "
            f"| {program_side['p50']:.1f} ms | {program_side['p95']:.1f} ms | {program_side['per_second']:.0f} |"
        )


if __name__ == "__main__":
    main()
