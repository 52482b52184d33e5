"""Time the monitoring log and the dashboard over N generated incidents, as a trust and as a county.

    .venv/bin/python bench/insights.py [--incidents 10000 100000] [--repeat 20] [--reuse]

Runs against a throwaway database: a fresh SQLite file in a temporary folder, or the PostgreSQL
database in BENCH_DATABASE_URL (which it empties first: never point it at one you care about).
For each size it generates a county DPO service of 200 schools (five trusts of ten, the rest on
their own) with incidents spread over seven years, as a county keeps them: those reported more
than 90 days ago closed, the recent ones in every state, a wave's tag on 1 in 100. Written with
bulk_create and their deadlines stored as the product stores them (`deadlines.store`).

Then it asks each page through Django's test client, `--repeat` times, as the trust's incident
manager (a tenth of the county) and as the county DPO (sees all), and prints p50 and p95 in ms
and the number of queries. The log is asked unfiltered, filtered (open, major), deep into the
log (page 100, or the keyset link that reaches it) and with every column chosen. Not a test: the
numbers depend on the machine and its load (printed).

`--reuse` (PostgreSQL) keeps the data of an earlier run of the same size.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCHOOLS = 200
TRUSTS = 5
TRUST_SCHOOLS = 10
YEARS = 7


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep BENCH_DATABASE_URL's data of the same size")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="incidentdesk-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for size in args.incidents:
        people = existing(size) if args.reuse else None
        if people is None:
            call_command("flush", interactive=False, verbosity=0)
            people = generate(size)
        run(args, size, *people)


def existing(size: int) -> tuple[Any, Any, Any] | None:
    from accounts.models import User
    from incidents.models import Incident
    from organisations.models import Organisation

    county = Organisation.objects.filter(name="Bench County DPO Service").first()
    if county is None or Incident.objects.count() != size:
        return None
    return (
        county,
        User.objects.get(email="bench-trust@example.org"),
        User.objects.get(email="bench-dpo@example.org"),
    )


def generate(size: int) -> tuple[Any, Any, Any]:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from deadlines import store
    from incidents.models import Incident, IncidentTag, IncidentType, Tag
    from organisations.models import Membership, Organisation, Role

    started = time.perf_counter()
    now = timezone.now()
    rng = random.Random(size)
    county = Organisation.objects.create(name="Bench County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    trusts = [
        Organisation.objects.create(name=f"Trust {t}", kind=Organisation.Kind.TRUST, parent=county)
        for t in range(TRUSTS)
    ]
    schools = [
        Organisation.objects.create(name=f"Trust {t} school {s}", kind="school", parent=trusts[t])
        for t in range(TRUSTS)
        for s in range(TRUST_SCHOOLS)
    ]
    schools += [
        Organisation.objects.create(name=f"School {s}", kind="school", parent=county)
        for s in range(SCHOOLS - len(schools))
    ]
    types = [*IncidentType.objects.filter(organisation=None)[:12], None]
    wave = Tag.objects.create(organisation=county, name="Phishing wave", created_on=now)

    open_statuses = list(Incident.OPEN_STATUSES)
    severities = [value for value, _ in Incident.Severity.choices] + [""]
    channels = [value for value, _ in Incident.Channel.choices]
    pdb = [value for value, _ in Incident.PersonalDataBreach.choices] + [""]
    batch: list[Incident] = []
    for i in range(size):
        reported_on = now - timedelta(minutes=rng.randint(30, YEARS * 365 * 24 * 60))
        age = now - reported_on
        if age > timedelta(days=90):
            status = rng.choice(list(Incident.CLOSED_STATUSES))
        else:
            status = rng.choice([*open_statuses, Incident.Status.CLOSED])
        triaged_on = None if status == Incident.Status.REPORTED else reported_on + timedelta(hours=rng.randint(1, 72))
        aware_on = reported_on + timedelta(hours=1) if i % 3 == 0 else None
        batch.append(
            Incident(
                organisation=schools[i % len(schools)],
                status=status,
                description=f"Generated incident {i}: an email with a class list went to the wrong parent",
                reference=f"BEN-{i:08d}",
                reported_on=reported_on,
                occurred_on=reported_on - timedelta(hours=rng.randint(1, 48)),
                discovered_on=reported_on - timedelta(minutes=rng.randint(5, 300)),
                triaged_on=triaged_on,
                aware_on=aware_on,
                closed_on=(triaged_on or reported_on) + timedelta(days=rng.randint(1, 30))
                if status in Incident.CLOSED_STATUSES
                else None,
                incident_type=types[i % len(types)],
                severity=severities[(i // 2) % len(severities)],
                channel=channels[(i // 3) % len(channels)] if i % 4 == 0 else Incident.Channel.WEB,
                personal_data="yes" if i % 3 == 0 else "no",
                personal_data_breach=pdb[(i // 7) % len(pdb)],
                people_affected=rng.randint(0, 500),
                ico_reported_on=aware_on + timedelta(hours=rng.randint(2, 90)) if aware_on and i % 2 == 0 else None,
            )
        )
        if len(batch) == 5000 or i == size - 1:
            created = Incident.objects.bulk_create(batch)
            store.refresh_incidents([incident.pk for incident in created], include_closed=True)
            IncidentTag.objects.bulk_create(
                IncidentTag(incident=incident, tag=wave, tagged_on=incident.reported_on) for incident in created[::100]
            )
            batch = []
    trust_manager = User.objects.create_user(email="bench-trust@example.org", password=None)
    Membership.objects.create(user=trust_manager, organisation=trusts[0], role=Role.INCIDENT_MANAGER)
    dpo = User.objects.create_user(email="bench-dpo@example.org", password=None)
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    opened = Incident.objects.filter(status__in=Incident.OPEN_STATUSES).count()
    print(f"generated {size} incidents ({opened} open) in {time.perf_counter() - started:.1f}s")
    return county, trust_manager, dpo


def deep_link(client: Any, url: str, pages: int) -> str:
    """The link `pages` pages into the log, followed from the first page as a person would (the
    keyset's "Next" link)."""
    from urllib.parse import quote

    link = url
    for _ in range(pages):
        page = client.get(link).context["page_obj"]
        link = f"{url}{'&' if '?' in url else '?'}after={quote(page.next_cursor)}"
    return link


def run(args: argparse.Namespace, size: int, county: Any, trust_manager: Any, dpo: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from insights.log import SCREEN_COLUMNS
    from tests.mfa import SecondFactorClient  # handlers pass a second factor before any page

    log_url = reverse("insights:log")
    every_column = "&".join(f"columns={column.key}" for column in SCREEN_COLUMNS)
    print(f"\n{size} incidents, {connection.vendor}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<34} {'viewer':<8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for who, user in (("trust", trust_manager), ("county", dpo)):
        client = SecondFactorClient()
        client.force_login(user)
        pages = {
            "dashboard": reverse("insights:dashboard"),
            "log": log_url,
            "log, open and major": f"{log_url}?status=open&severity=major",
            "log, channel letter": f"{log_url}?channel=letter",
            "log, every column": f"{log_url}?{every_column}",
        }
        pages["log, 100 pages in"] = deep_link(client, log_url, 99)
        for name, url in pages.items():
            client.get(url)  # warm
            timings = []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{name:<34} {who:<8} {statistics.median(timings):>8.0f} {percentile(timings, 0.95):>8.0f}"
                f" {len(captured):>8}"
            )


if __name__ == "__main__":
    main()
