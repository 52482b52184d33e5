"""The investigation lifecycle: every step an incident can take, who may take it, from where.

    reported ──triage──▶ triaged ──start──▶ investigating ──submit──▶ outcome submitted ──close──▶ closed
        └──close as not an incident (from reported or triaged)──▶ closed: not an incident
    outcome submitted ──return with comments──▶ investigating
    closed / closed: not an incident ──reopen (with a reason)──▶ investigating

Each step is atomic: it locks the incident, checks the person's roles (held on the
incident's organisation or above) and the state it starts from, changes what it changes
and writes exactly one event. A step that may not happen raises `StepRefused` with the
reason in plain words. Notifications are queued in the same transaction (sent after commit).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident, IncidentType
from notifications.api import notify
from organisations.models import Membership, Role

from ..models import (
    SERIOUS_SEVERITIES,
    ChecklistItem,
    ChecklistTemplateItem,
    Classification,
    InternalNote,
    OutcomeReport,
    OutcomeReview,
    Routing,
    incident_types_for,
)
from ..registry import publish, registered_blockers

Status = Incident.Status
Severity = Incident.Severity
CLASSIFICATION_FIELDS = (
    "nature",
    "breach_status",
    "personal_data_breach",
    "breach_types",
    "incident_type",
    "severity",
    "aware_on",
)


# ── Who may do what ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Powers:
    """What one person may do to one incident, from their roles on its organisation or above."""

    roles: frozenset[str] = field(default_factory=frozenset)
    is_investigator: bool = False

    @property
    def is_manager(self) -> bool:
        return Role.INCIDENT_MANAGER in self.roles

    @property
    def is_siro(self) -> bool:
        return Role.SIRO in self.roles

    @property
    def is_dpo(self) -> bool:
        return Role.DPO in self.roles

    @property
    def can_view(self) -> bool:
        return self.is_manager or self.is_siro or self.is_dpo or self.is_investigator

    @property
    def can_triage(self) -> bool:
        return self.is_manager or self.is_siro

    @property
    def can_reclassify(self) -> bool:
        return self.is_manager or self.is_siro or self.is_dpo

    @property
    def can_assign(self) -> bool:
        return self.is_manager or self.is_siro

    @property
    def can_work(self) -> bool:
        """Work the checklist and write the outcome report."""
        return self.is_investigator or self.is_manager or self.is_siro

    @property
    def can_see_restricted(self) -> bool:
        """The disciplinary item's notes and the report's disciplinary outcome."""
        return self.is_manager or self.is_siro or self.is_dpo

    @property
    def can_close(self) -> bool:
        return self.is_manager or self.is_siro

    @property
    def can_reopen(self) -> bool:
        return self.is_manager or self.is_siro or self.is_dpo

    @property
    def can_decide_ico(self) -> bool:
        return self.is_dpo or self.is_siro

    @property
    def review_roles(self) -> list[str]:
        roles: list[str] = []
        if self.is_manager:
            roles.append(OutcomeReview.ReviewerRole.INCIDENT_MANAGER)
        if self.is_dpo:
            roles.append(OutcomeReview.ReviewerRole.DPO)
        return roles


def powers(user: Any, incident: Incident) -> Powers:
    if not getattr(user, "is_authenticated", False):
        return Powers()
    roles = Membership.objects.filter(user=user, organisation_id__in=incident.organisation.ancestor_ids()).values_list(
        "role", flat=True
    )
    return Powers(roles=frozenset(roles), is_investigator=incident.investigator_id == user.pk)


def eligible_investigators(incident: Incident) -> list[Any]:
    """People who may be assigned: investigating officers, incident managers and SIROs on the node or above."""
    from accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=incident.organisation.ancestor_ids(),
            memberships__role__in=[Role.INVESTIGATOR, Role.INCIDENT_MANAGER, Role.SIRO],
        )
        .distinct()
        .order_by("full_name", "email")
    )


# ── Helpers ──────────────────────────────────────────────────────────────────────────────


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)


def _refresh(incident: Incident, locked: Incident) -> None:
    """Copy the saved state back onto the caller's object."""
    for f in Incident._meta.concrete_fields:
        setattr(incident, f.attname, getattr(locked, f.attname))
    for name in ("routing", "outcome_report"):
        incident.__dict__.pop(name, None)
        incident._state.fields_cache.pop(name, None)


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise StepRefused(message)


