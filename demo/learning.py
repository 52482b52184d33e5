"""Demo known errors and training records (fictional people and organisations only)."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from incidents.models import Incident
from learning import services
from organisations.models import Organisation, Role

from .actions import manager_for

KNOWN_ERRORS = [
    {
        "title": "Email suggests the wrong parent's address",
        "symptom": "Email to a parent went to another parent with a similar name: the address box filled itself in.",
        "cause": "The mail program remembers every address typed and offers the closest match first.",
        "workaround": "Type the whole address, or pick the parent from the school's contacts; check before sending.",
        "fix": "",
        "status": "workaround",
    },
    {
        "title": "Scanner sends scans to the shared pupils folder",
        "symptom": "Scanned documents appear in the pupils' shared folder instead of the staff folder.",
        "cause": "The copier's default folder was reset by a firmware update.",
        "workaround": "Choose 'Staff scans' on the copier's screen before scanning.",
        "fix": "The copier's default folder was set back and locked by the IT provider.",
        "status": "fixed",
    },
]

COURSES = ["Data protection for school staff", "Spotting phishing emails", "Keeping paper records safe"]


@transaction.atomic
def load(orgs: dict[str, Organisation], users: dict[str, Any]) -> None:
    today = timezone.localdate()
    for known, words in zip(KNOWN_ERRORS, ("email", "scan"), strict=True):
        # Descriptions are sealed (decision 0038): read, not searched in SQL.
        schools = Incident.objects.filter(organisation__kind=Organisation.Kind.SCHOOL).select_related("organisation")
        source = (
            next(
                (incident for incident in schools.order_by("reported_on") if words in incident.description.lower()),
                None,
            )
            or Incident.objects.select_related("organisation").order_by("reported_on").first()
        )
        if source is None:
            continue
        by = manager_for(source.organisation)
        if by is not None:
            services.raise_known_error(source, by=by, **known)
    for org_key, organisation in orgs.items():
        recorder = manager_for(organisation)
        if recorder is None or organisation.kind != Organisation.Kind.SCHOOL:
            continue
        people = [
            holder
            for role in (Role.REPORTER, Role.INVESTIGATOR, Role.INCIDENT_MANAGER)
            for holder in organisation.holders(role, inherit=False)
        ]
        for number, person in enumerate(dict.fromkeys(people)):
            # Most people trained this year, a few not for over a year: the figure is not 100%.
            completed = today - timedelta(days=30 + 90 * number + 40 * len(org_key) % 7)
            services.record_training(
                organisation=organisation,
                person=person,
                course=COURSES[number % len(COURSES)],
                completed_on=completed,
                by=recorder,
            )
