"""Every API operation, for every role, own and other organisation, and token scope, from the OpenAPI
document: a new operation without an entry in OPERATIONS fails `test_every_operation_has_an_entry`.

The world is the web matrix's: an incident at school A; a handler there, a DPO above it (the
county), a handler at school B (the other organisation), a reporter, a governance viewer, an
admin and an unassigned investigating officer at school A, and two service accounts of school
A (one reporting, one handling). A token without the operation's scope is refused (403)
before anything is looked up; with it, the person's roles decide, exactly as on the pages:
what they may not see is "not found" (404), and a list shows only what they may see.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from api.services import create_service_account
from api.v1 import api
from incidents.models import Incident
from organisations.models import Membership, Role

from .api_helpers import bearer, token_for
from .factories import OrganisationFactory, UserFactory, reported_incident

ROLES = [
    "reporter",
    "handler",
    "dpo_above",
    "handler_elsewhere",
    "governance",
    "admin",
    "investigator",
    "service_reporter",
    "service_handler",
]
SCOPES = ["read", "report", "handle"]


@dataclass
class Op:
    """An operation's scope, its answer for each role (`default` for the rest), and for a
    list, who finds the world's thing in it (`listed`: the others must not)."""

    scope: str
    default: int = 404
    statuses: dict[str, int] = field(default_factory=dict)
    listed: set[str] | None = None
    body: dict[str, Any] | None = None

    def status_for(self, role: str) -> int:
        return self.statuses.get(role, self.default)


SEES_INCIDENTS = {"handler", "dpo_above", "service_handler"}
SEES_SCHOOL_B = {"handler_elsewhere", "dpo_above"}
ADMINS = {"admin"}

# Key: "METHOD /path" as in the OpenAPI document (paths without the /api/v1 prefix).
OPERATIONS: dict[str, Op] = {
    "GET /incidents": Op("read", default=200, listed=SEES_INCIDENTS),
    "GET /incidents/{incident_uuid}": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "GET /incidents/{incident_uuid}/classifications": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    # Reporting to school A: whoever belongs to school A itself may (the web form offers the
    # organisations a person belongs to); the DPO (county) and school B's handler may not.
    "POST /incidents": Op(
        "report",
        default=201,
        statuses={"dpo_above": 422, "handler_elsewhere": 422},
        body={"description": "A memory stick is missing", "organisation": "{org_uuid}"},
    ),
    "GET /organisations": Op("read", default=200, listed=ADMINS),
    "GET /organisations/{org_uuid}": Op("read", statuses=dict.fromkeys(ADMINS, 200)),
    "GET /organisations/{org_uuid}/people": Op("read", statuses=dict.fromkeys(ADMINS, 200)),
}


def document_operations() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, methods in paths.items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_operation_has_an_entry() -> None:
    found = document_operations()
    assert sorted(found - set(OPERATIONS)) == [], "give each new API operation an entry in OPERATIONS"
    assert sorted(set(OPERATIONS) - found) == [], "an entry for an operation that no longer exists"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    county = OrganisationFactory(name="County")
    school_a = OrganisationFactory(name="School A", parent=county)
    school_b = OrganisationFactory(name="School B", parent=county)
    people: dict[str, Any] = {}
    for role_name, org, role in [
        ("reporter", school_a, Role.REPORTER),
        ("handler", school_a, Role.INCIDENT_MANAGER),
        ("dpo_above", county, Role.DPO),
        ("handler_elsewhere", school_b, Role.INCIDENT_MANAGER),
        ("governance", school_a, Role.GOVERNANCE),
        ("admin", school_a, Role.ADMIN),
        ("investigator", school_a, Role.INVESTIGATOR),
    ]:
        people[role_name] = UserFactory(email=f"{role_name}@example.org")
        Membership.objects.create(user=people[role_name], organisation=org, role=role)
    for name, role in [("service_reporter", Role.REPORTER), ("service_handler", Role.INCIDENT_MANAGER)]:
        account = create_service_account(organisation=school_a, by=people["admin"], name=name, roles=[role])
        people[name] = account.person
    incident: Incident = reported_incident(school_a, people["reporter"])
    # An incident at school B: nobody at school A may find it.
    elsewhere: Incident = reported_incident(school_b, None)
    tokens = {(role, scope): token_for(people[role], [scope]) for role in ROLES for scope in SCOPES}
    return {
        "tokens": tokens,
        "incident": incident,
        "elsewhere": elsewhere,
        "kwargs": {"incident_uuid": incident.uuid, "org_uuid": school_a.uuid},
        "markers": {"/incidents": incident.reference, "/organisations": str(school_a.uuid)},
        "hidden": {"/incidents": elsewhere.reference},
    }


def call(client: Client, key: str, op: Op, world: dict[str, Any], secret: str) -> Any:
    method, path = key.split(" ", 1)
    url = "/api/v1" + path.format(**world["kwargs"])
    if method == "GET":
        return client.get(url, **bearer(secret))
    body = {k: str(v).format(**world["kwargs"]) for k, v in (op.body or {}).items()}
    return client.generic(method, url, data=json.dumps(body), content_type="application/json", **bearer(secret))


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_api_permission_matrix(world: dict[str, Any], key: str) -> None:
    op = OPERATIONS[key]
    client = Client()
    wrong: list[str] = []
    for role in ROLES:
        for scope in SCOPES:
            response = call(client, key, op, world, world["tokens"][(role, scope)])
            expected = op.status_for(role) if scope == op.scope else 403
            if response.status_code != expected:
                wrong.append(f"{role} with {scope}: {response.status_code}, expected {expected}")
                continue
            if op.listed is not None and expected == 200:
                text = response.content.decode()
                path = key.split(" ", 1)[1]
                if (world["markers"][path] in text) != (role in op.listed):
                    wrong.append(f"{role}: the list {'lacks' if role in op.listed else 'leaks'} the world's entry")
                hidden = world["hidden"].get(path)
                if hidden and (hidden in text) != (role in SEES_SCHOOL_B):
                    wrong.append(f"{role}: the list is wrong about school B's incident")
    assert wrong == []


def test_without_a_token_every_operation_is_401(world: dict[str, Any]) -> None:
    client = Client()
    for key in OPERATIONS:
        method, path = key.split(" ", 1)
        url = "/api/v1" + path.format(**world["kwargs"])
        assert client.generic(method, url).status_code == 401, key
