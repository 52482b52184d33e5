"""Incidents: the list (the web list's filters, cursor pagination), one incident, report one
(the web form's service and validation; `Idempotency-Key` honoured) and its classification
history. Lifecycle steps are in steps.py.

Reading an incident's report is an event on its record, as opening its page is
(`incident.viewed`). The list carries no report contents (reference, status, dates,
organisation), like the web list's columns less the description, so reading it is not.
The anonymous channel stays web-only: there is no anonymous report here.
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from anonymous.services import submit_confidential_report
from audit.log import record
from core.views import get_visible_or_404
from incidents.forms import IncidentFilterForm, ReportFieldsForm
from incidents.models import Classification, Incident
from intake.services import submit_report
from intake.views import reportable_organisations
from lib import clock
from organisations.models import HANDLER_ROLES, Organisation

from .. import pagination
from ..auth import need
from ..errors import Invalid, form_invalid
from ..idempotency import REPLAYED_HEADER, once
from ..models import Scope
from ..schemas import REFUSALS, Problem

router = Router()

NO_ORGANISATION = "You do not belong to an organisation you can report to."
WHICH_ORGANISATION = "Say which organisation this is about: you can report to more than one."
NOT_YOURS = "You cannot report to this organisation."


# Times about an incident, as the pages show them (`lib.clock`): an ISO 8601 date-time, or the
# date alone for an anonymous report, whose times are kept to the day.
Moment = Annotated[str, Field(description="ISO 8601: a date-time, or only the date for an anonymous report.")]


# ── Shapes ────────────────────────────────────────────────────────────────────────────────
class IncidentSummary(Schema):
    uuid: UUID
    reference: str | None
    status: str
    severity: str
    organisation: UUID
    organisation_name: str
    reported_on: Moment
    closed_on: Moment | None
    url: str


class IncidentPage(Schema):
    items: list[IncidentSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Classified(Schema):
    nature: str
    breach_status: str
    personal_data_breach: str
    breach_types: list[str]
    incident_type: str | None
    severity: str
    aware_on: Moment | None


class IncidentDetail(IncidentSummary):
    description: str
    occurred_on: Moment | None
    discovered_on: Moment | None
    location: str
    information_involved: str
    personal_data: str
    data_subjects: str
    people_affected: int | None
    records_affected: int | None
    people_involved: str
    action_taken: str
    symptoms: str
    service_affected: str
    service_name: str
    reported_by: str = Field(
        description="As the caller may see it: a confidential reporter's name only for the DPO and SIRO."
    )
    investigator: str | None
    classification: Classified
    triaged_on: Moment | None
    outcome_submitted_on: Moment | None
    ico_decision: str


class ClassificationVersion(Classified):
    version: int
    reason: str
    classified_by: str
    classified_on: Moment


class ReportIn(Schema):
    """A report, as the staff report form takes it: only the description is required."""

    organisation: UUID | None = Field(None, description="Needed when you can report to more than one organisation.")
    identity: Literal["named", "confidential"] = Field(
        "named",
        description="Confidential: only the DPO and the SIRO see who reported it. Anonymous reports are web-only.",
    )
    description: str = Field(max_length=100_000)
    occurred_on: datetime | None = None
    discovered_on: datetime | None = None
    location: str = ""
    information_involved: str = ""
    personal_data: Literal["", "yes", "no", "not_sure"] = ""
    data_subjects: str = ""
    # Strict: a JSON true or false is not a count (lax pydantic read false as 0, and schemathesis
    # found a report with `"records_affected": false` accepted).
    people_affected: int | None = Field(None, ge=0, le=2_147_483_647, strict=True)
    records_affected: int | None = Field(None, ge=0, le=2_147_483_647, strict=True)
    people_involved: str = ""
    action_taken: str = ""
    symptoms: str = ""
    service_affected: Literal["", "yes", "no", "not_sure"] = ""
    service_name: str = ""


class ListFilters(Schema):
    q: str = Field("", description="A reference, or words from the report (as the web list's search).")
    status: Literal["", "open", *Incident.Status.values] = Field(  # type: ignore[valid-type]
        "", description="A status, or `open` for any open status."
    )
    organisation: UUID | None = Field(None, description="This organisation and everything beneath it.")
    cursor: str | None = None
    limit: int = Field(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT)


# ── Building answers ──────────────────────────────────────────────────────────────────────
def when(value: Any, precision: clock.Precision) -> str | None:
    return clock.iso(value, precision) if value is not None else None


def summary_of(incident: Incident) -> dict[str, Any]:
    precision = clock.precision_of(incident)
    return {
        "uuid": incident.uuid,
        "reference": incident.reference,
        "status": incident.status,
        "severity": incident.severity,
        "organisation": incident.organisation.uuid,
        "organisation_name": incident.organisation.name,
        "reported_on": when(incident.reported_on, precision),
        "closed_on": when(incident.closed_on, precision),
        "url": f"/api/v1/incidents/{incident.uuid}",
    }


def classification_of(thing: Any, precision: clock.Precision) -> dict[str, Any]:
    return {
        "nature": thing.nature,
        "breach_status": thing.breach_status,
        "personal_data_breach": thing.personal_data_breach,
        "breach_types": list(thing.breach_types or []),
        "incident_type": thing.incident_type.name if thing.incident_type else None,
        "severity": thing.severity,
        "aware_on": when(thing.aware_on, precision),
    }


def detail_of(incident: Incident, viewer: Any) -> dict[str, Any]:
    investigator = incident.investigator
    precision = clock.precision_of(incident)
    moments = {"occurred_on", "discovered_on"}
    return (
        summary_of(incident)
        | {
            name: when(getattr(incident, name), precision) if name in moments else getattr(incident, name)
            for name in Incident.REPORT_FIELDS
        }
        | {
            "reported_by": incident.reporter_display(viewer),
            "investigator": (investigator.full_name or investigator.email) if investigator else None,
            "classification": classification_of(incident, precision),
            "triaged_on": when(incident.triaged_on, precision),
            "outcome_submitted_on": when(incident.outcome_submitted_on, precision),
            "ico_decision": incident.ico_decision,
        }
    )


def viewed(incident: Incident, person: Any) -> None:
    """Reading a report's personal data is on the record, as opening its page is."""
    with transaction.atomic(savepoint=False):
        record(organisation_id=incident.organisation_id, action="incident.viewed", actor=person, record=incident)