def _need_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    _need(bool(reason), message)
    return reason


def _from(incident: Incident, states: Iterable[str], message: str) -> None:
    _need(incident.status in set(states), message)


def _event(
    incident: Incident, action: str, by: Any, *, before: Any = None, after: Any = None, reason: str = ""
) -> None:
    publish(incident, action, by, before=before, after=after, reason=reason)


def _classification_snapshot(incident: Incident) -> dict[str, Any]:
    return {
        "nature": incident.nature,
        "breach_status": incident.breach_status,
        "personal_data_breach": incident.personal_data_breach,
        "breach_types": list(incident.breach_types or []),
        "incident_type": incident.incident_type.name if incident.incident_type_id and incident.incident_type else "",
        "severity": incident.severity,
        "aware_on": incident.aware_on,
    }


def _check_classification(incident: Incident, values: dict[str, Any]) -> dict[str, Any]:
    severity = values.get("severity") or ""
    _need(severity in Severity.values, "Choose a severity.")
    _need(
        (values.get("nature") or "") in Incident.Nature.values,
        "Choose what this is: an event, a weakness, an incident or not known yet.",
    )
    _need((values.get("breach_status") or "") in Incident.BreachStatus.values, "Choose a breach status.")
    pdb = values.get("personal_data_breach") or ""
    _need(pdb in Incident.PersonalDataBreach.values, "Say whether this is a personal data breach.")
    breach_types = sorted(set(values.get("breach_types") or []))
    _need(all(t in Incident.BreachType.values for t in breach_types), "Choose breach types from the list.")
    incident_type = values.get("incident_type")
    if incident_type is not None:
        _need(
            isinstance(incident_type, IncidentType)
            and incident_types_for(incident.organisation).filter(pk=incident_type.pk).exists(),
            "Choose an incident type from this organisation's list.",
        )
    aware_on = values.get("aware_on")
    _need(
        pdb != Incident.PersonalDataBreach.YES or aware_on is not None,
        "Give the time the organisation became aware of the personal data breach: when there was reasonable "
        "certainty that personal data had been compromised.",
    )
    return {
        "nature": values.get("nature") or "",
        "breach_status": values.get("breach_status") or "",
        "personal_data_breach": pdb,
        "breach_types": breach_types,
        "incident_type": incident_type,
        "severity": severity,
        "aware_on": aware_on,
    }


