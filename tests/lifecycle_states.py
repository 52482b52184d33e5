"""Every state an incident can be in, reached through the lifecycle's own steps, for the
tests that walk them all (`test_steps_offered`, `test_query_counts`).

The people are the fixed cast (conftest.py) and, at school A, an investigating officer
(assigned to each incident once it is triaged), a SIRO, a governance viewer and an admin.
"""

from typing import Any

from django.utils import timezone

from accounts.models import User
from incidents import lifecycle
from incidents.models import Incident, IncidentType

from .conftest import People
from .factories import reported_incident
from .lifecycle_helpers import decide_breach


def classification(severity: str, pdb: str = "no", **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "severity": severity,
        "nature": "incident",
        "breach_status": "confirmed",
        "personal_data_breach": pdb,
        "breach_types": ["confidentiality"],
        "incident_type": IncidentType.objects.get(organisation=None, name="Email or post to the wrong person"),
        "aware_on": timezone.now() if pdb == "yes" else None,
    }
    return values | extra


REPORT = {
    "summary": "A class list went to one parent.",
    "root_cause": "Autocomplete.",
    "containment_and_recovery": "Deleted, confirmed in writing.",
    "lessons_learned": "Check the recipient.",
}


def settle(incident: Incident, by: User) -> None:
    for item in incident.checklist.all():
        if item.is_disciplinary:
            lifecycle.update_checklist_item(
                item, by=by, state="done", disciplinary_decision="not_commenced", note="Training instead."
            )
        else:
            lifecycle.update_checklist_item(item, by=by, state="not_applicable", not_applicable_reason="Not here")


def build(state: str, p: People) -> Incident:
    """An incident at school A in `state`, reached through the lifecycle's own steps."""
    alice, carol = p.cast.alice, p.cast.carol
    incident = reported_incident(p.cast.school_a, p.cast.bob)
    if state == "reported":
        return incident
    if state == "closed not incident":
        lifecycle.close_not_incident(incident, by=alice, reason="A test email from IT")
        return incident
    severity, _, rest = state.partition(" ")
    pdb = "yes" if "breach" in rest else "no"
    if "unassigned" in rest:
        lifecycle.triage(incident, by=alice, **classification(severity, pdb))
        return incident
    if severity == "critical":
        lifecycle.triage(incident, by=alice, **classification(severity, pdb))
        lifecycle.assign_investigator(incident, by=p.siro, investigator=p.investigator, reason="Knows the system")
    else:
        lifecycle.triage(incident, by=alice, investigator=p.investigator, **classification(severity, pdb))
    if "triaged" in rest:
        return incident
    lifecycle.start_investigation(incident, by=p.investigator)
    if "investigating" in rest:
        if "report written" in rest:
            lifecycle.save_outcome_draft(incident, by=p.investigator, sections=REPORT)
        return incident
    if "unsettled" not in rest:
        settle(incident, alice)
    lifecycle.save_outcome_draft(incident, by=p.investigator, sections=REPORT)
    lifecycle.submit_outcome(incident, by=p.investigator)
    if "manager accepted" in rest or "all accepted" in rest or "closed" in rest:
        lifecycle.review_outcome(incident, by=alice, accept=True)
    if severity in ("major", "critical") and ("all accepted" in rest or "closed" in rest):
        lifecycle.review_outcome(incident, by=carol, accept=True)
    if "ico decided" in rest or ("closed" in rest and pdb == "yes"):
        decide_breach(incident, carol, reason="Contained at once: no risk to the people affected")
    if "closed" in rest:
        lifecycle.close(incident, by=alice)
    return incident


STATES = [
    "reported",
    "minor triaged unassigned",
    "minor triaged",
    "critical triaged unassigned",
    "critical triaged",
    "moderate investigating",
    "major investigating report written",
    "minor submitted unsettled",
    "minor submitted",
    "minor submitted manager accepted",
    "major submitted manager accepted",
    "major submitted breach all accepted",
    "major submitted breach all accepted ico decided",
    "critical submitted all accepted",
    "minor closed",
    "critical closed breach",
    "closed not incident",
]
