"""Organisations, people and roles, readable by organisation admins."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from organisations.models import Organisation, Role

from ..auth import need
from ..models import Scope
from ..schemas import REFUSALS

router = Router()


class OrganisationOut(Schema):
    uuid: UUID
    name: str
    kind: str
    parent: UUID | None


@router.get("/organisations", response={200: list[OrganisationOut], **REFUSALS}, summary="Organisations you administer")
def organisation_list(request: HttpRequest) -> list[OrganisationOut]:
    caller = need(request, Scope.READ)
    found = Organisation.objects.visible_to(caller.person, roles={Role.ADMIN}).select_related("parent")
    return [
        OrganisationOut(uuid=o.uuid, name=o.name, kind=o.kind, parent=o.parent.uuid if o.parent else None)
        for o in found
    ]