def _apply_classification(incident: Incident, by: Any, values: dict[str, Any], reason: str, now: datetime) -> None:
    for name in CLASSIFICATION_FIELDS:
        setattr(incident, name, values[name])
    version = (incident.classifications.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    Classification.objects.create(
        incident=incident,
        version=version,
        reason=reason,
        classified_by=by,
        classified_on=now,
        **{name: values[name] for name in CLASSIFICATION_FIELDS},
    )


def _route(incident: Incident, previous_severity: str, now: datetime) -> dict[str, Any]:
    """Apply the policies' routing for the incident's severity; returns who was told, for the event.

    Major: the DPO is told and must review before closure; the SIRO works with the DPO.
    Critical: the SIRO undertakes or delegates the investigation; the DPO is told.
    Governance viewers are told of major and critical incidents: the reference and counts only.
    """
    routing, _ = Routing.objects.get_or_create(incident=incident)
    told: dict[str, Any] = {}
    severity = incident.severity
    if severity == previous_severity or severity not in SERIOUS_SEVERITIES:
        routing.routed_severity = severity
        routing.save()
        return told
    organisation = incident.organisation
    severity_label = incident.get_severity_display()
    link = reverse("incidents:detail", args=[incident.uuid])
    dpos = organisation.holders(Role.DPO)
    sirosses = organisation.holders(Role.SIRO)
    notify(users=dpos, kind="incident_serious", incident=incident, link=link, context={"severity": severity_label})
    notify(
        users=sirosses,
        kind="incident_critical_siro" if severity == Severity.CRITICAL else "incident_serious",
        incident=incident,
        link=link,
        context={"severity": severity_label},
    )
    governors = [
        m.user
        for m in Membership.objects.filter(
            organisation_id__in=organisation.ancestor_ids(), role=Role.GOVERNANCE, user__is_active=True
        ).select_related("user")
    ]
    open_serious = Incident.objects.filter(
        organisation__path__startswith=organisation.path,
        status__in=Incident.OPEN_STATUSES,
        severity__in=SERIOUS_SEVERITIES,
    ).count()
    notify(
        users=governors,
        kind="incident_serious_governance",
        incident=incident,
        link=reverse("home"),
        context={"severity": severity_label, "open_serious": open_serious},
    )
    if dpos:
        routing.dpo_told_on = now
    if sirosses:
        routing.siro_told_on = now
    if governors:
        routing.governance_told_on = now
    if severity == Severity.CRITICAL and previous_severity != Severity.CRITICAL:
        # Critical again: the SIRO decides afresh who leads it.
        routing.lead_decision = ""
        routing.lead_decision_reason = ""
        routing.lead_decided_by = None
        routing.lead_decided_on = None
    routing.routed_severity = severity
    routing.save()
    told = {
        "dpo_told": [u.pk for u in dpos],
        "siro_told": [u.pk for u in sirosses],
        "governance_told": len(governors),
    }
    return told


def _sync_checklist(incident: Incident) -> None:
    """Add the template's items for the incident (and its type); drop untouched items of another type."""
    templates = list(ChecklistTemplateItem.for_incident(incident))
    wanted = {t.pk for t in templates}
    incident.checklist.filter(state=ChecklistItem.State.PENDING, template_item__incident_type__isnull=False).exclude(
        template_item_id__in=wanted
    ).delete()
    have = set(incident.checklist.values_list("template_item_id", flat=True))
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            incident=incident,
            template_item=t,
            text=t.text,
            is_disciplinary=t.is_disciplinary,
            position=t.position,
        )
        for t in templates
        if t.pk not in have
    )


def _assign(
    incident: Incident, routing: Routing, by: Any, p: Powers, investigator: Any, reason: str, now: datetime
) -> str:
    """Check and apply an assignment; returns the reason to record."""
    _need(
        any(u.pk == investigator.pk for u in eligible_investigators(incident)),
        "Choose an investigating officer, incident manager or SIRO of this organisation.",
    )
    if incident.severity == Severity.CRITICAL:
        _need(p.is_siro, "A critical incident is investigated by the SIRO, or by someone the SIRO delegates it to.")
        if investigator.pk == by.pk:
            routing.lead_decision = Routing.LeadDecision.UNDERTAKEN
            routing.lead_decision_reason = reason
        else:
            reason = _need_reason(reason, "Say why you are delegating this critical investigation.")
            routing.lead_decision = Routing.LeadDecision.DELEGATED
            routing.lead_decision_reason = reason
        routing.lead_decided_by = by
        routing.lead_decided_on = now
        routing.save()
    if investigator.pk != by.pk:
        notify(users=[investigator], kind="investigator_assigned", incident=incident)
    incident.investigator = investigator
    return reason


def _report(incident: Incident) -> OutcomeReport:
    report, _ = OutcomeReport.objects.get_or_create(incident=incident)
    return report


def required_review_roles(incident: Incident) -> list[str]:
    roles: list[str] = [OutcomeReview.ReviewerRole.INCIDENT_MANAGER]
    if incident.severity in SERIOUS_SEVERITIES:
        roles.append(OutcomeReview.ReviewerRole.DPO)
    return roles


def _accepted_roles(report: OutcomeReport) -> set[str]:
    return set(
        report.reviews.filter(round=report.round, decision=OutcomeReview.Decision.ACCEPTED).values_list(
            "reviewer_role", flat=True
        )
    )


