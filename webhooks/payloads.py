"""What a delivery says, in each format: references, the event, the organisation, times and links.

Never report contents, unless the subscription includes details and the admin who asked for
them may still read the incident (`organisations.powers`: a handler there); then the report's
own fields are added under "details". Times go through `lib/clock.py`: an anonymous report's
are the day alone (its organisation's precision), like every page and export.

Formats (`Subscription.Format`): Standard Webhooks JSON (`{"type", "timestamp", "data"}`),
a Microsoft Teams message carrying an Adaptive Card, and a Slack incoming-webhook message
(`text` with `blocks`). All three are signed the same way.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from incidents.models import Incident
from lib import clock
from organisations.powers import powers

from .events import TYPES
from .models import Subscription


def when(value: Any, precision: clock.Precision) -> str:
    if isinstance(value, datetime):
        return clock.iso(value.replace(microsecond=0), precision)
    if isinstance(value, date):
        return value.isoformat()
    return ""


def may_include_details(subscription: Subscription, incident: Incident) -> bool:
    """Report contents go out only where the admin who allowed them may read them: a handler
    here, and the incident is one they may open (`visible_to`: a restriction leaves them out)."""
    granted_by = subscription.details_granted_by
    if not subscription.include_details or granted_by is None or not granted_by.is_active:
        return False
    if not powers(granted_by, incident.organisation).can_read_report_contents:
        return False
    return Incident.objects.visible_to(granted_by).filter(pk=incident.pk).exists()


def standard(subscription: Subscription, event_type: str, event: Any, incident: Incident) -> dict[str, Any]:
    """The Standard Webhooks payload: {"type", "timestamp", "data"}."""
    precision = clock.precision_of(incident)
    after = event.after if isinstance(event.after, dict) else {}
    organisation = incident.organisation
    data: dict[str, Any] = {
        "event": {
            "type": event_type,
            "description": TYPES[event_type].label,
            "occurred_at": when(event.created_on, precision),
        },
        "incident": {
            "reference": incident.reference,
            "id": str(incident.uuid),
            "status": incident.status,
            "severity": incident.severity or None,
            "reported_at": when(incident.reported_on, precision),
            "anonymous": incident.reporter_anonymous,
            "link": settings.SITE_URL + reverse("incidents:detail", args=[incident.uuid]),
        },
        "organisation": {"id": str(organisation.uuid), "name": organisation.name},
    }
    if incident.restricted_on is not None:
        # A restricted incident goes out as the "exists" placeholder: reference and status only.
        for name in ("severity", "reported_at", "anonymous"):
            del data["incident"][name]
        data["incident"]["restricted"] = True
        return {"type": event_type, "timestamp": data["event"]["occurred_at"], "data": data}
    if event.action == "incident.reclassified":
        before = event.before if isinstance(event.before, dict) else {}
        data["event"]["severity_before"] = before.get("severity") or None
    if event.action.startswith("escalation."):
        data["event"]["due_at"] = when(_moment(after.get("due")), precision)
        threshold = str(after.get("threshold", ""))
        if threshold.startswith("clock:") and threshold != "clock:overdue":
            data["event"]["hours_left"] = int(threshold.removeprefix("clock:").removesuffix("h"))
    if event.action == "escalation.action_overdue" and after.get("action") is not None:
        data["event"]["action_link"] = settings.SITE_URL + reverse("actions:detail", args=[after["action"]])
    if may_include_details(subscription, incident):
        data["details"] = {
            name: when(value, precision) if isinstance(value, date) else value
            for name in Incident.REPORT_FIELDS
            if (value := getattr(incident, name)) not in (None, "")
        }
    return {"type": event_type, "timestamp": data["event"]["occurred_at"], "data": data}


def _moment(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def _title(payload: dict[str, Any]) -> str:
    data = payload["data"]
    return f"{data['incident']['reference']}: {data['event']['description']}"


def _facts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    data = payload["data"]
    incident = data["incident"]
    facts = [
        ("Organisation", data["organisation"]["name"]),
        ("Status", incident["status"].replace("_", " ")),
        ("When", data["event"]["occurred_at"]),
    ]
    if incident.get("restricted"):
        return [*facts, ("Restricted", "only the people it names can open it")]
    facts.insert(2, ("Severity", incident["severity"] or "not yet set"))
    if "hours_left" in data["event"]:
        facts.append(("Hours left on the ICO clock", str(data["event"]["hours_left"])))
    return facts


def teams(payload: dict[str, Any]) -> dict[str, Any]:
    """A Teams incoming-webhook (or Workflows) message with one Adaptive Card."""
    link = payload["data"]["incident"]["link"]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": _title(payload), "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in _facts(payload)]},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open in Incident Desk", "url": link}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def slack(payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` (notifications, screen readers) and `blocks`."""
    link = payload["data"]["incident"]["link"]
    title = _title(payload)
    return {
        "text": f"{title} <{link}|Open in Incident Desk>",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{t}*\n{v}"} for t, v in _facts(payload)]},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open in Incident Desk"}, "url": link}
                ],
            },
        ],
    }


def build(subscription: Subscription, event_type: str, event: Any, incident: Incident) -> dict[str, Any]:
    payload = standard(subscription, event_type, event, incident)
    if subscription.format == Subscription.Format.TEAMS:
        return teams(payload)
    if subscription.format == Subscription.Format.SLACK:
        return slack(payload)
    return payload
