"""One restricted incident: Brookside's school business manager is implicated, so the county
DPO restricts it to herself and the headteacher, and invites a (fictional) forensics firm to
read it for a month. Every name and address is invented."""

from datetime import timedelta
from typing import Any

from incidents import restriction
from incidents.models import Incident, report_incident
from lib import clock

DESCRIPTION = (
    "Pupil records appear to have been exported from the management information system to a "
    "personal cloud account, using the school business manager's login, late on Friday evening."
)


def load(orgs: dict[str, Any], users: dict[str, Any]) -> Incident:
    incident, _ = report_incident(
        organisation=orgs["brookside"],
        reported_by=users["teacher@brookside.example.org"],
        submission_key=None,
        fields={"description": DESCRIPTION, "personal_data": "yes", "location": "School office"},
    )
    restriction.restrict(
        incident,
        by=users["dpo@example.org"],
        people=[users["head@brookside.example.org"]],
        reason="The school business manager, who would normally handle it, is implicated.",
    )
    restriction.invite(
        incident,
        by=users["dpo@example.org"],
        name="Morgan Reyes",
        firm="Ashdown Digital Forensics (fictional)",
        email="morgan.reyes@forensics.example.org",
        mode="contribute",
        ends_on=clock.now() + timedelta(days=30),
    )
    return incident
