"""Incidents: the list (the web list's filters, cursor pagination), one incident, report one,
and its classification history. Lifecycle steps are in steps.py."""

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from audit.log import record
from core.views import get_visible_or_404
from incidents.models import Incident

from ..auth import need
from ..models import Scope
from ..schemas import REFUSALS

router = Router()


class IncidentOut(Schema):
    uuid: UUID
    reference: str | None
    status: str
    organisation: UUID
    reported_on: datetime
    description: str


@router.get("/{incident_uuid}", response={200: IncidentOut, **REFUSALS}, summary="One incident")
def incident_detail(request: HttpRequest, incident_uuid: UUID) -> IncidentOut:
    caller = need(request, Scope.READ)
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), caller.person, uuid=incident_uuid)
    with transaction.atomic(savepoint=False):
        record(organisation_id=incident.organisation_id, action="incident.viewed", actor=caller.person, record=incident)
    return IncidentOut(
        uuid=incident.uuid,
        reference=incident.reference,
        status=incident.status,
        organisation=incident.organisation.uuid,
        reported_on=incident.reported_on,
        description=incident.description,
    )