# ── The steps ────────────────────────────────────────────────────────────────────────────


def triage(
    incident: Incident,
    *,
    by: Any,
    severity: str,
    nature: str = "",
    breach_status: str = "",
    personal_data_breach: str = "",
    breach_types: Iterable[str] = (),
    incident_type: IncidentType | None = None,
    aware_on: datetime | None = None,
    investigator: Any = None,
    delegation_reason: str = "",
) -> None:
    """Classify a new report, set its severity, apply the routing, and optionally assign it."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_triage, "Only the incident manager or the SIRO can triage a report.")
        _from(locked, [Status.REPORTED], "This report has already been triaged.")
        values = _check_classification(
            locked,
            {
                "severity": severity,
                "nature": nature,
                "breach_status": breach_status,
                "personal_data_breach": personal_data_breach,
                "breach_types": list(breach_types),
                "incident_type": incident_type,
                "aware_on": aware_on,
            },
        )
        now = timezone.now()
        before = {"status": locked.status, **_classification_snapshot(locked)}
        _apply_classification(locked, by, values, "First classification at triage", now)
        locked.status = Status.TRIAGED
        locked.triaged_on = now
        locked.save()  # before routing, so the counts it sends include this incident
        told = _route(locked, "", now)
        routing = Routing.objects.get(incident=locked)
        reason = ""
        if investigator is not None:
            reason = _assign(locked, routing, by, p, investigator, delegation_reason, now)
            locked.save()
        _sync_checklist(locked)
        _event(
            locked,
            "incident.triaged",
            by,
            before=before,
            after={
                "status": locked.status,
                **_classification_snapshot(locked),
                "investigator": locked.investigator_id,
                **({"routing": told} if told else {}),
            },
            reason=reason,
        )
    _refresh(incident, locked)


def reclassify(incident: Incident, *, by: Any, reason: str, **values: Any) -> None:
    """Change the classification with a reason; the old version stays. A new severity is routed again."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_reclassify, "Only the incident manager, the SIRO or the DPO can reclassify an incident.")
        _need(locked.status != Status.REPORTED, "Triage the report first; reclassify it afterwards.")
        reason = _need_reason(reason, "Say why the classification is changing.")
        checked = _check_classification(locked, values)
        before = _classification_snapshot(locked)
        previous_severity = locked.severity
        now = timezone.now()
        _apply_classification(locked, by, checked, reason, now)
        after = _classification_snapshot(locked)
        _need(after != before, "Nothing has changed: change at least one part of the classification.")
        locked.save()
        told = _route(locked, previous_severity, now)
        if locked.is_open:
            _sync_checklist(locked)
        _event(
            locked,
            "incident.reclassified",
            by,
            before=before,
            after=after | ({"routing": told} if told else {}),
            reason=reason,
        )
    _refresh(incident, locked)


def assign_investigator(incident: Incident, *, by: Any, investigator: Any, reason: str = "") -> None:
    """Assign the investigating officer.

    On a critical incident only the SIRO may: taking it personally, or delegating it with a reason.
    """
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_assign, "Only the incident manager or the SIRO can assign the investigation.")
        _from(
            locked,
            [Status.TRIAGED, Status.INVESTIGATING],
            "An investigating officer can be assigned once the report is triaged and until the outcome report is in.",
        )
        before = locked.investigator_id
        routing, _ = Routing.objects.get_or_create(incident=locked)
        reason = _assign(locked, routing, by, p, investigator, reason, timezone.now())
        locked.save()
        _event(
            locked,
            "incident.investigator_assigned",
            by,
            before={"investigator": before},
            after={"investigator": investigator.pk, "lead_decision": routing.lead_decision},
            reason=reason,
        )
    _refresh(incident, locked)


