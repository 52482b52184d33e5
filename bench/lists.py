"""The lists at 10,000 and 100,000 incidents: p50 and p95 in ms and queries per list and viewer.

    .venv/bin/python bench/lists.py [--sizes 10000 100000] [--repeat 10] [--no-search]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the
PostgreSQL database in BENCH_DATABASE_URL (which it empties first: never point it at one you
care about). A county DPO service over 550 schools (ten of them in a trust), incidents spread
over them with `insights.sample.generate` (bulk_create, every status, severity and clock state,
deadlines stored as the product stores them), grown to each size in turn. Three viewers: the
county DPO (sees everything), the trust's incident manager (ten schools) and one school's
business manager (incident manager of that school, investigator of some of its incidents and
reporter of some). Each list is asked `--repeat` times through Django's test client (the whole
middleware and template, no network) after one warm-up request; "next page" follows the first
page's rel="next" link, as a person without JavaScript does. Not a test: the figures depend on
the machine and its load (printed first).
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCHOOLS = 550
IN_TRUST = 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-search", action="store_true", help="skip the search box (its index takes minutes)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if os.environ.get("BENCH_DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    _county, schools, viewers = cast()
    made = 0
    for seed, size in enumerate(args.sizes, start=1):
        started = time.perf_counter()
        made += grow(schools, size - made, seed, viewers)
        print(f"\n## {made:,} incidents (generated in {time.perf_counter() - started:.0f} s)")
        if not args.no_search:
            from learning import search

            started = time.perf_counter()
            search.rebuild()
            print(f"search index rebuilt in {time.perf_counter() - started:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        measure(args, schools, viewers)
    print(f"\nload average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def cast() -> tuple[Any, list[Any], dict[str, Any]]:
    from organisations.models import Membership, Organisation, Role
    from tests.factories import UserFactory

    county = Organisation.objects.create(name="Bench County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    trust = Organisation.objects.create(name="Bench Trust", kind=Organisation.Kind.TRUST, parent=county)
    schools = [
        Organisation.objects.create(name=f"School {i}", kind="school", parent=trust if i < IN_TRUST else county)
        for i in range(SCHOOLS)
    ]
    viewers = {
        "county DPO": (county, Role.DPO),
        "trust handler": (trust, Role.INCIDENT_MANAGER),
        # A school outside the trust: the business manager of one school among 550.
        "school manager": (schools[IN_TRUST], Role.INCIDENT_MANAGER),
    }
    people = {}
    for who, (organisation, role) in viewers.items():
        person = UserFactory(email=f"bench-{who.replace(' ', '-')}@example.org", full_name=who.title())
        Membership.objects.create(user=person, organisation=organisation, role=role)
        people[who] = person
    return county, schools, people


def grow(schools: list[Any], count: int, seed: int, viewers: dict[str, Any]) -> int:
    """`count` more incidents; the school manager investigates and reported some of their school's."""
    from django.utils import timezone

    from incidents.models import Incident, IncidentType
    from insights.sample import generate

    types = [*IncidentType.objects.filter(organisation=None), None]
    made = generate(schools, types, count, now=timezone.now(), seed=seed)
    manager = viewers["school manager"]
    school = schools[IN_TRUST]
    theirs = Incident.objects.filter(organisation=school, investigator=None).order_by("id")
    Incident.objects.filter(
        pk__in=list(theirs.filter(status__in=Incident.OPEN_STATUSES).values_list("pk", flat=True)[:10])
    ).update(investigator=manager)
    Incident.objects.filter(pk__in=list(theirs.filter(reported_by=None).values_list("pk", flat=True)[:10])).update(
        reported_by=manager
    )
    return made


def measure(args: argparse.Namespace, schools: list[Any], viewers: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.mfa import SecondFactorClient

    lists = [
        ("list", "/incidents/"),
        ("list, next page", None),
        ("list, open", "/incidents/?status=open"),
        ("list, one school", f"/incidents/?organisation={schools[IN_TRUST].pk}"),
        *([] if args.no_search else [("list, search", "/incidents/?q=laptop")]),
        ("triage queue", "/incidents/queue/"),
        ("assigned to me", "/incidents/mine/"),
        ("major and critical", "/incidents/serious/"),
        ("ICO clocks", "/deadlines/ico-clocks/"),
        ("home", "/"),
        ("my reports", "/my-reports/"),
    ]
    print("\n| list | viewer | p50 ms | p95 ms | queries |\n| --- | --- | --- | --- | --- |")
    for who, person in viewers.items():
        client = SecondFactorClient()
        client.force_login(person)
        first = client.get("/incidents/")
        found = re.search(r'href="([^"]*)"[^>]*rel="next"', first.content.decode())
        for name, url in lists:
            if url is None:
                if found is None:
                    continue
                url = "/incidents/" + found.group(1).replace("&amp;", "&")
            assert client.get(url).status_code == 200, (name, url)
            times = []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            queries = len(captured.captured_queries)
            print(f"| {name} | {who} | {statistics.median(times):.0f} | {percentile(times, 0.95):.0f} | {queries} |")


if __name__ == "__main__":
    main()
