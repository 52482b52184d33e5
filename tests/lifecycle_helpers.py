"""A team around one school for lifecycle tests, and helpers to walk an incident through its states."""

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from breaches.engine import Facts
from breaches.models import Assessment, Decision
from incidents import lifecycle
from incidents.models import ChecklistItem, Incident, IncidentType
from notifications.models import Notification
from organisations.models import Membership, Organisation, Role

from .factories import OrganisationFactory, UserFactory, reported_incident


@dataclass
class Team:
    county: Organisation
    school: Organisation
    sibling: Organisation
    manager: User
    siro: User
    dpo: User
    investigator: User
    reporter: User
    governor: User
    admin: User
    elsewhere: User

    def everyone(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in ("manager", "siro", "dpo", "investigator", "reporter", "governor", "admin", "elsewhere")
        }


def make_team() -> Team:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    sibling = OrganisationFactory(name="Birchwood Primary School", parent=county)
    people = {}
    for key, org, role, name in [
        ("manager", school, Role.INCIDENT_MANAGER, "Mina Manager"),
        ("siro", school, Role.SIRO, "Sam Siro"),
        ("dpo", county, Role.DPO, "Dee Dpo"),
        ("investigator", school, Role.INVESTIGATOR, "Ivy Investigator"),
        ("reporter", school, Role.REPORTER, "Rita Reporter"),
        ("governor", school, Role.GOVERNANCE, "Gus Governor"),
        ("admin", school, Role.ADMIN, "Ada Admin"),
        ("elsewhere", sibling, Role.INCIDENT_MANAGER, "Ed Elsewhere"),
    ]:
        people[key] = UserFactory(email=f"{key}@example.org", full_name=name)
        Membership.objects.create(user=people[key], organisation=org, role=role)
    return Team(county=county, school=school, sibling=sibling, **people)


def email_type() -> IncidentType:
    return IncidentType.objects.get(organisation=None, name="Email or post to the wrong person")


def classification(severity: str = "minor", **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "severity": severity,
        "nature": "incident",
        "breach_status": "confirmed",
        "personal_data_breach": "no",
        "breach_types": ["confidentiality"],
        "incident_type": email_type(),
    }
    values.update(extra)
    return values


def queued(kind: str) -> list[list[int]]:
    """The user ids told by each notify() call of `kind`, in order (its in-app notifications).

    One notify() call stamps all its notifications with the same time, which groups them.
    """
    calls: dict[Any, list[int]] = {}
    for created_on, user_id in (
        Notification.objects.filter(kind=kind).order_by("created_on", "user_id").values_list("created_on", "user_id")
    ):
        calls.setdefault(created_on, []).append(user_id)
    return list(calls.values())


def queued_reporter_progress() -> list[int]:
    """The incident ids of each queued "tell the reporter" job (before the worker runs)."""
    return [
        r.args_kwargs["args"][0]
        for r in DBTaskResult.objects.filter(task_path__endswith="tell_reporter_of_progress").order_by(
            "enqueued_at", "id"
        )
    ]


def settle_checklist(incident: Incident, by: User) -> None:
    for item in incident.checklist.all():
        if item.is_disciplinary:
            lifecycle.update_checklist_item(
                item,
                by=by,
                state="done",
                disciplinary_decision="not_commenced",
                note="An honest mistake; training instead of disciplinary action.",
            )
        else:
            lifecycle.update_checklist_item(
                item, by=by, state="not_applicable", not_applicable_reason="Not needed here"
            )


def write_report(incident: Incident, by: User) -> None:
    lifecycle.save_outcome_draft(
        incident,
        by=by,
        sections={
            "summary": "A class list went to one parent by mistake.",
            "root_cause": "Email autocomplete picked the wrong address.",
            "containment_and_recovery": "The parent deleted it and confirmed in writing.",
            "lessons_learned": "Check the recipient before sending lists.",
        },
    )


def to_outcome_submitted(team: Team, severity: str = "minor", **extra: Any) -> Incident:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification(severity, **extra))
    if severity == "critical":
        lifecycle.assign_investigator(incident, by=team.siro, investigator=team.investigator, reason="Knows the system")
    lifecycle.start_investigation(incident, by=team.investigator)
    settle_checklist(incident, team.manager)
    write_report(incident, team.investigator)
    lifecycle.submit_outcome(incident, by=team.investigator)
    return incident


def to_closed(team: Team, severity: str = "minor", **extra: Any) -> Incident:
    incident = to_outcome_submitted(team, severity, **extra)
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    if severity in ("major", "critical"):
        lifecycle.review_outcome(incident, by=team.dpo, accept=True)
    if incident.personal_data_breach == "yes":
        decide_breach(incident, team.dpo, reason="Contained at once")
    lifecycle.close(incident, by=team.manager)
    return incident


# A class list sent to one parent who deleted it at once: the engine says record only.
CONTAINED = {
    "data_categories": ["basic_identifiers"],
    "data_subjects": ["pupils"],
    "children_involved": True,
    "people_count": 30,
    "recipient": "trusted_party_deleted",
    "recovered_or_deleted": True,
    "contained": True,
}


def assess_breach(incident: Incident, by: User, facts: dict[str, Any] | None = None) -> Assessment:
    return Assessment.record_assessment(incident=incident, facts=Facts.from_dict(facts or CONTAINED), by=by)


def decide_breach(incident: Incident, dpo: User, *, reason: str = "", facts: dict[str, Any] | None = None) -> Decision:
    """The ICO decision, the one way it is made: assess on the breach record, the DPO agrees."""
    return Decision.decide(assessment=assess_breach(incident, dpo, facts), by=dpo, agrees=True, reason=reason)


def aware_now() -> Any:
    return timezone.now()


__all__ = ["ChecklistItem"]