def start_investigation(incident: Incident, *, by: Any) -> None:
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(
            p.is_investigator or p.is_manager or p.is_siro,
            "Only the investigating officer, the incident manager or the SIRO can start the investigation.",
        )
        _from(locked, [Status.TRIAGED], "Only a triaged incident can move to investigation.")
        _need(locked.investigator_id is not None, "Assign an investigating officer first.")
        if locked.severity == Severity.CRITICAL:
            routing, _ = Routing.objects.get_or_create(incident=locked)
            _need(
                bool(routing.lead_decision),
                "The SIRO must first undertake this critical investigation or delegate it with a reason.",
            )
        locked.status = Status.INVESTIGATING
        locked.save()
        _report(locked)
        _event(
            locked,
            "incident.investigation_started",
            by,
            before={"status": Status.TRIAGED},
            after={"status": locked.status},
        )
    _refresh(incident, locked)


def submit_outcome(incident: Incident, *, by: Any) -> None:
    """The investigating officer submits the outcome report for review."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(
            p.can_work,
            "Only the investigating officer, the incident manager or the SIRO can submit the outcome report.",
        )
        _from(
            locked,
            [Status.INVESTIGATING],
            "The outcome report can be submitted only while the incident is being investigated.",
        )
        report = _report(locked)
        missing = [
            heading
            for name, heading in OutcomeReport.SECTIONS
            if name in OutcomeReport.REQUIRED_SECTIONS and not getattr(report, name).strip()
        ]
        _need(not missing, "Fill in these parts of the outcome report first: " + ", ".join(missing).lower() + ".")
        now = timezone.now()
        report.status = OutcomeReport.Status.SUBMITTED
        report.round += 1
        report.submitted_by = by
        report.submitted_on = now
        report.accepted_on = None
        report.save()
        locked.status = Status.OUTCOME_SUBMITTED
        locked.outcome_submitted_on = now
        locked.save()
        reviewers = locked.organisation.holders(Role.INCIDENT_MANAGER)
        if locked.severity in SERIOUS_SEVERITIES:
            reviewers += locked.organisation.holders(Role.DPO)
        notify(users=[u for u in reviewers if u.pk != by.pk], kind="outcome_submitted", incident=locked)
        _event(
            locked,
            "incident.outcome_submitted",
            by,
            before={"status": Status.INVESTIGATING},
            after={"status": locked.status, "round": report.round},
        )
    _refresh(incident, locked)


def review_outcome(incident: Incident, *, by: Any, accept: bool, comments: str = "") -> None:
    """Accept the outcome report, or return it with comments (back to investigation)."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(
            bool(p.review_roles),
            "Only the incident manager, and the DPO for major and critical incidents, review outcome reports.",
        )
        _from(locked, [Status.OUTCOME_SUBMITTED], "There is no submitted outcome report to review.")
        report = _report(locked)
        required = required_review_roles(locked)
        accepted = _accepted_roles(report)
        mine = [role for role in p.review_roles if role in required and role not in accepted]
        _need(
            bool(mine),
            "You have already reviewed this outcome report."
            if any(role in accepted for role in p.review_roles)
            else "Only the incident manager reviews the outcome report of a minor or moderate incident.",
        )
        now = timezone.now()
        comments = (comments or "").strip()
        if accept:
            for role in mine:
                OutcomeReview.objects.create(
                    report=report,
                    round=report.round,
                    reviewer=by,
                    reviewer_role=role,
                    decision=OutcomeReview.Decision.ACCEPTED,
                    comments=comments,
                    reviewed_on=now,
                )
            if set(required) <= _accepted_roles(report):
                report.status = OutcomeReport.Status.ACCEPTED
                report.accepted_on = now
                report.save()
            _event(
                locked,
                "incident.outcome_accepted",
                by,
                after={"as": mine, "round": report.round, "report": report.status},
                reason=comments,
            )
        else:
            comments = _need_reason(comments, "Say what needs to change before the report can be accepted.")
            for role in mine:
                OutcomeReview.objects.create(
                    report=report,
                    round=report.round,
                    reviewer=by,
                    reviewer_role=role,
                    decision=OutcomeReview.Decision.RETURNED,
                    comments=comments,
                    reviewed_on=now,
                )
            report.status = OutcomeReport.Status.RETURNED
            report.accepted_on = None
            report.save()
            locked.status = Status.INVESTIGATING
            locked.save()
            if locked.investigator is not None and locked.investigator_id != by.pk:
                notify(users=[locked.investigator], kind="outcome_returned", incident=locked)
            _event(
                locked,
                "incident.outcome_returned",
                by,
                before={"status": Status.OUTCOME_SUBMITTED},
                after={"status": locked.status, "as": mine, "round": report.round},
                reason=comments,
            )
    _refresh(incident, locked)


