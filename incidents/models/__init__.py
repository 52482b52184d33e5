"""The incident and what its handling keeps beside it (one module each, re-exported here)."""

from .incident import (
    Channel,
    Incident,
    IncidentChildQuerySet,
    IncidentQuerySet,
    IncidentType,
    ReporterMessage,
    child_queryset,
    report_incident,
)
from .investigation import (
    DEFAULT_SEVERITY_DEFINITIONS,
    SERIOUS_SEVERITIES,
    ChecklistItem,
    ChecklistTemplateItem,
    Classification,
    InternalNote,
    OutcomeReport,
    OutcomeReview,
    Routing,
    SeverityDefinition,
    incident_types_for,
    severity_definitions,
)
from .oversight import Correction, Oversight, SignOffSetting, sign_off_asked_subquery
from .restriction import NamedPerson, OutsideAccess

__all__ = [
    "DEFAULT_SEVERITY_DEFINITIONS",
    "SERIOUS_SEVERITIES",
    "Channel",
    "ChecklistItem",
    "ChecklistTemplateItem",
    "Classification",
    "Correction",
    "Incident",
    "IncidentChildQuerySet",
    "IncidentQuerySet",
    "IncidentType",
    "InternalNote",
    "NamedPerson",
    "OutcomeReport",
    "OutcomeReview",
    "OutsideAccess",
    "Oversight",
    "ReporterMessage",
    "Routing",
    "SeverityDefinition",
    "SignOffSetting",
    "child_queryset",
    "incident_types_for",
    "report_incident",
    "severity_definitions",
    "sign_off_asked_subquery",
]
