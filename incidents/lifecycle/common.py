"""What every step of the lifecycle shares: the lock, the refusal, the one event, the report."""

from typing import Any

from core.exceptions import StepRefused

from ..models import SERIOUS_SEVERITIES, Incident, OutcomeReport, OutcomeReview
from ..registry import publish

Status = Incident.Status
Severity = Incident.Severity
# States in which the investigation is worked: the checklist, the investigator.
WORKING_STATES = (Status.TRIAGED, Status.INVESTIGATING, Status.OUTCOME_SUBMITTED)


def locked(incident: Incident) -> Incident:
    """The incident, read again under a row lock: the step decides on what is stored, not on a copy."""
    return Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)


def refresh(incident: Incident, saved: Incident) -> None:
    """Copy the saved state back onto the caller's object."""
    for f in Incident._meta.concrete_fields:
        setattr(incident, f.attname, getattr(saved, f.attname))
    for name in ("routing", "outcome_report"):
        incident.__dict__.pop(name, None)
        incident._state.fields_cache.pop(name, None)
    getattr(incident, "_prefetched_objects_cache", {}).clear()


def need(condition: bool, message: str) -> None:
    if not condition:
        raise StepRefused(message)


def need_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    need(bool(reason), message)
    return reason


def event(incident: Incident, action: str, by: Any, *, before: Any = None, after: Any = None, reason: str = "") -> None:
    publish(incident, action, by, before=before, after=after, reason=reason)


def report_of(incident: Incident) -> OutcomeReport | None:
    """The incident's outcome report if it has one (from `select_related` when the page loaded it)."""
    return getattr(incident, "outcome_report", None)


def get_or_create_report(incident: Incident) -> OutcomeReport:
    report, _ = OutcomeReport.objects.get_or_create(incident=incident)
    return report


def critical_assignment_refusals(incident: Incident, p: Any) -> list[str]:
    """Who may assign a critical incident: only the SIRO (undertaking it, or delegating it).

    The assign step's need in the table, and the triage step's check when it assigns too.
    """
    if incident.siro_leads and not p.is_siro:
        return ["A critical incident is investigated by the SIRO, or by someone the SIRO delegates it to."]
    return []


def required_review_roles(incident: Incident) -> list[str]:
    roles: list[str] = [OutcomeReview.ReviewerRole.INCIDENT_MANAGER]
    if incident.severity in SERIOUS_SEVERITIES:
        roles.append(OutcomeReview.ReviewerRole.DPO)
    return roles


def accepted_roles(report: OutcomeReport | None) -> set[str]:
    """Roles that accepted the report's current round (from prefetched reviews when there are)."""
    if report is None or not report.round:
        return set()
    return {
        review.reviewer_role
        for review in report.reviews.all()
        if review.round == report.round and review.decision == OutcomeReview.Decision.ACCEPTED
    }


def eligible_investigators(incident: Incident) -> list[Any]:
    """People who may be assigned: holders of `powers.ASSIGNABLE_ROLES` on the node or above.

    The same roles that keep an assignment's access (`organisations.powers`), so whoever the
    form offers can open what they are given.
    """
    from accounts.models import User
    from organisations.powers import ASSIGNABLE_ROLES

    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=incident.organisation.ancestor_ids(),
            memberships__role__in=list(ASSIGNABLE_ROLES),
        )
        .distinct()
        .order_by("full_name", "email")
    )
