"""Every view, every role, own and other organisation, generated from the URLconf.

A new URL in one of our apps without an entry in EXPECTED fails
`test_every_view_has_an_entry`, so no view can be added without deciding who may use it.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from actions.services import create_action
from anonymous.models import IdentityRequest
from anonymous.services import page_for
from breaches.engine import Facts
from breaches.models import Assessment
from evidence.services import add_evidence
from incidents.models import Incident, IncidentType
from insights.models import ImportBatch
from insights.review import run_review
from lib import sealed
from notifications.api import notify
from notifications.models import Notification
from organisations import grants
from organisations.models import Contact, Letterhead, Membership, Role
from policies.models import PolicyVersion
from webhooks import signing
from webhooks.models import Subscription

from .factories import OrganisationFactory, UserFactory, reported_incident
from .mfa import SecondFactorClient
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
PUBLIC = Expect(default=200, statuses={"anonymous": 200})
REPORTS_HANDLERS = Expect(statuses={"handler": 200, "dpo_above": 200, "handler_elsewhere": 200})
REPORTS_COUNTS = Expect(statuses={"handler": 200, "dpo_above": 200, "handler_elsewhere": 200, "governance": 200})

# The API's operations answer tokens, not sessions: tests/test_api_permissions.py walks every
# operation of the OpenAPI document. Here only the pages around it.
API_OPERATIONS_PREFIX = "api/v1/"

EXPECTED: dict[str, Expect] = {
    # Interactive API docs: organisation admins (and superusers) only; anyone else, signed out
    # too, is told nothing is there. The OpenAPI document describes, it holds no data: public.
    "api_docs": Expect(statuses={"admin": 200, "anonymous": 404}),
    "api-v1:openapi-json": PUBLIC,
    # API tokens: everyone's own (a 404 for a token that is not theirs); service accounts of an
    # organisation for its admins. The world's token is the handler's, its service account school A's.
    "api:my_tokens": EVERYONE_SIGNED_IN,
    "api:revoke_my_token": Expect(method="post", statuses={"handler": 302}),
    "api:service_accounts": ADMIN_ONLY,
    "api:service_account": ADMIN_ONLY,
    "api:revoke_service_token": Expect(method="post", statuses={"admin": 302}),
    "home": Expect(default=200, statuses={"anonymous": 302, "reporter": 302}),  # a reporter's home: the form
    "accessibility": Expect(default=200, statuses={"anonymous": 200}),
    "privacy": Expect(default=200, statuses={"anonymous": 200}),
    "account": EVERYONE_SIGNED_IN,
    "intake:report": EVERYONE_SIGNED_IN,
    "intake:done": REPORTER_ONLY,
    "intake:my_reports": EVERYONE_SIGNED_IN,
    # A report taken down for someone: whoever handles incidents somewhere; anyone else is told
    # they have no organisation to record for.
    "intake:on_behalf": Expect(default=403, statuses={"handler": 200, "dpo_above": 200, "handler_elsewhere": 200}),
    "intake:my_report": REPORTER_ONLY,
    # Sent empty, the reporter's own form says what to add (200); anyone else's report is a 404.
    "intake:add_to_my_report": Expect(method="post", statuses={"reporter": 200}),
    "incidents:list": EVERYONE_SIGNED_IN,
    "learning:search": EVERYONE_SIGNED_IN,  # finds only what the person may open (an empty page otherwise)
    "learning:lessons": REPORTS_HANDLERS,
    "learning:known_errors": EVERYONE_SIGNED_IN,  # lists only those of incidents the person may open
    "learning:known_error": HANDLERS_ONLY,
    "learning:change_known_error": HANDLERS_ONLY,
    "learning:raise_known_error": HANDLERS_ONLY,
    "learning:training": REPORTS_HANDLERS,
    "learning:add_training": REPORTS_HANDLERS,
    "learning:import_training": REPORTS_HANDLERS,
    # Find a person: the DPO, SIRO and incident managers anywhere (each finds only what they may open).
    "learning:find_a_person": REPORTS_HANDLERS,
    "learning:find_a_person_bundle": Expect(
        method="post", statuses={"handler": 302, "dpo_above": 302, "handler_elsewhere": 302}
    ),
    "incidents:detail": HANDLERS_ONLY,
    "organisations:list": EVERYONE_SIGNED_IN,
    "organisations:glossary": EVERYONE_SIGNED_IN,
    "organisations:detail": ADMIN_ONLY,
    "organisations:settings": ADMIN_ONLY,
    "organisations:invite": ADMIN_ONLY,
    "organisations:role_titles": ADMIN_ONLY,
    "organisations:letterhead": ADMIN_ONLY,
    "organisations:sign_in_settings": ADMIN_ONLY,
    "sso_sign_in": PUBLIC,  # "Sign in with Microsoft / Google": the work email step
    "organisations:letterhead_logo": ADMIN_ONLY,
    "organisations:add_contact": ADMIN_ONLY,
    "organisations:remove_membership": Expect(method="post", statuses={"admin": 302}),
    "organisations:remove_contact": Expect(method="post", statuses={"admin": 302}),
    # Role approvals: the page lists what each may decide; deciding is for a DPO on the node or
    # above (the grant is for DPO) and answers the admin who asked with a refusal message.
    "organisations:approvals": EVERYONE_SIGNED_IN,
    "onboarding:people": ADMIN_ONLY,
    "onboarding:import_people": ADMIN_ONLY,
    "onboarding:export_csv": ADMIN_ONLY,
    "onboarding:export_xlsx": ADMIN_ONLY,
    "onboarding:import_organisations": ADMIN_ONLY,
    "organisations:decide_grant": Expect(method="post", statuses={"dpo_above": 302, "admin": 302}),
    "deadlines:ico_clocks": EVERYONE_SIGNED_IN,
    "breaches:clocks_moved": Expect(default=301, statuses={"anonymous": 301}),  # to the page above
    "breaches:overview": HANDLERS_ONLY,
    "breaches:assess": HANDLERS_ONLY,
    "breaches:version": HANDLERS_ONLY,
    "breaches:decide": Expect(statuses={"handler": 403, "dpo_above": 200}),
    "breaches:report_details": HANDLERS_ONLY,
    "breaches:ico_report_docx": HANDLERS_ONLY,
    "breaches:ico_report_pdf": HANDLERS_ONLY,
    "breaches:record_submission": HANDLERS_ONLY,
    "breaches:letter_docx": HANDLERS_ONLY,
    "breaches:letter_pdf": HANDLERS_ONLY,
    "breaches:record_notice": HANDLERS_ONLY,
    "breaches:not_a_breach": HANDLERS_ONLY,
    "breaches:record_response": HANDLERS_ONLY,
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
    # The lifecycle (investigation app). The incident is a fresh report at school A; the
    # "investigator" holds the role at school A but is not assigned to it, so it is a 404.
    "incidents:queue": EVERYONE_SIGNED_IN,
    "incidents:mine": EVERYONE_SIGNED_IN,
    "incidents:serious": EVERYONE_SIGNED_IN,
    "incidents:settings": ADMIN_ONLY,
    "incidents:checklist_item": Expect(statuses={"handler": 200, "dpo_above": 403, "investigator": 200}),
    "incidents:triage": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:reclassify": HANDLERS_ONLY,
    "incidents:assign": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:start": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:not_incident": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:add_note": HANDLERS_ONLY,
    "incidents:message_reporter": HANDLERS_ONLY,
    "incidents:outcome": HANDLERS_ONLY,
    "incidents:submit": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:review": HANDLERS_ONLY,
    "incidents:outcome_pdf": Expect(statuses={"handler": 200, "dpo_above": 200}),
    "incidents:close": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:reopen": HANDLERS_ONLY,
    # Facts corrected and the DPO's oversight (issue 16): correcting and asking are the handlers';
    # advice, review and directions the DPO's; the sign-off the SIRO's (nobody here holds it).
    "incidents:correct": HANDLERS_ONLY,
    "incidents:ask_dpo": HANDLERS_ONLY,
    "incidents:dpo_advise": Expect(statuses={"handler": 403, "dpo_above": 200}),
    "incidents:dpo_review": Expect(statuses={"handler": 403, "dpo_above": 200}),
    "incidents:dpo_direct": Expect(statuses={"handler": 403, "dpo_above": 200}),
    "incidents:sign_off": Expect(statuses={"handler": 403, "dpo_above": 403}),
    "incidents:sign_off_settings": ADMIN_ONLY,
    # Restriction (the DPO or the SIRO: the handler here is an incident manager) and outside
    # help (the incident manager or the DPO). The world's incident is not restricted, so there
    # is nothing to lift. The invitation's page answers anyone holding its signed link.
    "incidents:restrict": Expect(statuses={"handler": 403, "dpo_above": 200}),
    "incidents:lift_restriction": Expect(statuses={"handler": 403}),
    "incidents:outside_help": HANDLERS_ONLY,
    "incidents:end_outside_help": Expect(method="post", statuses={"handler": 302, "dpo_above": 302}),
    "incidents:accept_invitation": PUBLIC,
    # Waves: linking and tags are every handler's; closing as a duplicate is a closure (manager, SIRO).
    "incidents:link": HANDLERS_ONLY,
    "incidents:duplicate": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "incidents:tags": HANDLERS_ONLY,
    # A step on the incidents chosen from the list: nothing chosen sends anyone back to the list
    # (what is chosen is read through visible_to, each step asks the table).
    "incidents:bulk": Expect(method="post", default=302),
    # A step on a large selection, taken by the worker: followed only by the handler who asked.
    "incidents:bulk_run": Expect(statuses={"handler": 200}),
    "incidents:tag_settings": ADMIN_ONLY,
    # Anonymous reporting: the public pages need no account and treat everyone alike.
    "anonymous:public_report": PUBLIC,
    "anonymous:poster": PUBLIC,
    "anonymous:receipt": PUBLIC,
    "anonymous:receipt_reply": Expect(method="post", default=400, statuses={"anonymous": 400}),
    "anonymous:public_page_settings": ADMIN_ONLY,
    "anonymous:ask_identity": Expect(method="post", statuses={"handler": 302, "dpo_above": 302}),
    "anonymous:decide_identity": Expect(method="post", statuses={"handler": 403, "dpo_above": 302}),
    "anonymous:reveal_identity": Expect(method="post", statuses={"handler": 403, "dpo_above": 403}),
    "notifications:list": EVERYONE_SIGNED_IN,
    "notifications:read_all": Expect(method="post", default=302),
    "notifications:open": Expect(statuses={"handler": 302}),
    "notifications:preferences": EVERYONE_SIGNED_IN,
    "notifications:deliveries": ADMIN_ONLY,
    "notifications:informed_parties": ADMIN_ONLY,
    # Webhooks: the admin of school A (the world's subscription is school A's); anyone else a 404.
    "inbound:settings": ADMIN_ONLY,
    "webhooks:list": ADMIN_ONLY,
    "webhooks:add": ADMIN_ONLY,
    "webhooks:detail": ADMIN_ONLY,
    "webhooks:edit": ADMIN_ONLY,
    "webhooks:pause": Expect(method="post", statuses={"admin": 302}),
    "webhooks:delete": ADMIN_ONLY,
    "deadlines:timescales": ADMIN_ONLY,
    # Retention: the schedule is a setting (the admin's) the DPO may change too; the disposal
    # lists and legal hold are the incident manager's and the DPO's. The world's incident is open,
    # so on no disposal list: keeping or approving it is a 404 for everyone (tests/test_retention.py
    # decides a listed one, role by role).
    "retention:schedule": Expect(statuses={"admin": 200, "dpo_above": 200}),
    "retention:lists": HANDLERS_ONLY,
    "retention:overview": REPORTS_HANDLERS,  # each their own organisations'
    "retention:hold": HANDLERS_ONLY,
    "retention:keep": Expect(),
    "retention:approve": Expect(method="post"),
    # The policy's exceptions and suggested changes (school A's own policy, owned by its SIRO):
    # anyone with a role asks and suggests and sees the lists (their own rows at least); one
    # request or suggestion (the reporter's) is seen by whoever made it and by the handlers and
    # admins of its organisation or above. An incident's policy points and exceptions are
    # recorded by whoever triages it or writes its outcome report (the DPO sees, may not).
    "exceptions:register": EVERYONE_SIGNED_IN,
    "exceptions:request": EVERYONE_SIGNED_IN,
    "exceptions:detail": Expect(statuses={"reporter": 200, "handler": 200, "dpo_above": 200, "admin": 200}),
    "exceptions:incident_points": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "exceptions:incident_exception": Expect(statuses={"handler": 200, "dpo_above": 403}),
    "proposals:list": EVERYONE_SIGNED_IN,
    "proposals:propose": EVERYONE_SIGNED_IN,
    "proposals:detail": Expect(statuses={"reporter": 200, "handler": 200, "dpo_above": 200, "admin": 200}),
    # Third parties and other bodies told: the register and the rules are settings (admins); on
    # an incident, whoever may record others told (its handlers and investigator).
    "parties:register": ADMIN_ONLY,
    "parties:add": ADMIN_ONLY,
    "parties:edit": ADMIN_ONLY,
    "parties:body_rules": ADMIN_ONLY,
    "parties:body_rules_type": ADMIN_ONLY,
    "parties:incident_party": HANDLERS_ONLY,
    "parties:record_notice": HANDLERS_ONLY,
    # Management reporting: handlers see their own subtree (so the handler elsewhere sees
    # school B's); governance viewers see counts (dashboard, pack, reviews), never incidents.
    "insights:dashboard": REPORTS_COUNTS,
    "insights:log": REPORTS_HANDLERS,
    "insights:export_csv": REPORTS_HANDLERS,
    "insights:export_xlsx": REPORTS_HANDLERS,
    "insights:pack": REPORTS_COUNTS,
    "insights:reviews": REPORTS_COUNTS,
    "insights:run_review": Expect(method="post", statuses={"handler": 302, "dpo_above": 302, "handler_elsewhere": 302}),
    "insights:review": Expect(statuses={"handler": 200, "dpo_above": 200, "governance": 200}),
    "insights:import": REPORTS_HANDLERS,
    "insights:import_batch": HANDLERS_ONLY,
    # Policies: the world's is school A's, published (version 1) with a draft of version 2, whose
    # pages these are. A draft is seen by admins, SIROs and DPOs only (reading the published
    # version, by everyone of school A and above: tests/test_policies.py); acknowledging a
    # draft is refused with a message.
    "policies:list": EVERYONE_SIGNED_IN,
    "policies:prompt": EVERYONE_SIGNED_IN,
    "policies:read": Expect(statuses={"admin": 200, "dpo_above": 200}),
    "policies:pdf": Expect(statuses={"admin": 200, "dpo_above": 200}),
    "policies:acknowledge": Expect(method="post", statuses={"admin": 302, "dpo_above": 302}),
    "policies:edit": ADMIN_ONLY,
    "policies:add_point": ADMIN_ONLY,
    "policies:change_point": ADMIN_ONLY,
    "policies:remove_point": Expect(method="post", statuses={"admin": 302}),
    "policies:move_point": Expect(method="post", statuses={"admin": 302}),
    # The draft (version 2): the DPO above may approve it; the admin sees it but may not.
    "policies:approve": Expect(statuses={"dpo_above": 200}),
    "policies:publish": ADMIN_ONLY,
    "policies:new_version": Expect(method="post", statuses={"admin": 302}),
    "policies:manage": ADMIN_ONLY,
    "policies:start": ADMIN_ONLY,
    "policies:register": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 200}),
    "policies:register_csv": Expect(statuses={"handler": 200, "dpo_above": 200, "admin": 200}),
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
                if namespace == "api-v1:" and entry.name != "openapi-json":
                    continue  # an API operation (see API_OPERATIONS_PREFIX)
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
    logo = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 94, 165)).save(logo, format="PNG")
    Letterhead.objects.create(organisation=school_a, logo_png=logo.getvalue(), signatory_name="Sam Ellis")
    membership = Membership.objects.get(user=people["governance"])
    assessment = Assessment.record_assessment(incident=incident, facts=Facts(), by=people["dpo_above"])
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=people["handler"])
        notify(users=[people["handler"]], kind="report_received", incident=incident)
    notification = Notification.objects.get()
    action = create_action(
        by=people["handler"], incident=incident, title="Retrain staff", owner=people["admin"], due_on=None
    )
    newcomer = UserFactory(email="newcomer@example.org")
    grant, _ = grants.give_role(user=newcomer, organisation=school_a, role=Role.DPO, by=people["admin"])
    # A second incident, triaged and assigned to the investigator, for the checklist item pages.
    from incidents import lifecycle
    from incidents.models import OutcomeReport

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
    page = page_for(school_a)
    identity_request = IdentityRequest.objects.create(incident=incident, requested_by=people["handler"], reason="why")
    review, _ = run_review(school_a)
    batch = ImportBatch.objects.create(organisation=school_a, file_name="log.csv", content=b"Reported\n", sha256="x")
    subscription = Subscription.objects.create(
        organisation=school_a,
        name="Service desk",
        url="https://hooks.example.org/incident-desk",
        events=["incident.reported"],
        secret_encrypted=sealed.seal(signing.new_secret()),
        created_on=incident.reported_on,
    )
    from policies import services as policy_services

    policy = policy_services.start_policy(school_a, by=people["admin"])
    policy_services.approve(policy, by=people["siro"])
    policy = policy_services.publish(policy, by=people["admin"], review_by=policy_services.default_review_date())
    draft = policy_services.draft_next(policy.policy, by=people["admin"])
    for person in people.values():  # all read: nobody is asked on signing in, home is home
        if PolicyVersion.objects.visible_to(person).filter(pk=policy.pk).exists():
            policy_services.acknowledge(policy, by=person)
    from api.services import create_service_account, issue_token
    from policies import exceptions, proposals

    version = policy  # school A's published version (above)
    exception = exceptions.request(
        organisation=school_a,
        point=version.points.order_by("section", "position")[0],
        by=people["reporter"],
        reason="r",
        risk="r",
        compensating_measure="m",
    )
    proposal = proposals.propose(policy=version.policy, by=people["reporter"], change="c", reason="r")
    from incidents import restriction

    access = restriction.invite(
        incident,
        by=people["handler"],
        name="Pat Forensic",
        firm="Forensics Ltd",
        email="pat@forensics.example",
        mode="read",
        ends_on=incident.reported_on + timedelta(days=30),
    )

    token, _ = issue_token(person=people["handler"], by=people["handler"], name="Desk", scopes=["read"], days=30)
    account = create_service_account(organisation=school_a, by=people["admin"], name="Desk", roles=["reporter"])
    service_token, _ = issue_token(person=account.person, by=people["admin"], name="Desk", scopes=["report"], days=30)
    from learning.services import raise_known_error
    from parties.models import ThirdParty

    known_error = raise_known_error(incident, by=people["handler"], title="Printer", symptom="Prints twice")
    supplier = ThirdParty.objects.create(
        organisation=school_a, name="Pupil records supplier", kind="processor", created_on=incident.reported_on
    )
    from incidents.models import BulkRun

    bulk_run = BulkRun.objects.create(
        by=people["handler"], step="tag", chosen=[incident.pk], queued_on=incident.reported_on
    )
    kwargs = {
        "run_uuid": bulk_run.uuid,
        "known_error_id": known_error.pk,
        "party_id": supplier.pk,
        "type_id": IncidentType.objects.get(organisation=None, name="Malware").pk,
        "subscription_uuid": subscription.uuid,
        "token_uuid": token.uuid,
        "account_uuid": account.uuid,
        "service_token_uuid": service_token.uuid,
        "item_id": item.pk,
        "slug": page.slug,
        "request_uuid": identity_request.uuid,
        "review_uuid": review.uuid,
        "batch_uuid": batch.uuid,
        "incident_uuid": incident.uuid,
        "org_uuid": school_a.uuid,
        "membership_id": membership.pk,
        "contact_id": contact.pk,
        "version": assessment.version,
        "evidence_uuid": evidence.uuid,
        "action_id": action.pk,
        "notification_uuid": notification.uuid,
        "grant_uuid": grant.uuid,
        "kind": "microsoft",
        "exception_uuid": exception.uuid,
        "proposal_uuid": proposal.uuid,
        "access_uuid": access.uuid,
        "token": restriction.invitation_token(access),
        # The draft: its pages (edit, points, approve, publish) need one; reading works on either.
        "version_uuid": draft.uuid,
        "policy_uuid": policy.policy.uuid,
        "point_id": draft.points.order_by("position", "id")[1].pk,
    }
    return {"people": people, "kwargs": kwargs, "incidents": [incident, triaged], "action": action}


def url_for(name: str, kwargs: dict) -> str:
    _, route = next((n, r) for n, r in our_url_names() if n == name)
    needed = {key: value for key, value in kwargs.items() if f":{key}>" in route}
    return reverse(name, kwargs=needed)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world: dict, role: str) -> None:
    """Every entry of EXPECTED as `role`. Each request is made in a savepoint rolled back after
    it, by a new client signed in inside it, so each meets the world exactly as built (what a
    POST changed, the session included, is undone): the world is built once a role rather than
    once a request, which took ten minutes of CI a run. Every wrong answer is listed."""
    wrong = []
    for name in sorted(EXPECTED):
        expect = EXPECTED[name]
        url = url_for(name, world["kwargs"])
        try:
            with transaction.atomic():
                client = SecondFactorClient()
                if role != "anonymous":
                    client.force_login(world["people"][role])
                status = getattr(client, expect.method)(url).status_code
                transaction.set_rollback(True)
        except Exception as error:  # listed with the other wrong answers, then failed
            wrong.append(f"{name}: {expect.method.upper()} {url} raised {error!r}")
            continue
        if status != expect.status_for(role):
            wrong.append(f"{name}: {expect.method.upper()} {url} answered {status}, expected {expect.status_for(role)}")
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)


# ── A restricted incident: zero leaks to anyone it does not name ─────────────────────────

# What only someone who may open the world's incidents can know: the report's words, the
# evidence file's name, the remedial action's title, the internal note written below.
SECRETS = ("A class list was emailed to the wrong parent", "photo.png", "Retrain staff", "The head is implicated")
# The URL arguments that name the incident or something of it.
OF_THE_INCIDENT = ("incident_uuid", "evidence_uuid", "action_id", "version", "item_id", "request_uuid", "access_uuid")


@pytest.fixture
def restricted_world(world: dict) -> dict:
    """The world with both its incidents restricted by the SIRO to the SIRO alone (the head,
    the incident manager, is implicated)."""
    from incidents import lifecycle, restriction

    siro = world["people"]["siro"]
    for incident in world["incidents"]:
        lifecycle.add_note(incident, by=world["people"]["handler"], body="The head is implicated")
        restriction.restrict(incident, by=siro, people=[], reason="The incident manager is implicated")
    return world


def refused(response: object, role: str) -> bool:
    status = response.status_code  # type: ignore[attr-defined]
    if role == "anonymous":
        return status == 302 and "/accounts/login/" in response["Location"]  # type: ignore[index]
    return status in (403, 404)


# Every page that lists or counts incidents, actions or notifications (the CSV export stands
# for the workbook and the governors' pack, which read the same `Scope.incidents`).
READERS = (
    "home",
    "incidents:list",
    "incidents:queue",
    "incidents:mine",
    "incidents:serious",
    "actions:list",
    "actions:mine",
    "insights:dashboard",
    "insights:log",
    "insights:export_csv",
    "intake:my_reports",
    "notifications:list",
    "deadlines:ico_clocks",
)


def test_a_restricted_incident_refuses_every_role_it_does_not_name(client, restricted_world: dict) -> None:
    """Every URL of the restricted incident, as every role it does not name, is refused; every
    page that lists or counts incidents answers without a word of it but its reference."""
    incident_urls = [
        (name, route) for name, route in our_url_names() if any(f":{key}>" in route for key in OF_THE_INCIDENT)
    ]
    assert len(incident_urls) > 40
    leaks = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(restricted_world["people"][role])
        for name, _ in incident_urls:
            expect = EXPECTED[name]
            url = url_for(name, restricted_world["kwargs"])
            response = getattr(client, expect.method)(url)
            if not refused(response, role):
                leaks.append(f"{role} {expect.method.upper()} {url}: {response.status_code}")
        for name in READERS:
            response = client.get(url_for(name, restricted_world["kwargs"]))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            leaks.extend(f"{role} {name} shows {secret!r}" for secret in SECRETS if secret in text)
    assert leaks == []


def test_the_people_a_restriction_names_still_open_it_and_every_view_is_recorded(
    client, restricted_world: dict
) -> None:
    from audit.models import Event

    incident = restricted_world["incidents"][0]
    client.force_login(restricted_world["people"]["siro"])
    before = Event.objects.filter(action="incident.viewed", record_id=str(incident.pk)).count()
    response = client.get(reverse("incidents:detail", args=[incident.uuid]))
    assert response.status_code == 200
    assert "A class list was emailed to the wrong parent" in response.content.decode()
    assert Event.objects.filter(action="incident.viewed", record_id=str(incident.pk)).count() == before + 1
    # The people left out see that it exists, by reference and status, in their list.
    client.force_login(restricted_world["people"]["handler"])
    listed = client.get(reverse("incidents:list")).content.decode()
    assert incident.reference in listed and "restricted incident" in listed


# What someone given read-only outside help to the world's incident may open: the incident
# page, its evidence, its outcome report, its remedial actions. Everything else is refused.
OUTSIDE_READS = {
    "incidents:detail",
    "evidence:download",
    "incidents:outcome",
    "incidents:outcome_pdf",
    "actions:detail",
}


def test_outside_help_reads_its_incident_and_does_nothing_else(client, world: dict) -> None:
    from accounts.models import User
    from incidents import restriction
    from incidents.models import OutsideAccess

    access = OutsideAccess.objects.get(uuid=world["kwargs"]["access_uuid"])
    pat = User.objects.create_user(email="pat@forensics.example", password="x")
    restriction.accept(access, pat)
    client.force_login(pat)
    wrong = []
    for name, route in our_url_names():
        if not any(f":{key}>" in route for key in OF_THE_INCIDENT) or name == "incidents:end_outside_help":
            continue
        expect = EXPECTED[name]
        response = getattr(client, expect.method)(url_for(name, world["kwargs"]))
        allowed = name in OUTSIDE_READS and expect.method == "get"
        if (response.status_code == 200) != allowed or response.status_code not in (200, 403, 404):
            wrong.append(f"{name}: {response.status_code}")

    assert wrong == [], "\n".join(wrong)
