"""Every view, every role, own and other organisation, generated from the URLconf.

A new URL in one of our apps without an entry in EXPECTED fails
`test_every_view_has_an_entry`, so no view can be added without deciding who may use it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.services import create_action
from evidence.services import add_evidence
from incidents.models import Incident
from organisations.models import Contact, Membership, Role

from .factories import OrganisationFactory, UserFactory, reported_incident
from .test_contract import PNG

# Namespaces and prefixes that are not ours: allauth's account pages (public by design,
# covered by its own tests and our login tests) and Django's admin (superusers only).
EXTERNAL_PREFIXES = ("accounts/", "django-admin/")

ROLES = ["anonymous", "reporter", "handler", "dpo_above", "handler_elsewhere", "governance", "admin", "investigator"]


@dataclass
class Expect:
    method: str = "get"
    default: int = 404
    statuses: dict[str, int] = field(default_factory=dict)

    def status_for(self, role: str) -> int:
        if role == "anonymous" and "anonymous" not in self.statuses:
            return 302  # sent to sign in
        return self.statuses.get(role, self.default)


EVERYONE_SIGNED_IN = Expect(default=200)
HANDLERS_ONLY = Expect(statuses={"handler": 200, "dpo_above": 200})
ADMIN_ONLY = Expect(statuses={"admin": 200})
REPORTER_ONLY = Expect(statuses={"reporter": 200})

EXPECTED: dict[str, Expect] = {
    "home": Expect(default=302, statuses={"anonymous": 302}),
    "accessibility": Expect(default=200, statuses={"anonymous": 200}),
    "privacy": Expect(default=200, statuses={"anonymous": 200}),
    "reporting:report": EVERYONE_SIGNED_IN,
    "reporting:done": REPORTER_ONLY,
    "reporting:my_reports": EVERYONE_SIGNED_IN,
    "reporting:my_report": REPORTER_ONLY,
    "incidents:list": EVERYONE_SIGNED_IN,
    "incidents:detail": HANDLERS_ONLY,
    "organisations:list": EVERYONE_SIGNED_IN,
    "organisations:detail": ADMIN_ONLY,
    "organisations:invite": ADMIN_ONLY,
    "organisations:role_titles": ADMIN_ONLY,
    "organisations:add_contact": ADMIN_ONLY,
    "organisations:remove_membership": Expect(method="post", statuses={"admin": 302}),
    "organisations:remove_contact": Expect(method="post", statuses={"admin": 302}),
    # The lifecycle (investigation app). The incident is a fresh report at school A; the
    # "investigator" holds the role at school A but is not assigned to it, so it is a 404.
    "investigation:queue": EVERYONE_SIGNED_IN,
    "investigation:mine": EVERYONE_SIGNED_IN,
    "investigation:serious": EVERYONE_SIGNED_IN,
    "investigation:settings": ADMIN_ONLY,
    "investigation:checklist_item": Expect(statuses={"handler": 200, "dpo_above": 403, "investigator": 200}),
    "investigation:triage": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "investigation:reclassify": HANDLERS_ONLY,
    "investigation:assign": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "investigation:start": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "investigation:not_incident": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "investigation:ico_decision": Expect(statuses={"handler": 403, "dpo_above": 200}),
    "investigation:add_note": HANDLERS_ONLY,
    "investigation:message_reporter": HANDLERS_ONLY,
    "investigation:outcome": HANDLERS_ONLY,
    "investigation:submit": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "investigation:review": HANDLERS_ONLY,
    "investigation:outcome_pdf": Expect(statuses={"handler": 200, "dpo_above": 200}),
    "investigation:close": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "investigation:reopen": HANDLERS_ONLY,
    # Evidence: whoever may open the incident (handlers in scope, its investigator).
    "evidence:upload": HANDLERS_ONLY,
    "evidence:download": HANDLERS_ONLY,
    "evidence:withdraw": HANDLERS_ONLY,
    # Remedial actions: the world's action is owned by "admin" (a role at school A).
    "actions:list": EVERYONE_SIGNED_IN,
    "actions:mine": EVERYONE_SIGNED_IN,
    "actions:add": HANDLERS_ONLY,
    "actions:detail": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 200}),
    "actions:edit": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 403}),
    "actions:done": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 200}),
    "actions:cancel": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 403}),
    "actions:reopen": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 403}),
    "casefile:pdf": HANDLERS_ONLY,
}


def our_url_names() -> Iterator[tuple[str, str]]:
    def walk(patterns: list, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(EXTERNAL_PREFIXES):
                continue
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, route, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", route

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_view_has_an_entry() -> None:
    names = {name for name, _ in our_url_names()}
    missing = names - set(EXPECTED)
    assert not missing, f"Views without a permission-matrix entry: {sorted(missing)}"
    assert not set(EXPECTED) - names, "Entries for views that no longer exist"


@pytest.fixture
def world(db: None) -> dict:
    county = OrganisationFactory(name="County")
    school_a = OrganisationFactory(name="School A", parent=county)
    school_b = OrganisationFactory(name="School B", parent=county)
    people = {}
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
    incident: Incident = reported_incident(school_a, people["reporter"])
    contact = Contact.objects.create(organisation=school_a, kind=Contact.Kind.DPO, name="DPO desk")
    membership = Membership.objects.get(user=people["governance"])
    # A second incident, triaged and assigned to the investigator, for the checklist item pages.
    from investigation import lifecycle
    from investigation.models import OutcomeReport

    people["siro"] = UserFactory(email="siro@example.org")
    Membership.objects.create(user=people["siro"], organisation=school_a, role=Role.SIRO)
    triaged = reported_incident(school_a, people["reporter"])
    lifecycle.triage(
        triaged,
        by=people["handler"],
        severity="minor",
        nature="event",
        breach_status="near_miss",
        personal_data_breach="no",
        investigator=people["investigator"],
    )
    item = triaged.checklist.filter(is_disciplinary=False).first()
    OutcomeReport.objects.create(incident=incident, summary="For the PDF", round=1, status="submitted")
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=people["handler"])
    action = create_action(
        by=people["handler"], incident=incident, title="Retrain staff", owner=people["admin"], due_on=None
    )
    kwargs = {
        "item_id": item.pk,
        "incident_uuid": incident.uuid,
        "org_uuid": school_a.uuid,
        "membership_id": membership.pk,
        "contact_id": contact.pk,
        "evidence_uuid": evidence.uuid,
        "action_id": action.pk,
    }
    return {"people": people, "kwargs": kwargs}


def url_for(name: str, kwargs: dict) -> str:
    _, route = next((n, r) for n, r in our_url_names() if n == name)
    needed = {key: value for key, value in kwargs.items() if f":{key}>" in route}
    return reverse(name, kwargs=needed)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permission_matrix(client, world: dict, name: str, role: str) -> None:
    expect = EXPECTED[name]
    if role != "anonymous":
        client.force_login(world["people"][role])
    url = url_for(name, world["kwargs"])
    response = getattr(client, expect.method)(url)
    assert response.status_code == expect.status_for(role), f"{role} {expect.method.upper()} {url}"
