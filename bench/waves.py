"""A phishing wave of 300 reports merged into one: time and queries, per step.

Not a test: run it and read the figures. It builds a throwaway test database (VAR_DIR or
DATABASE_URL as for the tests), makes 300 real reports at one school from ten members of
staff (`demo.waves.phishing_wave`), then as the incident manager takes the bulk steps the
list offers on all of them: tag, merge into the first reported. Each is one request to the
bulk page, as the browser journey makes it.

.venv/bin/python bench/waves.py [count]   (default: 300)
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DJANGO_SETTINGS_MODULE"] = "incidentdesk.settings"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from accounts.models import User
        from demo.waves import phishing_wave
        from incidents.models import Incident, Tag
        from lib import clock
        from organisations.models import Membership, Organisation, Role

        school = Organisation.objects.create(name="Bench School", kind=Organisation.Kind.SCHOOL)
        manager = User.objects.create_user(email="manager@example.org", password=None, full_name="Mina Manager")
        Membership.objects.create(user=manager, organisation=school, role=Role.INCIDENT_MANAGER)
        staff = []
        for n in range(10):
            person = User.objects.create_user(email=f"staff{n}@example.org", password=None, full_name=f"Staff {n}")
            Membership.objects.create(user=person, organisation=school, role=Role.REPORTER)
            staff.append(person)
        started = time.monotonic()
        wave = phishing_wave(school, staff, count)
        print(f"{connection.vendor}: {count} reports made in {time.monotonic() - started:.1f} s")
        tag = Tag.objects.create(organisation=school, name="Phishing wave", created_on=clock.now())
        from tests.mfa import SecondFactorClient  # signed in with the second factor, as a handler must be

        client = SecondFactorClient()
        client.force_login(manager)
        chosen = ",".join(str(i.uuid) for i in wave)
        for step, extra in (("tag", {"tag": str(tag.pk)}), ("duplicate", {})):
            with CaptureQueriesContext(connection) as queries:
                started = time.monotonic()
                response = client.post(reverse("incidents:bulk"), {"incidents": chosen, "step": step, **extra})
                seconds = time.monotonic() - started
            assert response.status_code == 200, response.status_code
            print(f"  {step}: {seconds:.1f} s, {len(queries)} queries ({len(queries) / count:.1f} per incident)")
        closed = Incident.objects.filter(duplicate_of=wave[0]).count()
        print(f"  {closed} closed as duplicates of {wave[0].reference}")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
