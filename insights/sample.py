"""Generated incidents for tests and benchmarks: every status, severity, type and clock state.

Written with bulk_create (no events, no notifications): this is data to count, not a
history. Never used by the product itself. The deadlines of what is made are stored as the
product stores them (`deadlines.store`), closed incidents' as at their closing.
"""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from actions.models import RemedialAction
from deadlines import store
from incidents.models import Incident, IncidentType
from organisations.models import Organisation

STATUSES = [value for value, _ in Incident.Status.choices]
SEVERITIES = [value for value, _ in Incident.Severity.choices] + [""]
NATURES = [value for value, _ in Incident.Nature.choices] + [""]
BREACH_STATUSES = [value for value, _ in Incident.BreachStatus.choices] + [""]
PDB = [value for value, _ in Incident.PersonalDataBreach.choices] + [""]
ICO_DECISIONS = [value for value, _ in Incident.IcoDecision.choices] + [""]


def generate(
    organisations: Sequence[Organisation],
    types: Sequence[IncidentType | None],
    count: int,
    *,
    now: datetime,
    seed: int = 1,
    batch_size: int = 5000,
    days_back: int = 400,
) -> int:
    """Create `count` incidents spread over `organisations`; returns how many were made."""
    rng = random.Random(seed)
    made = 0
    batch: list[Incident] = []
    for i in range(count):
        status = STATUSES[i % len(STATUSES)]
        # Most spread over the period; some in the last few days, so clocks still run.
        recent = i % 11 == 0
        reported_on = now - timedelta(minutes=rng.randint(30, (4 if recent else days_back) * 24 * 60))
        triaged_on = None if status == Incident.Status.REPORTED else reported_on + timedelta(hours=rng.randint(1, 72))
        aware_on = reported_on + timedelta(hours=1) if i % 3 == 0 else None
        pdb = PDB[(i // 7) % len(PDB)]
        ico_reported_on = aware_on + timedelta(hours=rng.randint(2, 90)) if aware_on and i % 2 == 0 else None
        closed = status in Incident.CLOSED_STATUSES
        batch.append(
            Incident(
                organisation=organisations[i % len(organisations)],
                status=status,
                description=f"Generated incident {i}",
                reference=f"GEN{seed}-{i:08d}",
                reported_on=reported_on,
                occurred_on=reported_on - timedelta(hours=rng.randint(1, 48)) if i % 4 else None,
                discovered_on=reported_on - timedelta(minutes=rng.randint(5, 300)) if i % 5 else None,
                triaged_on=triaged_on,
                aware_on=aware_on,
                closed_on=(triaged_on or reported_on) + timedelta(days=rng.randint(1, 30)) if closed else None,
                incident_type=types[(i // len(STATUSES)) % len(types)],
                severity=SEVERITIES[(i // 2) % len(SEVERITIES)],
                nature=NATURES[i % len(NATURES)],
                breach_status=BREACH_STATUSES[(i // 3) % len(BREACH_STATUSES)],
                personal_data_breach=pdb,
                people_affected=rng.randint(0, 500) if i % 3 else None,
                records_affected=rng.randint(0, 5000) if i % 4 else None,
                ico_decision=ICO_DECISIONS[(i // 5) % len(ICO_DECISIONS)],
                ico_reported_on=ico_reported_on,
                ico_reference=f"ICO/{i:06d}" if ico_reported_on else "",
                individuals_told_on=ico_reported_on if ico_reported_on and i % 4 == 0 else None,
            )
        )
        if len(batch) >= batch_size:
            made += _create(batch)
            batch = []
    if batch:
        made += _create(batch)
    return made


def _create(batch: list[Incident]) -> int:
    created = Incident.objects.bulk_create(batch)
    store.refresh_incidents([i.pk for i in created], include_closed=True)
    return len(created)


def generate_actions(
    organisations: Sequence[Organisation], count: int, *, now: datetime, seed: int = 1, owner: Any = None
) -> int:
    """Remedial actions, some linked to incidents, open and done, due in the past and future."""
    rng = random.Random(seed)
    incidents = list(
        Incident.objects.filter(organisation__in=organisations)
        .order_by("id")
        .values_list("id", "organisation_id")[: count * 2]
    )
    actions = []
    for i in range(count):
        incident_id, org_id = (
            incidents[i % len(incidents)] if incidents and i % 3 else (None, organisations[i % len(organisations)].pk)
        )
        status = [RemedialAction.Status.OPEN, RemedialAction.Status.DONE, RemedialAction.Status.CANCELLED][(i // 3) % 3]
        actions.append(
            RemedialAction(
                organisation_id=org_id,
                incident_id=incident_id,
                title=f"Generated action {i}",
                owner=owner,
                due_on=(now + timedelta(days=rng.randint(-60, 60))).date() if i % 5 else None,
                status=status,
                completed_on=now - timedelta(days=rng.randint(0, 300))
                if status == RemedialAction.Status.DONE
                else None,
            )
        )
    created = RemedialAction.objects.bulk_create(actions, batch_size=5000)
    store.refresh_actions([a.pk for a in created])
    return len(actions)
