"""Messages between the people handling an incident and its reporter, both ways, as on the web.

    GET  /incidents/{uuid}/messages      the conversation, for those who may open the incident
    POST /incidents/{uuid}/messages      a message to the reporter (the table's `message_reporter` step)
    GET  /my-reports/{uuid}/messages     the reporter's own view of it
    POST /my-reports/{uuid}/messages     the reporter adds to their own report

Handlers write through `lifecycle.message_reporter` (a named reporter is emailed that there
is a message; an anonymous one reads it with their receipt, on the web only). A named or
confidential reporter adds through `intake.services.add_to_report`, which stores the words
through `lifecycle.receive_from_reporter` and tells the handlers, exactly as their report
page does; their own report is found as that page finds it (`intake.views.own_report`).
The anonymous channel stays web-only: an anonymous report has no reporter account to call.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from api.auth import need
from api.models import Scope
from api.schemas import REFUSALS, STEP_REFUSALS
from core.views import get_visible_or_404
from incidents import forms as f
from incidents import lifecycle
from incidents.models import Incident, ReporterMessage
from intake.forms import AddToReportForm
from intake.services import add_to_report
from intake.views import own_report
from lib import clock

from .forms import bound, cleaned
from .incidents import viewed
from .steps import IncidentState, incident_for_step, state

router = Router(tags=["Messages"])


class MessageOut(Schema):
    direction: str = Field(description="to_reporter or from_reporter.")
    body: str
    author: str | None = Field(description="Who wrote a message to the reporter; none for the reporter's own.")
    sent_on: str


class ReporterMessageOut(Schema):
    """A message as the reporter sees it: from them, or from the people handling their report."""

    from_me: bool
    body: str
    sent_on: str


class MessageIn(Schema):
    body: str | None = Field(None, description="The message. Do not include confidential detail.")


class AdditionIn(Schema):
    text: str | None = Field(None, description="What you want to add to your report.")


def sent(message: ReporterMessage, incident: Incident) -> str:
    return clock.iso(message.sent_on, clock.precision_of(incident))


@router.get(
    "/incidents/{incident_uuid}/messages",
    response={200: list[MessageOut], **REFUSALS},
    summary="Messages with the reporter",
)
def conversation(request: HttpRequest, incident_uuid: UUID) -> list[MessageOut]:
    """Oldest first. Reading them is on the incident's record, as opening its page is."""
    person = need(request, Scope.READ).person
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), person, uuid=incident_uuid)
    viewed(incident, person)
    return [
        MessageOut(
            direction=message.direction,
            body=message.body,
            author=message.author.email if message.author else None,
            sent_on=sent(message, incident),
        )
        for message in incident.reporter_messages.select_related("author")
    ]


@router.post(
    "/incidents/{incident_uuid}/messages",
    response={201: IncidentState, **STEP_REFUSALS},
    summary="Message the reporter",
)
def message_reporter(request: HttpRequest, incident_uuid: UUID, payload: MessageIn) -> Status[IncidentState]:
    """A named reporter is emailed that there is a message (never its words); an anonymous
    reporter reads it with their receipt. 409 when the incident has no reporter to write to."""
    incident, _ = incident_for_step(request, incident_uuid, "message_reporter")
    values = cleaned(bound(f.MessageForm, payload.dict(exclude_unset=True)))
    lifecycle.message_reporter(incident, by=request.user, body=values["body"])
    return Status(201, state(request, incident))


def reporter_view(incident: Incident) -> list[ReporterMessageOut]:
    return [
        ReporterMessageOut(
            from_me=message.direction == ReporterMessage.Direction.FROM_REPORTER,
            body=message.body,
            sent_on=sent(message, incident),
        )
        for message in incident.reporter_messages.all()
    ]


@router.get(
    "/my-reports/{incident_uuid}/messages",
    response={200: list[ReporterMessageOut], **REFUSALS},
    summary="Messages about your own report",
)
def my_conversation(request: HttpRequest, incident_uuid: UUID) -> list[ReporterMessageOut]:
    """For the person who reported it: what they sent and what the handlers wrote back."""
    need(request, Scope.REPORT)
    return reporter_view(own_report(request, incident_uuid))


@router.post(
    "/my-reports/{incident_uuid}/messages",
    response={201: list[ReporterMessageOut], **STEP_REFUSALS},
    summary="Add to your own report",
)
def add_to_my_report(request: HttpRequest, incident_uuid: UUID, payload: AdditionIn) -> Status[Any]:
    """Something found out since, for the people handling the report, who are told at once."""
    person = need(request, Scope.REPORT).person
    incident = own_report(request, incident_uuid)
    values = cleaned(bound(AddToReportForm, payload.dict(exclude_unset=True)))
    add_to_report(incident=incident, by=person, text=values["text"])
    return Status(201, reporter_view(incident))