# ── Operations ────────────────────────────────────────────────────────────────────────────
@router.get("", response={200: IncidentPage, **REFUSALS}, summary="Incidents you may see")
def incident_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    """Newest first, with the web list's filters; `next_cursor` leads to the next page."""
    caller = need(request, Scope.READ)
    organisations = Organisation.objects.visible_to(caller.person, roles=HANDLER_ROLES).only("id", "name", "path")
    data: dict[str, Any] = {"q": filters.q, "status": filters.status}
    if filters.organisation is not None:
        found = organisations.filter(uuid=filters.organisation).first()
        data["organisation"] = found.pk if found else "0"  # an organisation out of reach: the form refuses it
    form = IncidentFilterForm(data, organisations=organisations)
    if not form.is_valid():
        raise form_invalid(form)
    queryset = form.filter(Incident.objects.visible_to(caller.person).select_related("organisation"))
    rows, next_cursor = pagination.page(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [summary_of(incident) for incident in rows], "next_cursor": next_cursor}


@router.get("/{incident_uuid}", response={200: IncidentDetail, **REFUSALS}, summary="One incident")
def incident_detail(request: HttpRequest, incident_uuid: UUID) -> dict[str, Any]:
    """The report, its classification and where it stands. Reading it is on the record."""
    caller = need(request, Scope.READ)
    queryset = Incident.objects.select_related("organisation", "incident_type", "investigator", "reported_by")
    incident = get_visible_or_404(queryset, caller.person, uuid=incident_uuid)
    viewed(incident, caller.person)
    return detail_of(incident, caller.person)


@router.get(
    "/{incident_uuid}/classifications",
    response={200: list[ClassificationVersion], **REFUSALS},
    summary="Every version of an incident's classification",
)
def classification_history(request: HttpRequest, incident_uuid: UUID) -> list[dict[str, Any]]:
    caller = need(request, Scope.READ)
    incident = get_visible_or_404(Incident.objects.all(), caller.person, uuid=incident_uuid)
    versions = Classification.objects.visible_to(caller.person).filter(incident=incident)
    viewed(incident, caller.person)
    precision = clock.precision_of(incident)
    return [
        classification_of(version, precision)
        | {
            "version": version.version,
            "reason": version.reason,
            "classified_by": version.classified_by.full_name or version.classified_by.email,
            "classified_on": when(version.classified_on, precision),
        }
        for version in versions.select_related("incident_type", "classified_by").order_by("version")
    ]


def report_organisation(person: Any, wanted: UUID | None) -> Organisation:
    """Where the person may report (every organisation they belong to), as the web form offers."""
    mine = reportable_organisations(person)
    if not mine:
        raise Invalid({"organisation": [NO_ORGANISATION]})
    if wanted is None:
        if len(mine) > 1:
            raise Invalid({"organisation": [WHICH_ORGANISATION]})
        return mine[0]
    found = next((o for o in mine if o.uuid == wanted), None)
    if found is None:
        raise Invalid({"organisation": [NOT_YOURS]})
    return found


@router.post(
    "",
    response={201: IncidentSummary, 409: Problem, **REFUSALS},
    summary="Report an incident",
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 255},
                "description": "A retry with the same key and body answers the first answer and stores nothing new.",
            }
        ]
    },
)
def report(request: HttpRequest, response: HttpResponse, payload: ReportIn) -> Status[dict[str, Any]]:
    """Through the same service as the staff report form, with its validation messages."""
    caller = need(request, Scope.REPORT)
    organisation = report_organisation(caller.person, payload.organisation)
    form = ReportFieldsForm(
        {
            name: "" if value is None else value
            for name, value in payload.model_dump().items()
            if name in Incident.REPORT_FIELDS
        }
    )
    if not form.is_valid():
        raise form_invalid(form)
    submit = submit_confidential_report if payload.identity == "confidential" else submit_report

    def work() -> tuple[int, dict[str, Any]]:
        incident, _created = submit(
            organisation=organisation, reported_by=caller.person, submission_key=None, fields=form.report_fields()
        )
        incident.organisation = organisation
        return 201, IncidentSummary(**summary_of(incident)).model_dump(mode="json")

    status, body, replayed = once(request, caller.person, work)
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return Status(status, body)
