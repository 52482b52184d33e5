"""Classification and routing: the checks and writes that triage and reclassification share.

Every version of a classification is kept (`Classification`); a new severity is routed again
(major and critical tell the DPO and the SIRO; critical asks the SIRO to undertake or
delegate); the checklist follows the incident's type.
"""

from datetime import datetime
from typing import Any

from django.db.models import Q

from organisations.models import Organisation, Role
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
from .common import Severity, critical_assignment_refusals, eligible_investigators, need, need_reason

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


def route(incident: Incident, previous_severity: str, now: datetime) -> None:
    """Apply the policies' routing for the incident's severity.

    Major: the DPO must review before closure; the SIRO works with the DPO. Critical: the SIRO
    undertakes or delegates the investigation, afresh each time it becomes critical. Who is
    told (and when) is the notifications app's, reacting to the step's event.
    """
    routing, _ = Routing.objects.get_or_create(incident=incident)
    severity = incident.severity
    if incident.siro_leads and previous_severity != Incident.SIRO_LED_SEVERITY:
        # Critical again: the SIRO decides afresh who leads it.
        routing.lead_decision = ""
        routing.lead_decision_reason = ""
        routing.lead_decided_by = None
        routing.lead_decided_on = None
    routing.routed_severity = severity
    routing.save()


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
    refusals = critical_assignment_refusals(incident, p)
    need(not refusals, refusals[0] if refusals else "")
    if incident.siro_leads:
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
    incident.investigator = investigator
    return reason


def my_serious_scope_filter(user: Any) -> Q:
    """Major and critical incidents in the scope where `user` is SIRO or DPO."""
    paths = paths_where(user, [Role.SIRO, Role.DPO])
    if not paths:
        return Q(pk__in=[])
    return Q(organisation__in=Organisation.objects.under_paths(paths), severity__in=SERIOUS_SEVERITIES)
