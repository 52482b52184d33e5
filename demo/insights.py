"""Demo data for management reporting: classified incidents, a saved import mapping,
remedial actions and six-month type reviews (a past one done, the latest with a flagged type).

Called from demo.load.load(); fictional data only.
"""

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from incidents import builtins
from incidents.models import Incident, IncidentType
from insights.models import ImportMapping, TypeReview
from insights.review import add_action, complete, months_before, run_review
from organisations.models import Organisation

# The built-in list the incidents app seeds (one list, never a copy with other wording),
# created here only if nothing has created it yet.
BUILT_IN_TYPES = [name for name, _ in builtins.BUILT_IN_TYPES]
RISING = "Email or post to the wrong person"


def load(orgs: dict[str, Organisation], users: dict[str, Any], seed: int = 7) -> None:
    rng = random.Random(seed)
    types = {}
    for position, name in enumerate(BUILT_IN_TYPES):
        found = IncidentType.objects.filter(organisation__isnull=True, name=name).first()
        types[name] = found or IncidentType.objects.create(name=name, position=position)
    now = timezone.now()
    half_year_ago = now - timedelta(days=182)
    others = [t for name, t in types.items() if name != RISING]

    # Classify the demo incidents the way triage would have, so the reports have something to show.
    for index, incident in enumerate(Incident.objects.filter(incident_type__isnull=True).order_by("reported_on")):
        recent = incident.reported_on >= half_year_ago
        kind = types[RISING] if index % (2 if recent else 4) == 0 else rng.choice(others)
        fields: dict[str, Any] = {"incident_type": kind}
        # Incidents the lifecycle already triaged keep their classification (and its history).
        if incident.status != Incident.Status.REPORTED and incident.triaged_on is None:
            triaged = incident.reported_on + timedelta(hours=rng.randint(2, 30))
            personal = kind.name in (RISING, "Lost or stolen device", "Paper records lost") or index % 3 == 0
            fields |= {
                "triaged_on": triaged,
                "severity": rng.choice(["minor", "minor", "moderate", "major", "critical"]),
                "nature": "incident",
                "breach_status": rng.choice(["near_miss", "potential", "confirmed"]),
                "personal_data_breach": "yes" if personal else "no",
                "people_affected": rng.randint(1, 40) if personal else None,
                "records_affected": rng.randint(1, 200) if personal else None,
            }
            if personal:
                fields["aware_on"] = triaged
                if index % 4 == 0:
                    fields |= {
                        "ico_decision": Incident.IcoDecision.REPORT,
                        "ico_reported_on": triaged + timedelta(hours=rng.randint(4, 60)),
                        "ico_reference": f"IC-{100000 + index * 37}",
                    }
                elif incident.status in Incident.CLOSED_STATUSES:
                    fields["ico_decision"] = Incident.IcoDecision.RECORD_ONLY
            if incident.status in Incident.CLOSED_STATUSES:
                fields["closed_on"] = triaged + timedelta(days=rng.randint(3, 25))
        Incident.objects.filter(pk=incident.pk).update(**fields)

    # Brookside's old spreadsheet columns, saved from an earlier import.
    ImportMapping.objects.create(
        organisation=orgs["brookside"],
        columns={
            "original_reference": "Log no.",
            "reported_on": "Date reported",
            "type": "Category",
            "severity": "Severity",
            "description": "Summary",
            "people_affected": "No. of people",
            "status": "Status",
        },
    )

    # Six-month reviews of the whole service: the last one done, the latest waiting, with a type not falling.
    dpo = users["dpo@example.org"]
    past, _ = run_review(
        orgs["county"], period_end=months_before(timezone.localdate(), 6), trigger=TypeReview.Trigger.SCHEDULED
    )
    complete(
        past,
        by=dpo,
        notes=(
            "The first review: there were no earlier incidents to compare with, so every type reported shows as "
            "not falling. Keep watching emails sent to the wrong person."
        ),
    )
    latest, _ = run_review(orgs["county"], period_end=timezone.localdate(), trigger=TypeReview.Trigger.SCHEDULED)
    flagged = latest.flagged_lines
    if flagged:
        add_action(
            latest,
            line=flagged[0],
            title="Remind all schools to check recipients before sending; turn on delayed send",
            owner=dpo,
            due_on=timezone.localdate() + timedelta(days=30),
            by=dpo,
        )
