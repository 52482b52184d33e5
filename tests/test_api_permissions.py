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

from actions.services import create_action
from api.services import create_service_account
from api.v1 import api
from evidence.services import add_evidence
from incidents import lifecycle
from incidents.models import Incident
from organisations.models import Membership, Role

from .api_helpers import bearer, token_for
from .factories import OrganisationFactory, UserFactory, reported_incident
from .lifecycle_states import classification
from .test_contract import PNG

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
MANAGERS = {"handler", "service_handler"}  # incident managers at school A: the steps' "who"

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
    # ── The lifecycle's steps (api/routers/steps.py), on the world's triaged, unassigned incident.
    # Each is sent what it cannot act on (an empty form, or a step the state refuses), so the
    # walk changes nothing: 422 or 409 means the caller got past every permission check; 403
    # is the table's "who" refusing someone who may see the incident (as the page does).
    "GET /incidents/{incident_uuid}/steps": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "GET /incidents/{incident_uuid}/checklist": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    **{
        f"POST /incidents/{{incident_uuid}}/{path}": Op(
            "handle", statuses=dict.fromkeys(MANAGERS, answer) | {"dpo_above": 403}
        )
        for path, answer in [
            ("triage", 422),  # nothing sent: the form's errors
            ("assign", 422),
            ("not-an-incident", 422),
            ("start", 409),  # "Assign an investigating officer first."
            ("outcome", 409),  # not yet investigating
            ("outcome/submit", 409),
            ("close", 409),
        ]
    },
    **{
        f"POST /incidents/{{incident_uuid}}/{path}": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422))
        for path in ("reclassify", "outcome/review", "reopen", "notes", "messages")
    },
    # Corrections and the DPO's oversight (api/routers/oversight.py): correcting and asking are the
    # handlers'; advice, review and directions the DPO's (a review needs nothing sent, so the DPO's
    # is taken: 200); nobody here is the SIRO who signs off.
    **{
        f"POST /incidents/{{incident_uuid}}/{path}": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422))
        for path in ("correct", "ask-dpo")
    },
    **{
        f"POST /incidents/{{incident_uuid}}/{path}": Op(
            "handle", statuses=dict.fromkeys(MANAGERS, 403) | {"dpo_above": answer}
        )
        for path, answer in [("dpo/advice", 422), ("dpo/reviewed", 200), ("dpo/direct", 422), ("sign-off", 403)]
    },
    # The wave steps (api/routers/waves.py): nothing sent is the page form's 422.
    "POST /incidents/{incident_uuid}/related": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422)),
    "POST /incidents/{incident_uuid}/tags": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422)),
    "POST /incidents/{incident_uuid}/duplicate": Op(
        "handle", statuses=dict.fromkeys(MANAGERS, 422) | {"dpo_above": 403}
    ),
    "POST /incidents/{incident_uuid}/duplicates": Op(
        "handle", statuses=dict.fromkeys(MANAGERS, 422) | {"dpo_above": 403}
    ),
    "POST /incidents/{incident_uuid}/checklist/{item_id}": Op(
        "handle", statuses=dict.fromkeys(MANAGERS, 422) | {"dpo_above": 403}
    ),
    # ── Messages (api/routers/messages.py): the reporter's side is their own report only.
    "GET /incidents/{incident_uuid}/messages": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "GET /my-reports/{incident_uuid}/messages": Op("report", statuses={"reporter": 200}),
    "POST /my-reports/{incident_uuid}/messages": Op("report", statuses={"reporter": 422}),
    # ── Evidence (api/routers/evidence.py): whoever may open the incident; no file sent is a 422.
    "GET /incidents/{incident_uuid}/evidence": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "POST /incidents/{incident_uuid}/evidence": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422)),
    "GET /evidence/{evidence_uuid}": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "GET /evidence/{evidence_uuid}/download": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "POST /evidence/{evidence_uuid}/withdraw": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422)),
    # ── Remedial actions (api/routers/actions.py): the world's action is owned by the admin,
    # who may see it and mark it done, not change, cancel or reopen it (as on the pages).
    "GET /actions": Op("read", default=200, listed=SEES_INCIDENTS),
    "GET /incidents/{incident_uuid}/actions": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "POST /incidents/{incident_uuid}/actions": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422)),
    "GET /actions/{action_id}": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS | ADMINS, 200)),
    # Nothing sent: the action keeps its values, and the page's form needs a due date it lacks.
    "PATCH /actions/{action_id}": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422) | {"admin": 403}),
    "POST /actions/{action_id}/done": Op(
        "handle", statuses=dict.fromkeys(SEES_INCIDENTS | ADMINS, 422), body={"note": "x" * 2001}
    ),
    "POST /actions/{action_id}/cancel": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422) | {"admin": 403}),
    "POST /actions/{action_id}/reopen": Op("handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422) | {"admin": 403}),
    # ── The breach record (api/routers/breaches.py). Assessing facts names no incident: any handle token.
    "POST /breaches/assess": Op("handle", default=200),
    "GET /incidents/{incident_uuid}/breach": Op("read", statuses=dict.fromkeys(SEES_INCIDENTS, 200)),
    "POST /incidents/{incident_uuid}/breach/assessments": Op(
        "handle", statuses=dict.fromkeys(SEES_INCIDENTS, 422), body={"colour": "pink"}
    ),
    # Only the DPO decides; with no assessment yet, 409.
    "POST /incidents/{incident_uuid}/breach/decision": Op(
        "handle", statuses=dict.fromkeys(MANAGERS, 403) | {"dpo_above": 409}
    ),
    # ── The monitoring log (api/routers/log.py): handlers, each of their own scope.
    **{
        f"GET /log.{fmt}": Op(
            "read", statuses=dict.fromkeys(SEES_INCIDENTS | {"handler_elsewhere"}, 200), listed=listed
        )
        for fmt, listed in [("csv", SEES_INCIDENTS), ("jsonl", SEES_INCIDENTS), ("xlsx", None)]
    },
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
    # Triaged (so it has a checklist), unassigned, with a file and an action owned by the admin
    # (as in the web matrix): what the steps, evidence and actions operations act on.
    lifecycle.triage(incident, by=people["handler"], **classification("minor"))
    item = incident.checklist.filter(is_disciplinary=False).first()
    evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=people["handler"])
    action = create_action(
        by=people["handler"], incident=incident, title="World action", owner=people["admin"], due_on=None
    )
    tokens = {(role, scope): token_for(people[role], [scope]) for role in ROLES for scope in SCOPES}
    log_rows = {path: incident.reference for path in ("/log.csv", "/log.jsonl")}
    return {
        "tokens": tokens,
        "incident": incident,
        "elsewhere": elsewhere,
        "kwargs": {
            "incident_uuid": incident.uuid,
            "org_uuid": school_a.uuid,
            "item_id": item.pk,
            "evidence_uuid": evidence.uuid,
            "action_id": action.pk,
        },
        "markers": {"/incidents": incident.reference, "/organisations": str(school_a.uuid), "/actions": "World action"}
        | log_rows,
        "hidden": {"/incidents": elsewhere.reference} | dict.fromkeys(log_rows, elsewhere.reference),
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
                raw = b"".join(response.streaming_content) if response.streaming else response.content
                text = raw.decode("utf-8-sig")
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


def test_a_restricted_incident_is_refused_to_every_caller_it_does_not_name(world: dict[str, Any]) -> None:
    """The world's incident restricted by the DPO to the DPO alone: every operation on it, or on
    anything of it, is refused to everyone else (whatever their role and token), the lists
    leave it out and no answer carries a word of the report; the DPO still gets what they got."""
    from incidents import restriction

    incident = world["incident"]
    dpo = Membership.objects.get(role=Role.DPO).user
    restriction.restrict(incident, by=dpo, people=[], reason="The head is implicated")
    client = Client()
    wrong: list[str] = []
    of_the_incident = ("{incident_uuid}", "{evidence_uuid}", "{action_id}", "{item_id}")
    # Those who could reach it but for the restriction (the web matrix walks every role).
    callers = ["dpo_above", "handler", "service_handler", "investigator", "admin", "reporter"]
    for key, op in sorted(OPERATIONS.items()):
        for role in callers:
            response = call(client, key, op, world, world["tokens"][(role, op.scope)])
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            text = raw.decode("utf-8-sig", "replace")
            if "A class list was emailed" in text and role != "dpo_above":
                wrong.append(f"{role} {key}: the report's words")
            if role == "dpo_above":
                if response.status_code != op.status_for(role):
                    wrong.append(f"dpo_above {key}: {response.status_code}")
            elif any(part in key for part in of_the_incident):
                if response.status_code not in (403, 404):
                    wrong.append(f"{role} {key}: {response.status_code}")
            elif op.listed is not None and response.status_code == 200:
                path = key.split(" ", 1)[1]
                if path != "/organisations" and world["markers"][path] in text:
                    wrong.append(f"{role} {key}: lists the restricted incident")
    assert wrong == []


def test_outside_help_changes_nothing_through_the_api(world: dict[str, Any]) -> None:
    """Someone given read-only outside help to the world's incident, with a token of every
    scope: every operation that would change something is refused (403 or 404) before the
    form is read, and no list shows school B's incident."""
    from datetime import timedelta

    from accounts.models import User
    from incidents import restriction

    incident = world["incident"]
    manager = User.objects.get(email="handler@example.org")
    access = restriction.invite(
        incident,
        by=manager,
        name="Pat",
        firm="",
        email="pat@forensics.example",
        mode="read",
        ends_on=incident.reported_on + timedelta(days=30),
    )
    pat = User.objects.create_user(email="pat@forensics.example", password="x")
    restriction.accept(access, pat)
    tokens = {scope: token_for(pat, [scope]) for scope in SCOPES}
    client = Client()
    wrong = []
    for key, op in sorted(OPERATIONS.items()):
        response = call(client, key, op, world, tokens[op.scope])
        # Assessing facts and reporting name no incident; "my reports" are the reporter's own.
        changes = key.startswith(("POST", "PATCH")) and key not in ("POST /breaches/assess", "POST /incidents")
        if changes and "my-reports" not in key and response.status_code not in (403, 404):
            wrong.append(f"{key}: {response.status_code}")
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        if world["elsewhere"].reference in raw.decode("utf-8-sig", "replace"):
            wrong.append(f"{key}: shows school B's incident")
    assert wrong == [], "\n".join(wrong)
