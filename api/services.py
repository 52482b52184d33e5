"""Making and revoking tokens and service accounts, each an event on the record."""

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.log import record
from lib import clock
from organisations import grants
from organisations.models import Organisation

from .models import ApiToken, ServiceAccount

SERVICE_ACCOUNT_DOMAIN = "service-accounts.invalid"


def organisation_id_of(person: Any) -> int | None:
    """The chain a person's token events go on: a service account's organisation, else the
    first organisation the person belongs to (a token is about the person, not an incident)."""
    service = getattr(person, "service_account", None)
    if service is not None:
        return service.organisation_id
    first = person.memberships.order_by("organisation__path").values_list("organisation_id", flat=True).first()
    return first


def issue_token(*, person: Any, by: Any, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    now = clock.now()
    with transaction.atomic():
        token, secret = ApiToken.issue(
            person=person,
            name=name,
            scopes=sorted(scopes),
            created_by=by,
            created_on=now,
            expires_on=now + timedelta(days=days),
        )
        organisation_id = organisation_id_of(person)
        if organisation_id is not None:
            record(
                organisation_id=organisation_id,
                action="api_token.created",
                actor=by,
                target=token,
                after={"name": name, "scopes": token.scopes, "for": person.email, "expires_on": token.expires_on},
            )
    return token, secret


def revoke_token(token: ApiToken, *, by: Any) -> None:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_on__isnull=True).update(
            revoked_on=clock.now(), revoked_by=by
        )
        organisation_id = organisation_id_of(token.person)
        if updated and organisation_id is not None:
            record(
                organisation_id=organisation_id,
                action="api_token.revoked",
                actor=by,
                target=token,
                after={"name": token.name},
            )


def create_service_account(*, organisation: Organisation, by: Any, name: str, roles: list[str]) -> ServiceAccount:
    """A person record that cannot sign in, holding `roles` on `organisation` (given through
    `organisations.grants`, like anyone's), inactive so no "who is told" list includes it."""
    with transaction.atomic():
        person = User.objects.create_user(
            email=f"service-{uuid.uuid4().hex[:12]}@{SERVICE_ACCOUNT_DOMAIN}",
            full_name=f"{name} (service account)",
            is_active=False,
        )
        account = ServiceAccount.objects.create(
            person=person, organisation=organisation, name=name, created_by=by, created_on=clock.now()
        )
        for role in roles:
            grants.give_role(user=person, organisation=organisation, role=role, by=by)
        record(
            organisation_id=organisation.pk,
            action="service_account.created",
            actor=by,
            target=account,
            after={"name": name, "roles": sorted(roles)},
        )
    return account
