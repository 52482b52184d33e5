"""Organisations, people and roles, readable by organisation admins (on the node or above),
as their organisation pages show them. Reading who holds which role is on the record
(`organisation.people_viewed`): names and email addresses are personal data."""

from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from audit.log import record
from organisations.models import ROLE_DESCRIPTIONS, Organisation, OrganisationQuerySet, Role

from ..auth import need
from ..models import Scope
from ..schemas import REFUSALS

router = Router()


class OrganisationOut(Schema):
    uuid: UUID
    name: str
    kind: str
    parent: UUID | None
    nation: str


class RoleOut(Schema):
    role: str
    title: str
    description: str


class OrganisationDetail(OrganisationOut):
    roles: list[RoleOut]
    children: list[UUID]


class PersonOut(Schema):
    name: str
    email: str
    role: str
    role_title: str
    service_account: bool


def administered(person: object) -> OrganisationQuerySet:
    return Organisation.objects.visible_to(person, roles=[Role.ADMIN])


def organisation_of(organisation: Organisation) -> dict[str, object]:
    return {
        "uuid": organisation.uuid,
        "name": organisation.name,
        "kind": organisation.kind,
        "parent": organisation.parent.uuid if organisation.parent else None,
        "nation": organisation.nation,
    }


@router.get("/organisations", response={200: list[OrganisationOut], **REFUSALS}, summary="Organisations you administer")
def organisation_list(request: HttpRequest) -> list[dict[str, object]]:
    caller = need(request, Scope.READ)
    return [organisation_of(o) for o in administered(caller.person).select_related("parent")]


@router.get(
    "/organisations/{org_uuid}",
    response={200: OrganisationDetail, **REFUSALS},
    summary="One organisation you administer, with its names for the roles",
)
def organisation_detail(request: HttpRequest, org_uuid: UUID) -> dict[str, object]:
    caller = need(request, Scope.READ)
    organisation = get_object_or_404(administered(caller.person).select_related("parent"), uuid=org_uuid)
    titles = organisation.role_titles()
    return organisation_of(organisation) | {
        "roles": [{"role": r.value, "title": titles[r.value], "description": ROLE_DESCRIPTIONS[r]} for r in Role],
        "children": list(organisation.children.values_list("uuid", flat=True)),
    }


@router.get(
    "/organisations/{org_uuid}/people",
    response={200: list[PersonOut], **REFUSALS},
    summary="Who holds which role on an organisation you administer",
)
def people(request: HttpRequest, org_uuid: UUID) -> list[dict[str, object]]:
    caller = need(request, Scope.READ)
    organisation = get_object_or_404(administered(caller.person), uuid=org_uuid)
    titles = organisation.role_titles()
    memberships = organisation.memberships.select_related("user", "user__service_account").order_by(
        "user__email", "role"
    )
    with transaction.atomic(savepoint=False):
        record(
            organisation_id=organisation.pk,
            action="organisation.people_viewed",
            actor=caller.person,
            record=organisation,
        )
    return [
        {
            "name": m.user.full_name,
            "email": m.user.email,
            "role": m.role,
            "role_title": titles[m.role],
            "service_account": hasattr(m.user, "service_account"),
        }
        for m in memberships
    ]
