"""Classification and routing: the checks and writes that triage and reclassification share.

Every version of a classification is kept (`Classification`); a new severity is routed again
(major and critical tell the DPO and the SIRO; critical asks the SIRO to undertake or
delegate); the checklist follows the incident's type.
"""

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse

from notifications.api import notify
from organisations.models import Membership, Organisation, Role
from organisations.powers import Powers, paths_where

from ..models import (
    SERIOUS_SEVERITIES,
    ChecklistItem,
    ChecklistTemplateItem,
    Classification,
    Incident,
    IncidentType,
    Routing,
    incident_types_for,
)
from .common import Severity, eligible_investigators, need, need_reason

CLASSIFICATION_FIELDS = (
    "nature",
    "breach_status",
    "personal_data_breach",
    "breach_types",
    "incident_type",
    "severity",
    "aware_on",
)


def snapshot(incident: Incident) -> dict[str, Any]:
    return {
        "nature": incident.nature,
        "breach_status": incident.breach_status,
        "personal_data_breach": incident.personal_data_breach,
        "breach_types": list(incident.breach_types or []),
        "incident_type": incident.incident_type.name if incident.incident_type_id and incident.incident_type else "",
        "severity": incident.severity,
        "aware_on": incident.aware_on,
    }


def check_classification(incident: Incident, values: dict[str, Any]) -> dict[str, Any]:
    severity = values.get("severity") or ""
    need(severity in Severity.values, "Choose a severity.")
    need(
        (values.get("nature") or "") in Incident.Nature.values,
        "Choose what this is: an event, a weakness, an incident or not known yet.",
    )
    need((values.get("breach_status") or "") in Incident.BreachStatus.values, "Choose a breach status.")
    pdb = values.get("personal_data_breach") or ""
    need(pdb in Incident.PersonalDataBreach.values, "Say whether this is a personal data breach.")
    breach_types = sorted(set(values.get("breach_types") or []))
    need(all(t in Incident.BreachType.values for t in breach_types), "Choose breach types from the list.")
    incident_type = values.get("incident_type")
    if incident_type is not None:
        need(
            isinstance(incident_type, IncidentType)
            and incident_types_for(incident.organisation).filter(pk=incident_type.pk).exists(),
            "Choose an incident type from this organisation's list.",
        )
    aware_on = values.get("aware_on")
    need(
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


def apply_classification(incident: Incident, by: Any, values: dict[str, Any], reason: str, now: datetime) -> None:
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


def route(incident: Incident, previous_severity: str, now: datetime) -> dict[str, Any]:
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


def sync_checklist(incident: Incident) -> None:
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


def assign(
    incident: Incident, routing: Routing, by: Any, p: Powers, investigator: Any, reason: str, now: datetime
) -> str:
    """Check and apply an assignment; returns the reason to record."""
    need(
        any(u.pk == investigator.pk for u in eligible_investigators(incident)),
        "Choose an investigating officer, incident manager or SIRO of this organisation.",
    )
    if incident.severity == Severity.CRITICAL:
        need(p.is_siro, "A critical incident is investigated by the SIRO, or by someone the SIRO delegates it to.")
        if investigator.pk == by.pk:
            routing.lead_decision = Routing.LeadDecision.UNDERTAKEN
            routing.lead_decision_reason = reason
        else:
            reason = need_reason(reason, "Say why you are delegating this critical investigation.")
            routing.lead_decision = Routing.LeadDecision.DELEGATED
            routing.lead_decision_reason = reason
        routing.lead_decided_by = by
        routing.lead_decided_on = now
        routing.save()
    if investigator.pk != by.pk:
        notify(users=[investigator], kind="investigator_assigned", incident=incident)
    incident.investigator = investigator
    return reason


def my_serious_scope_filter(user: Any) -> Q:
    """Major and critical incidents in the scope where `user` is SIRO or DPO."""
    paths = paths_where(user, [Role.SIRO, Role.DPO])
    if not paths:
        return Q(pk__in=[])
    return Q(organisation__in=Organisation.objects.under_paths(paths), severity__in=SERIOUS_SEVERITIES)