def closure_blockers(incident: Incident) -> list[str]:
    """What stands between the incident and closure, in plain words (empty: it may close)."""
    blockers = []
    pending = incident.checklist.filter(state=ChecklistItem.State.PENDING).count()
    if pending:
        blockers.append(
            f"{pending} checklist item{'s are' if pending != 1 else ' is'} neither done nor marked not applicable."
        )
    report = OutcomeReport.objects.filter(incident=incident).first()
    accepted = _accepted_roles(report) if report is not None and report.round else set()
    if report is None or report.status != OutcomeReport.Status.ACCEPTED:
        blockers.append("The outcome report has not been accepted.")
    if incident.severity in SERIOUS_SEVERITIES and OutcomeReview.ReviewerRole.DPO not in accepted:
        blockers.append(
            f"The DPO has not reviewed the outcome report of this {incident.get_severity_display().lower()} incident."
        )
    if incident.personal_data_breach == Incident.PersonalDataBreach.YES and not incident.ico_decision:
        blockers.append("This is a personal data breach: record the decision on telling the ICO, with its reason.")
    return blockers + registered_blockers("close", incident)


def close(incident: Incident, *, by: Any) -> list[Any]:
    """Close the incident. Returns its open remedial actions, which stay trackable."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_close, "Only the incident manager or the SIRO can close an incident.")
        _from(
            locked,
            [Status.OUTCOME_SUBMITTED],
            "An incident can be closed once its outcome report is submitted and accepted.",
        )
        blockers = closure_blockers(locked)
        _need(not blockers, "The incident cannot be closed yet. " + " ".join(blockers))
        open_actions = list(locked.remedial_actions.filter(status="open"))
        locked.status = Status.CLOSED
        locked.closed_on = timezone.now()
        locked.save()
        _event(
            locked,
            "incident.closed",
            by,
            before={"status": Status.OUTCOME_SUBMITTED},
            after={
                "status": locked.status,
                "open_remedial_actions": [{"id": a.pk, "title": a.title} for a in open_actions],
            },
        )
    _refresh(incident, locked)
    return open_actions


def close_not_incident(incident: Incident, *, by: Any, reason: str) -> None:
    """Close a report found to be an event with no security significance, with the reason."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_triage, "Only the incident manager or the SIRO can close a report as not an incident.")
        _from(
            locked, [Status.REPORTED, Status.TRIAGED], "Only a report still at triage can be closed as not an incident."
        )
        reason = _need_reason(reason, "Say why this is not a security incident.")
        before = locked.status
        locked.status = Status.CLOSED_NOT_INCIDENT
        locked.closed_on = timezone.now()
        locked.save()
        _event(
            locked,
            "incident.closed_not_incident",
            by,
            before={"status": before},
            after={"status": locked.status},
            reason=reason,
        )
    _refresh(incident, locked)


