"""A phishing wave: many people report at the same moment, and nobody's report fails."""

import threading
import uuid

from django.db import connection
from django.urls import reverse

from audit.log import verify
from audit.models import Event
from incidents.models import Incident
from organisations.models import Membership, Role

from .factories import OrganisationFactory, UserFactory
from .mfa import SecondFactorClient

THREADS = 8


def test_eight_simultaneous_reports_are_each_stored_exactly_once(transactional_db: None) -> None:
    schools = [OrganisationFactory(name="Wave School A"), OrganisationFactory(name="Wave School B")]
    people = []
    for n in range(THREADS):
        person = UserFactory(email=f"wave{n}@example.org")
        Membership.objects.create(user=person, organisation=schools[n % 2], role=Role.REPORTER)
        people.append(person)
    keys = [uuid.uuid4() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def report(n: int) -> None:
        try:
            client = SecondFactorClient()
            client.force_login(people[n])
            data = {
                "submission_key": str(keys[n]),
                "organisation": schools[n % 2].pk,
                "description": f"Suspicious email number {n}",
            }
            barrier.wait()
            # Each person also double-submits, as a nervous click would.
            statuses.append(client.post(reverse("intake:report"), data).status_code)
            statuses.append(client.post(reverse("intake:report"), data).status_code)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert statuses == [302] * (THREADS * 2)
    assert Incident.objects.count() == THREADS
    assert set(Incident.objects.values_list("submission_key", flat=True)) == set(keys)
    assert len(set(Incident.objects.values_list("reference", flat=True))) == THREADS
    assert Event.objects.filter(action="incident.reported").count() == THREADS
    checked, broken = verify()
    assert broken is None and checked == THREADS
