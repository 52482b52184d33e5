"""Retention in the demo: three old, closed incidents at Riverside whose retention has ended,
on this month's disposal list for the school business manager to keep or approve, and one at
Brookside under legal hold (an insurer's claim), which is never listed. Every name is invented."""

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from incidents.models import Incident, report_incident
from retention import holds
from retention.drafting import draft

OLD_REPORTS = [
    ("riverside", "A Year 9 seating plan with medical notes was left on the staff-room printer.", 2017),
    ("riverside", "The office laptop was found unlocked in the library over lunch.", 2018),
    ("riverside", "A parents' evening list was emailed to the whole class instead of one parent.", 2018),
    ("brookside", "A box of exam papers went missing on the way to the exam board.", 2017),
]


def load(orgs: dict[str, Any], users: dict[str, Any]) -> list[Incident]:
    from .load import advance  # the lifecycle's real steps, as the demo's people

    rng = random.Random(17)  # noqa: S311 (demo dates, not secrets)
    reporters = {"riverside": "teacher@riverside.example.org", "brookside": "teacher@brookside.example.org"}
    made = []
    for org_key, description, year in OLD_REPORTS:
        reported_on = timezone.make_aware(datetime(year, 3, rng.randint(1, 28), 10))
        incident, _ = report_incident(
            organisation=orgs[org_key],
            reported_by=users[reporters[org_key]],
            submission_key=None,
            fields={"description": description, "personal_data": "yes"},
            reported_on=reported_on,
        )
        advance(incident, Incident.Status.CLOSED, org_key, users, rng, reported_on)
        # Closed that spring (the steps ran today): their retention ended on 31 August six years on.
        Incident.objects.filter(pk=incident.pk).update(closed_on=reported_on + timedelta(days=40))
        made.append(incident)
    held = made[-1]
    holds.set_hold(
        held,
        by=users["sbm@brookside.example.org"],
        reason="The school's insurer expects a claim about the missing exam papers: keep it until it is settled.",
    )
    draft(timezone.localdate())
    return made