def reopen(incident: Incident, *, by: Any, reason: str) -> None:
    """Reopen a closed incident, with a reason, back to investigation; its outcome report goes back to draft."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_reopen, "Only the incident manager, the SIRO or the DPO can reopen an incident.")
        _from(locked, Incident.CLOSED_STATUSES, "Only a closed incident can be reopened.")
        reason = _need_reason(reason, "Say why the incident is being reopened.")
        before = locked.status
        locked.status = Status.INVESTIGATING
        locked.closed_on = None
        locked.outcome_submitted_on = None
        if locked.triaged_on is None:
            locked.triaged_on = timezone.now()
        locked.save()
        report = _report(locked)
        if report.status != OutcomeReport.Status.DRAFT:
            report.status = OutcomeReport.Status.DRAFT
            report.accepted_on = None
            report.save()
        _sync_checklist(locked)
        if locked.investigator is not None and locked.investigator_id != by.pk:
            notify(users=[locked.investigator], kind="incident_reopened", incident=locked)
        _event(
            locked, "incident.reopened", by, before={"status": before}, after={"status": locked.status}, reason=reason
        )
    _refresh(incident, locked)


def record_ico_decision(incident: Incident, *, by: Any, decision: str, reason: str) -> None:
    """The DPO (with the SIRO) records whether the ICO and the individuals are told, and why."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(p.can_decide_ico, "Only the DPO or the SIRO can record the ICO decision.")
        _need(
            locked.is_open and locked.status != Status.REPORTED,
            "The ICO decision is recorded on a triaged, open incident.",
        )
        _need(decision in Incident.IcoDecision.values, "Choose a decision.")
        reason = _need_reason(reason, "Give the reason for the decision.")
        before = {"ico_decision": locked.ico_decision, "ico_decision_reason": locked.ico_decision_reason}
        locked.ico_decision = decision
        locked.ico_decision_reason = reason
        locked.ico_decision_on = timezone.now()
        locked.ico_decided_by = by
        locked.save()
        _event(
            locked, "incident.ico_decision_recorded", by, before=before, after={"ico_decision": decision}, reason=reason
        )
    _refresh(incident, locked)


# ── Working the investigation (not status changes, but each still one event) ─────────────

WORKING_STATES = (Status.TRIAGED, Status.INVESTIGATING, Status.OUTCOME_SUBMITTED)


def update_checklist_item(
    item: ChecklistItem,
    *,
    by: Any,
    state: str,
    note: str = "",
    not_applicable_reason: str = "",
    disciplinary_decision: str = "",
    evidence: Any = None,
) -> None:
    """Mark an item done (with a note, optionally evidence) or not applicable (with a reason).

    The disciplinary item is done with a decision; "no disciplinary action" needs the reason
    why not. Its notes are restricted, so its event records the decision, never the words.
    """
    with transaction.atomic():
        incident = _locked(item.incident)
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
        p = powers(by, incident)
        if item.is_disciplinary:
            _need(
                p.can_see_restricted,
                "Only the incident manager, the SIRO or the DPO can record the disciplinary decision.",
            )
        else:
            _need(
                p.can_work, "Only the investigating officer, the incident manager or the SIRO can work the checklist."
            )
        _from(incident, WORKING_STATES, "The checklist can be changed only while the incident is open and triaged.")
        note = (note or "").strip()
        not_applicable_reason = (not_applicable_reason or "").strip()
        if evidence is not None:
            _need(evidence.incident_id == incident.pk, "Link evidence of this incident only.")
        if item.is_disciplinary:
            _need(
                state != ChecklistItem.State.NOT_APPLICABLE,
                "Record a decision on disciplinary action, or why there is none.",
            )
            if state == ChecklistItem.State.DONE:
                _need(
                    disciplinary_decision in ChecklistItem.DisciplinaryDecision.values,
                    "Say whether disciplinary action has been commenced.",
                )
                _need(
                    disciplinary_decision == ChecklistItem.DisciplinaryDecision.COMMENCED or bool(note),
                    "Record why no disciplinary action is being taken.",
                )
        elif state == ChecklistItem.State.NOT_APPLICABLE:
            _need(bool(not_applicable_reason), "Say why this item does not apply.")
        _need(state in ChecklistItem.State.values, "Choose done, not applicable or to do.")
        before = {"state": item.state}
        item.state = state
        item.note = note if state == ChecklistItem.State.DONE else ""
        item.not_applicable_reason = not_applicable_reason if state == ChecklistItem.State.NOT_APPLICABLE else ""
        item.disciplinary_decision = (
            disciplinary_decision if item.is_disciplinary and state == ChecklistItem.State.DONE else ""
        )
        item.evidence = evidence if state == ChecklistItem.State.DONE else None
        item.updated_by = by
        item.updated_on = timezone.now()
        item.save()
        after: dict[str, Any] = {"item": item.text, "state": state}
        if item.is_disciplinary:
            after["restricted"] = True
        else:
            after |= {"note": item.note, "not_applicable_reason": item.not_applicable_reason}
            if item.evidence is not None:
                after["evidence"] = str(item.evidence.uuid)
        record(
            organisation_id=incident.organisation_id,
            action="checklist.item_updated",
            actor=by,
            record=incident,
            target=item,
            before=before,
            after=after,
        )


