"""The case file: every field of an incident, its timeline, evidence and actions, as a tagged PDF.

The data goes to typst as JSON through `sys_inputs`; the template places each value as
text, so nothing typed into a report can change the document's markup.
"""

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from audit.log import events_for
from incidents.lifecycle import CLASSIFICATION_FIELDS
from incidents.models import Incident
from incidents.registry import extra_sections
from lib import clock, pdf
from lib.timeline import fold

TEMPLATE = Path(__file__).resolve().parent / "templates" / "casefile" / "case_file.typ"
NOT_RECORDED = "Not recorded"

CLASSIFICATION = (*CLASSIFICATION_FIELDS, "triaged_on")
ICO = (
    "ico_decision",
    "ico_decision_reason",
    "ico_decision_on",
    "ico_decided_by",
    "ico_reported_on",
    "ico_reference",
    "individuals_told_on",
)
# Internal keys with no meaning for a reader.
LEFT_OUT = {"id", "uuid", "submission_key"}
# Events that are access, not history: counted, not listed.
ACCESS_EVENTS = {"incident.viewed"}


# Sections other apps add (the checklist, the outcome report, the breach assessment) come
# from `incidents.registry.add_section`.
Section = dict[str, Any]


def when(value: Any, incident: Incident | None = None) -> str:
    """A time as the case file shows it, at the precision its report allows (lib/clock.py)."""
    if not isinstance(value, date):
        return str(value)
    return clock.show(value, clock.precision_of(incident), long=True)


def person(user: Any) -> str:
    if user is None:
        return NOT_RECORDED
    return user.full_name or user.email


def label(field: models.Field) -> str:
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def field_value(incident: Incident, field: models.Field, viewer: Any) -> str:
    name = field.name
    if name == "reported_by":
        return incident.reporter_display(viewer)
    value = getattr(incident, name)
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if name == "breach_types":
        labels = dict(Incident.BreachType.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime | date):
        return when(value, incident)
    if field.is_relation:
        return person(value) if hasattr(value, "email") else str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def sections(incident: Incident, viewer: Any) -> list[dict[str, Any]]:
    fields = {f.name: f for f in Incident._meta.concrete_fields if f.name not in LEFT_OUT}
    groups = [
        ("The report", list(Incident.REPORT_FIELDS)),
        ("Classification", list(CLASSIFICATION)),
        ("ICO and individuals", list(ICO)),
    ]
    grouped = {name for _, names in groups for name in names}
    # Everything else (reference, status, people, dates, and any field added later).
    groups.insert(0, ("The record", [name for name in fields if name not in grouped]))
    return [
        {
            "title": title,
            "rows": [
                {"label": label(fields[name]), "value": field_value(incident, fields[name], viewer)}
                for name in names
                if name in fields
            ],
        }
        for title, names in groups
    ]


def actor_name(actor: Any, incident: Incident, reporter_shown: str) -> str:
    if actor is None:
        return "No account"
    if incident.reported_by_id is not None and actor.pk == incident.reported_by_id:
        return reporter_shown
    return person(actor)


def case_file_data(incident: Incident, viewer: Any) -> dict[str, Any]:
    reporter_shown = incident.reporter_display(viewer)
    events = list(events_for(incident))
    timeline = fold(
        {
            "when": when(event.created_on, incident),
            "what": event.describe(),
            "who": actor_name(event.actor, incident, reporter_shown),
            "reason": event.reason or "",
        }
        for event in events
        if event.action not in ACCESS_EVENTS
    )
    views = sum(1 for event in events if event.action in ACCESS_EVENTS)
    evidence = [
        {
            "name": item.original_name,
            "added": when(item.uploaded_on, incident),
            "added_by": actor_name(item.uploaded_by, incident, reporter_shown)
            if item.uploaded_by
            else item.get_source_display(),
            "source": item.get_source_display(),
            "description": item.description or NOT_RECORDED,
            "size": f"{filesizeformat(item.size)}, {item.content_type}",
            "sha256": item.sha256,
            "status": f"Withdrawn {when(item.withdrawn_on, incident)}: {item.withdrawn_reason}"
            if item.is_withdrawn
            else "Current",
        }
        for item in incident.evidence.select_related("uploaded_by")
    ]
    actions = [
        {
            "title": action.title,
            "owner": person(action.owner) if action.owner else "No one yet",
            "due": when(action.due_on) if action.due_on else "No date",
            "status": "Overdue" if action.is_overdue() else action.get_status_display(),
            "change_reference": action.change_reference or "None",
        }
        for action in incident.remedial_actions.select_related("owner")
    ]
    return {
        "title": f"Case file {incident.reference}",
        "reference": incident.reference or "",
        "organisation": incident.organisation.name,
        "status": incident.get_status_display(),
        "classification_marking": "confidential: contains personal data",
        "notice": (
            "This case file contains personal data. Keep it secure, share it only with those who need it, "
            "and destroy it when it is no longer needed. "
            f"The incident page was opened {views} time{'s' if views != 1 else ''}; "
            "those views are on the record and not listed here."
        ),
        "generated_on": when(timezone.now()),
        "generated_for": person(viewer),
        "sections": sections(incident, viewer) + extra_sections(incident, viewer),
        "timeline": timeline,
        "evidence": evidence,
        "actions": actions,
    }


def render_pdf(data: dict[str, Any]) -> bytes:
    """A tagged PDF (PDF/UA-1) of the case file."""
    return pdf.render_pdf(TEMPLATE, data, title=data["title"])