def add_note(incident: Incident, *, by: Any, body: str) -> InternalNote:
    with transaction.atomic():
        locked = _locked(incident)
        _need(powers(by, locked).can_view, "Only the people handling the incident can add notes.")
        body = _need_reason(body, "Write the note.")
        note = InternalNote.objects.create(incident=locked, author=by, body=body, created_on=timezone.now())
        record(
            organisation_id=locked.organisation_id,
            action="note.added",
            actor=by,
            record=locked,
            target=note,
            after={"body": body},
        )
    return note


def message_reporter(incident: Incident, *, by: Any, body: str) -> Any:
    """A message to the reporter: on their report page (named) or receipt page (anonymous).

    A named reporter is emailed that there is a message (not its words); an anonymous
    reporter has no address and reads it with their receipt.
    """
    from incidents.models import ReporterMessage

    with transaction.atomic():
        locked = _locked(incident)
        _need(powers(by, locked).can_view, "Only the people handling the incident can message the reporter.")
        body = _need_reason(body, "Write the message.")
        _need(
            locked.reporter_anonymous or locked.reported_by is not None,
            "This incident has no reporter to write to.",
        )
        message = ReporterMessage.objects.create(
            incident=locked,
            direction=ReporterMessage.Direction.TO_REPORTER,
            body=body,
            author=by,
            sent_on=timezone.now(),
        )
        if not locked.reporter_anonymous and locked.reported_by is not None:
            notify(
                users=[locked.reported_by],
                kind="reporter_message",
                incident=locked,
                link=reverse("intake:my_report", args=[locked.uuid]),
            )
        publish(  # published: a message to the reporter resets "update the reporter"
            locked,
            "reporter.message_sent",
            by,
            target=message,
            after={"body": body},
        )
    return message


def save_outcome_draft(incident: Incident, *, by: Any, sections: dict[str, str]) -> OutcomeReport:
    """Save the outcome report's sections. Only restricted-readers may write the disciplinary outcome."""
    with transaction.atomic():
        locked = _locked(incident)
        p = powers(by, locked)
        _need(
            p.can_work, "Only the investigating officer, the incident manager or the SIRO can write the outcome report."
        )
        _from(
            locked,
            [Status.INVESTIGATING],
            "The outcome report can be changed only while the incident is being investigated.",
        )
        report = _report(locked)
        allowed = {name for name, _ in OutcomeReport.SECTIONS}
        if not p.can_see_restricted:
            allowed -= set(OutcomeReport.RESTRICTED_SECTIONS)
        changed = []
        for name, value in sections.items():
            if name in allowed and getattr(report, name) != (value or "").strip():
                setattr(report, name, (value or "").strip())
                changed.append(name)
        if report.status == OutcomeReport.Status.RETURNED:
            report.status = OutcomeReport.Status.DRAFT
        report.updated_by = by
        report.updated_on = timezone.now()
        report.save()
        record(
            organisation_id=locked.organisation_id,
            action="outcome.saved",
            actor=by,
            record=locked,
            target=report,
            # The words are in the report; the event says which parts changed.
            after={"changed": changed},
        )
    return report


def my_serious_scope_filter(user: Any) -> Q:
    """Major and critical incidents in the scope where `user` is SIRO or DPO."""
    from organisations.models import Organisation

    paths = set(
        Membership.objects.filter(user=user, role__in=[Role.SIRO, Role.DPO]).values_list(
            "organisation__path", flat=True
        )
    )
    if not paths:
        return Q(pk__in=[])
    return Q(organisation__in=Organisation.objects.under_paths(paths), severity__in=SERIOUS_SEVERITIES)
