"""Who is told of what: one table, asked by everything that tells anyone anything.

    AUDIENCES[occasion] -> the parts of its audience, in order: who, with which email, when

The lifecycle's steps are told through `on_incident_event` (subscribed to the step events in
`NotificationsConfig.ready`, so the lifecycle imports nothing of notifications); the report
form's worker job, the deadline scan and the six-month type review call `tell` with their
occasion. Rules of telling, held here and nowhere else:

- **Once per occasion.** A person reached by two parts of one occasion (the DPO who is also a
  governance viewer, an investigator who is also the SIRO) gets one notification: the first
  part in the table that reaches them. An address (an informed party, a contact) likewise.
- **Once per incident, for parts with a `once` rule** (acknowledging the report, telling the
  handlers of a new report, the informed parties, the governance viewers): an `InformedNotice`
  row per incident, rule and address is written with the telling, and a second insert is
  refused by the database, so whichever path comes first (a step, the worker, a scan, a
  second worker at the same moment) tells, and nothing tells twice. A person passed over
  because an earlier part told them is still marked as told under the rule.
- **The severity routing** (docs/lifecycle.md): on triage, and on every change of severity,
  a major or critical severity tells the DPO and the SIRO (on critical the SIRO is asked to
  undertake or delegate). Governance viewers are told once per incident, the first time it
  is major or critical, with the reference and the count of open major and critical
  incidents at the organisation and beneath it (`governance_counts`), never report contents.
  `Routing.dpo_told_on`, `siro_told_on` and `governance_told_on` are stamped here, when told.
- **Never the actor.** Nobody is told of what they did themselves; the one exception is a
  `receipt` (the reporter's acknowledgement), emailed and listed as already read.
- **How, unless the person chose**: a part that is not mandatory says its `usual` mode, by the
  role it reaches (`usual_mode`): immediate for what needs the person now, the daily summary
  for what they only oversee.
- **Escalations** of the deadline scan: the roles in their entry; when nobody holds them, the
  incident managers, else the organisation admins (`FALLBACK`).
- **A restricted incident** (`Incident.restricted_on`) is told only to the people its
  restriction names: everyone else the table reaches (reporter, investigator, informed
  parties, contacts, governance viewers) is left out, escalations' fallback too. The one
  address told beside them is an outside person invited by one of them (`outside.invited`).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from incidents.models import Channel, Incident, NamedPerson, OutsideAccess, Routing, SignOffSetting
from incidents.restriction import invitation_token
from lib import clock
from organisations import grants
from organisations.models import Contact, Membership, Organisation, Role, RoleTitle

from .api import email, notify
from .models import InformedNotice, InformedParty, Preference

SERIOUS = Incident.SERIOUS_SEVERITIES


# ── What an occasion knows ───────────────────────────────────────────────────────────────


@dataclass
class Occasion:
    """One thing that happened: the incident (or organisation), who did it, and the event's before/after."""

    name: str
    incident: Incident | None = None
    organisation: Organisation | None = None
    actor: Any = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    action: Any = None  # a remedial action (its assignment, escalations of actions)
    person: Any = None  # the one person an occasion is about (who asked for a reporter's identity)
    people: list[Any] = field(default_factory=list)  # the people an occasion is about (a policy's readers)

    @property
    def org(self) -> Organisation:
        organisation = self.organisation or (self.incident.organisation if self.incident is not None else None)
        assert organisation is not None, "an occasion needs an incident or an organisation"
        return organisation


Condition = Callable[[Occasion], bool]


@dataclass(frozen=True)
class Address:
    """Someone told by email who has no account: a reporter who wrote in by email."""

    email: str
    name: str = ""


def by_email_without_account(incident: Incident) -> bool:
    """Reported by email by someone without an account, who can be answered at that address."""
    return (
        incident.channel == Channel.EMAIL
        and incident.reported_by_id is None
        and not incident.reporter_anonymous
        and "@" in incident.reporter_contact
    )


@dataclass(frozen=True)
class Invitee:
    """An outside person invited to help with one incident, known only by an address until they accept."""

    email: str
    access: str  # the OutsideAccess's uuid

    @property
    def pk(self) -> str:
        return self.email


def always(o: Occasion) -> bool:
    return True


def severity_routed(o: Occasion) -> bool:
    """Triage, or a change of severity, to major or critical."""
    severity = o.after.get("severity", "")
    return severity in SERIOUS and severity != o.before.get("severity", "")


def critical_routed(o: Occasion) -> bool:
    return severity_routed(o) and o.after.get("severity") == Incident.SIRO_LED_SEVERITY


def serious(o: Occasion) -> bool:
    return o.incident is not None and o.incident.severity in SERIOUS


def service_affected(o: Occasion) -> bool:
    return o.incident is not None and o.incident.service_affected == Incident.YesNoNotSure.YES


def personal_data(o: Occasion) -> bool:
    i = o.incident
    return i is not None and (
        i.personal_data in ("yes", "not_sure") or i.personal_data_breach == Incident.PersonalDataBreach.YES
    )


def action_has_owner(o: Occasion) -> bool:
    return o.action is not None and o.action.owner_id is not None


def assigned_now(o: Occasion) -> bool:
    return o.after.get("investigator") is not None


def serious_review(o: Occasion) -> bool:
    """Outcome reports of major and critical incidents are reviewed by the DPO too."""
    return serious(o)


def sign_off_asked(o: Occasion) -> bool:
    """The organisation asks the SIRO to sign off each outcome before closure."""
    return o.incident is not None and SignOffSetting.asked_by(o.incident.organisation)


# ── The table ────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Part:
    """Part of an audience.

    `who`: "role:<role>" (its holders on the organisation, or the nearest one above that has
    any), "governance" (every governance viewer on the organisation and above: governors and
    trust board), "grant_holders" (everyone holding the role an occasion's `after["role"]`
    names, on the organisation and above), "investigator", "reporter" (named, never an
    anonymous one), "reporter_email" (someone without an account who reported by email, at
    the address they wrote from), "action_owner",
    "person" (the occasion's `person`), "people" (the occasion's `people`: the readers of a
    policy, as `policies.inheritance.readers_of` finds them), "owner_role" (the holders of the
    role an occasion's `after["owner_role"]` names: a policy's owner), "party:service" (the
    informed parties for the affected service), "contact:<kind>" (the organisation's nearest
    named contact of that kind), "invitee" (the outside person an `outside.invited` occasion
    invites, by address).
    """

    who: str
    kind: str  # the email and in-app templates: notifications/email/<kind>*.txt
    when: Condition = always
    once: str = ""  # told once per incident under this rule, whatever the occasion
    mandatory: bool = True  # False: the person may choose a daily digest
    usual: str = Preference.Mode.IMMEDIATE  # when not mandatory: the mode of someone who has not chosen
    receipt: bool = False  # the actor's own record (their report's acknowledgement): emailed, listed as read
    link: str = "incident"  # "incident", "my_report", "notifications", or "" for the caller's link
    routing: str = ""  # the Routing timestamp to stamp: "dpo", "siro" or "governance"


REPORTER = Part("reporter", "report_acknowledged", once="acknowledged", link="my_report", receipt=True)
# Someone without an account who reported by email (inbound): the reference, by email, at
# the address they wrote from; a reply to it is added to their report.
EMAIL_REPORTER = Part("reporter_email", "report_acknowledged_by_email", once="acknowledged", receipt=True)
# A new report needs the incident manager now (triage); the SIRO and the DPO oversee, so a
# daily summary unless they choose otherwise (major and critical reach them at once on triage).
NEW_REPORT = tuple(
    Part(f"role:{role}", "report_received", once="report_received", mandatory=False, usual=usual)
    for role, usual in (
        (Role.INCIDENT_MANAGER, Preference.Mode.IMMEDIATE),
        (Role.SIRO, Preference.Mode.DIGEST),
        (Role.DPO, Preference.Mode.DIGEST),
    )
)
ROUTING = (
    Part(f"role:{Role.SIRO}", "incident_critical_siro", when=critical_routed, routing="siro"),
    Part(f"role:{Role.DPO}", "incident_serious", when=severity_routed, routing="dpo"),
    Part(f"role:{Role.SIRO}", "incident_serious", when=severity_routed, routing="siro"),
)
INFORMED = (
    Part(
        "governance",
        "informed_major",
        when=serious,
        once="governance",
        mandatory=False,  # immediate until chosen: rare, and its email carries the counts a summary drops
        link="notifications",
        routing="governance",
    ),
    Part("party:service", "informed_service", when=service_affected, once="service"),
    Part(f"contact:{Contact.Kind.INTERNAL_AUDIT}", "informed_audit", once="internal_audit"),
    Part(f"contact:{Contact.Kind.CALDICOTT}", "informed_caldicott", when=personal_data, once="caldicott"),
)
ASSIGNED = Part("investigator", "investigator_assigned")
ASSIGNED_AT_TRIAGE = Part("investigator", "investigator_assigned", when=assigned_now)

AUDIENCES: dict[str, tuple[Part, ...]] = {
    # A report is stored (the worker, straight after): the reporter, the handlers, the informed parties.
    "report_received": (REPORTER, EMAIL_REPORTER, *NEW_REPORT, *INFORMED),
    # The lifecycle's steps, by the action of their event.
    "incident.triaged": (*ROUTING, ASSIGNED_AT_TRIAGE, *INFORMED),
    "incident.reclassified": (*ROUTING, *INFORMED),
    "incident.investigator_assigned": (ASSIGNED,),
    "incident.outcome_submitted": (
        Part(f"role:{Role.INCIDENT_MANAGER}", "outcome_submitted"),
        Part(f"role:{Role.DPO}", "outcome_submitted", when=serious_review),
        Part(f"role:{Role.SIRO}", "siro_sign_off_needed", when=sign_off_asked),
    ),
    # The DPO's oversight below major (policy 000 §3, 003): asked, the DPO; advice given, the
    # incident manager and the investigator; a direction, the investigator it was given to.
    "incident.dpo_advice_requested": (Part(f"role:{Role.DPO}", "dpo_advice_requested"),),
    "incident.dpo_advised": (
        Part(f"role:{Role.INCIDENT_MANAGER}", "dpo_advised"),
        Part("investigator", "dpo_advised"),
    ),
    "incident.dpo_directed": (Part("investigator", "dpo_directed"),),
    "incident.outcome_returned": (Part("investigator", "outcome_returned"),),
    "incident.reopened": (Part("investigator", "incident_reopened"),),
    "reporter.message_sent": (Part("reporter", "reporter_message", link="my_report"),),
    # The anonymous reporter wrote back or added files with their receipt: the handlers.
    "reporter.wrote": (
        *(Part(f"role:{role}", "anonymous_reporter_wrote") for role in (Role.INCIDENT_MANAGER, Role.SIRO, Role.DPO)),
        Part("investigator", "anonymous_reporter_wrote"),
    ),
    # A named (or confidential) reporter added information or files to their own report.
    "reporter.added": (
        *(Part(f"role:{role}", "reporter_added") for role in (Role.INCIDENT_MANAGER, Role.SIRO, Role.DPO)),
        Part("investigator", "reporter_added"),
    ),
    # A confidential reporter's name: asked of the DPO; the decision, to whoever asked.
    "identity.requested": (Part(f"role:{Role.DPO}", "identity_requested"),),
    "identity.decided": (Part("person", "identity_decided"),),
    # A remedial action given to someone (not by themselves).
    "action.assigned": (Part("action_owner", "action_assigned", when=action_has_owner, link=""),),
    # The deadline scan: progress to the reporter, the informed parties it catches up on, escalations.
    "reporter_progress": (Part("reporter", "reporter_progress", mandatory=False, link="my_report"),),
    "informed": INFORMED,
    "escalation.triage_overdue": (Part(f"role:{Role.SIRO}", "escalation", link=""),),
    "escalation.urgent_untriaged": (Part(f"role:{Role.DPO}", "escalation", link=""),),
    "escalation.investigation_overdue": (Part(f"role:{Role.SIRO}", "escalation", link=""),),
    "escalation.reporter_update_due": (Part(f"role:{Role.INCIDENT_MANAGER}", "escalation", link=""),),
    "escalation.action_overdue": (Part("action_owner", "escalation", link=""),),
    "escalation.action_still_overdue": (Part(f"role:{Role.INCIDENT_MANAGER}", "escalation", link=""),),
    "escalation.controller_overdue": (
        Part(f"role:{Role.DPO}", "escalation", link=""),
        Part(f"role:{Role.INCIDENT_MANAGER}", "escalation", link=""),
    ),
    "escalation.body_overdue": (Part(f"role:{Role.INCIDENT_MANAGER}", "escalation", link=""),),
    "escalation.ico_clock": (
        Part(f"role:{Role.DPO}", "escalation", link=""),
        Part(f"role:{Role.SIRO}", "escalation", link=""),
    ),
    # Giving the DPO, SIRO or admin role (organisations.grants): the role's existing holders on
    # the organisation and above are asked to approve and told when it is given; whoever
    # asked is told the decision.
    "role_grant.requested": (Part("grant_holders", "role_grant_requested", link=""),),
    "role_grant.approved": (
        Part("grant_holders", "role_grant_approved", link=""),
        Part("person", "role_grant_decided", link=""),
    ),
    "role_grant.refused": (Part("person", "role_grant_decided", link=""),),
    # The six-month type review found a type that has not fallen (policy 003).
    "type_review_flagged": (
        Part("governance", "type_review_flagged", link=""),
        Part(f"role:{Role.ADMIN}", "type_review_flagged", link=""),
    ),
    # Outside help to one incident (incidents.restriction): the invitation, with its signed link.
    "outside.invited": (Part("invitee", "outside_invited", link=""),),
    # A policy version is published (policies.services.publish): everyone it applies to is
    # asked to read and acknowledge it; the periodic job asks again those who have not
    # (policies.reminders); the policy's owner and the admins are told its review is near, then due.
    "policy.published": (Part("people", "policy_published", link=""),),
    "policy.acknowledge_reminder": (Part("people", "policy_acknowledge_reminder", link=""),),
    "policy.review_due": (
        Part("owner_role", "policy_review_due", link=""),
        Part(f"role:{Role.ADMIN}", "policy_review_due", link=""),
    ),
    # Exceptions to a policy point (policies.exceptions): asked of the SIRO and the DPO (the
    # named officer); the decision, to whoever asked; the end, 14 days before and on the day,
    # to whoever holds it and whoever approved it.
    "exception.requested": (
        Part(f"role:{Role.SIRO}", "exception_requested", link=""),
        Part(f"role:{Role.DPO}", "exception_requested", link=""),
    ),
    "exception.approved": (Part("person", "exception_decided", link=""),),
    "exception.refused": (Part("person", "exception_decided", link=""),),
    "exception.expiring": (Part("people", "exception_expiring", link=""),),
    "exception.expired": (Part("people", "exception_expired", link=""),),
    # Proposed changes to a policy (policies.proposals): to the policy's owner; the decision,
    # to whoever proposed it.
    "proposal.made": (Part("owner_role", "proposal_made", link=""),),
    "proposal.accepted": (Part("person", "proposal_decided", link=""),),
    "proposal.rejected": (Part("person", "proposal_decided", link=""),),
    "proposal.deferred": (Part("person", "proposal_decided", link=""),),
    # A webhook was turned off after repeated failed deliveries (webhooks.delivery): the admins
    # of its organisation (the nearest above that has any), who may fix and resume it.
    "webhook.disabled": (Part(f"role:{Role.ADMIN}", "webhook_disabled", link=""),),
}
# When nobody holds the roles an escalation goes to, the first of these that anyone holds.
FALLBACK = (Role.INCIDENT_MANAGER, Role.ADMIN)


def usual_mode(kind: str, roles: set[str]) -> str:
    """The mode a person holding `roles` gets for `kind` until they choose: immediate if any part
    of the table that reaches them with `kind` is, else the daily summary if one is, else immediate."""
    modes = {
        part.usual
        for parts in AUDIENCES.values()
        for part in parts
        if part.kind == kind
        and not part.mandatory
        and (part.who.removeprefix("role:") in roles or (part.who == "governance" and Role.GOVERNANCE in roles))
    }
    return Preference.Mode.DIGEST if modes == {Preference.Mode.DIGEST} else Preference.Mode.IMMEDIATE


# ── Finding the people ───────────────────────────────────────────────────────────────────


class Directory:
    """Holders, titles, contacts and informed parties per organisation, each looked up once.

    One per scan (or per occasion): a scan of thousands of incidents asks the database once
    per organisation and role, not once per incident.
    """

    def __init__(self) -> None:
        self.people: dict[tuple[int, str], list[Any]] = {}
        self.titles: dict[int, dict[str, str]] = {}
        self.viewers: dict[int, list[Any]] = {}
        self.contacts: dict[int, list[Contact]] = {}
        self.parties: dict[int, list[InformedParty]] = {}
        self.memberships: dict[int, list[Membership]] = {}  # by organisation, its ancestors' (`preload`)

    def preload(self, organisations: Iterable[Organisation]) -> None:
        """The memberships and role titles of these organisations and those above them, in two
        queries: a scan's batch reaches hundreds of schools, each otherwise asked once per role."""
        wanted = {o.pk: o for o in organisations if o.pk not in self.memberships}
        if not wanted:
            return
        ids = {i for o in wanted.values() for i in o.ancestor_ids()}
        members: dict[int, list[Membership]] = defaultdict(list)
        for m in Membership.objects.filter(organisation_id__in=ids, user__is_active=True).select_related(
            "organisation", "user"
        ):
            members[m.organisation_id].append(m)
        titles: dict[int, list[RoleTitle]] = defaultdict(list)
        for t in RoleTitle.objects.filter(organisation_id__in=ids).select_related("organisation"):
            titles[t.organisation_id].append(t)
        for pk, organisation in wanted.items():
            above = organisation.ancestor_ids()
            self.memberships[pk] = [m for i in above for m in members.get(i, [])]
            if pk not in self.titles:
                self.titles[pk] = organisation.role_titles(rows=[t for i in above for t in titles.get(i, [])])

    def holders(self, organisation: Organisation, role: str) -> list[Any]:
        key = (organisation.pk, role)
        if key not in self.people:
            self.people[key] = organisation.holders(role, among=self.memberships.get(organisation.pk))
        return self.people[key]

    def title(self, organisation: Organisation, role: str) -> str:
        if organisation.pk not in self.titles:
            self.titles[organisation.pk] = organisation.role_titles()
        return self.titles[organisation.pk][role]

    def governance(self, organisation: Organisation) -> list[Any]:
        if organisation.pk not in self.viewers:
            self.viewers[organisation.pk] = governance_viewers(organisation)
        return self.viewers[organisation.pk]

    def _load(self, org_ids: list[int]) -> None:
        missing = [i for i in org_ids if i not in self.contacts]
        if not missing:
            return
        for i in missing:
            self.contacts[i] = []
            self.parties[i] = []
        for contact in Contact.objects.filter(organisation_id__in=missing).exclude(email=""):
            self.contacts[contact.organisation_id].append(contact)
        for party in InformedParty.objects.filter(organisation_id__in=missing):
            self.parties[party.organisation_id].append(party)

    def nearest_contacts(self, organisation: Organisation, kind: str) -> list[Contact]:
        ids = organisation.ancestor_ids()
        self._load(ids)
        for org_id in reversed(ids):
            found = [c for c in self.contacts[org_id] if c.kind == kind]
            if found:
                return found
        return []

    def service_parties(self, organisation: Organisation, service: str) -> list[InformedParty]:
        ids = organisation.ancestor_ids()
        self._load(ids)
        wanted = service.strip().lower()
        return [
            p
            for org_id in ids
            for p in self.parties[org_id]
            if not p.service_name or p.service_name.strip().lower() == wanted
        ]


def governance_viewers(organisation: Organisation) -> list[Any]:
    """Governance viewers on the organisation and every organisation above it (governors, trust board)."""
    memberships = Membership.objects.filter(
        organisation_id__in=organisation.ancestor_ids(), role=Role.GOVERNANCE, user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in memberships}, key=lambda u: u.pk)


def governance_counts(incident: Incident) -> dict[str, Any]:
    """What governance viewers are told of a major or critical incident: counts only, no contents.

    The open major and critical incidents at the incident's organisation and beneath it,
    this one included. The one count, whichever path tells them.
    """
    organisation = incident.organisation
    open_urgent = Incident.objects.filter(
        organisation__path__startswith=organisation.path,
        status__in=Incident.OPEN_STATUSES,
        severity__in=SERIOUS,
    ).count()
    return {"severity": incident.get_severity_display().lower(), "open_urgent": open_urgent}


@dataclass
class Group:
    """The people one part of an occasion reaches, and how they are described (escalations list them)."""

    part: Part
    title: str
    people: list[Any]  # users, or InformedParty / Contact for people without an account


def _members(part: Part, o: Occasion, directory: Directory) -> tuple[str, list[Any]]:
    organisation = o.org
    who = part.who
    incident = o.incident
    if who.startswith("role:"):
        role = who.removeprefix("role:")
        return directory.title(organisation, role), directory.holders(organisation, role)
    if who == "governance":
        return directory.title(organisation, Role.GOVERNANCE), directory.governance(organisation)
    if who == "grant_holders":
        role = o.after["role"]
        return directory.title(organisation, role), grants.holders(organisation, role)
    if who == "investigator":
        person = incident.investigator if incident is not None else None
        # Only while they hold a role that keeps the assignment (organisations.powers).
        if incident is None or person is None or not person.is_active or not incident.powers_of(person).is_assigned:
            return "the investigating officer", []
        return "the investigating officer", [person]
    if who == "reporter":
        if incident is None or incident.reporter_anonymous or incident.reported_by is None:
            return "the reporter", []
        return "the reporter", [incident.reported_by]
    if who == "reporter_email":
        if incident is None or not by_email_without_account(incident):
            return "the reporter", []
        return "the reporter", [Address(incident.reporter_contact.strip().lower(), incident.reporter_name)]
    if who == "action_owner":
        action = o.action
        if action is not None and action.owner is not None and action.owner.is_active:
            return "the action's owner", [action.owner]
        managers = directory.holders(organisation, Role.INCIDENT_MANAGER)
        return f"{directory.title(organisation, Role.INCIDENT_MANAGER)}: the action has no owner", managers
    if who == "person":
        return "", [o.person] if o.person is not None and o.person.is_active else []
    if who == "people":
        return "", [p for p in o.people if p.is_active]
    if who == "owner_role":
        role = o.after["owner_role"]
        return directory.title(organisation, role), directory.holders(organisation, role)
    if who == "party:service":
        assert incident is not None
        return "informed party", directory.service_parties(organisation, incident.service_name)
    if who.startswith("contact:"):
        return "named contact", directory.nearest_contacts(organisation, who.removeprefix("contact:"))
    if who == "invitee":
        return "invited to help", [Invitee(str(o.after["email"]), str(o.after["access"]))]
    raise ValueError(f"Nobody is called {who!r} in the audience table.")


def _key(person: Any) -> str:
    """One key per person or address, so that one of them is told once."""
    address = (getattr(person, "email", "") or "").strip().lower()
    return address or f"user:{person.pk}"


def audience(o: Occasion, directory: Directory | None = None) -> list[Group]:
    """Who `o` reaches, part by part, before anyone is deduplicated or told (the whole audience)."""
    directory = directory or Directory()
    groups = []
    for part in AUDIENCES[o.name]:
        if not part.when(o):
            continue
        title, people = _members(part, o, directory)
        if o.actor is not None and not part.receipt:
            # Nobody is told of what they did themselves (a receipt is their own record).
            # (`__class__`, not `type()`: the actor may be the request's lazy user, which
            # passes its class through; people may be contacts, whose keys are another table's.)
            people = [p for p in people if not (isinstance(p, o.actor.__class__) and p.pk == o.actor.pk)]
        groups.append(Group(part, title, people))
    if o.name.startswith("escalation.") and not any(g.people for g in groups):
        for role in FALLBACK:
            people = directory.holders(o.org, role)
            if people:
                title = f"{directory.title(o.org, role)} (nobody holds the role this goes to)"
                groups.append(Group(Part(f"role:{role}", "escalation", link=""), title, people))
                break
    if o.incident is not None and o.incident.restricted_on is not None:
        named = set(NamedPerson.objects.filter(incident=o.incident.pk).values_list("person_id", flat=True))
        for group in groups:
            group.people = [p for p in group.people if isinstance(p, Invitee) or (is_account(p) and p.pk in named)]
    return groups


def is_account(person: Any) -> bool:
    return not isinstance(person, InformedParty | Contact | Address | Invitee)


def first_time(incident: Incident, rule: str, address: str, known: set[tuple[int, str, str]] | None = None) -> bool:
    """Record that `address` is told of `incident` under `rule`; False if it already was.

    `known` (incident id, rule, address) saves a scan the insert it knows would be refused.
    """
    if known is not None and (incident.pk, rule, address.lower()) in known:
        return False
    try:
        with transaction.atomic():
            InformedNotice.objects.create(incident=incident, rule=rule, address=address.lower(), created_on=clock.now())
    except IntegrityError:
        return False
    return True


# ── Telling ──────────────────────────────────────────────────────────────────────────────


def tell(
    o: Occasion,
    *,
    link: str = "",
    context: dict[str, Any] | None = None,
    directory: Directory | None = None,
    known: set[tuple[int, str, str]] | None = None,
) -> list[Group]:
    """Tell everyone `o` reaches, each once; returns the groups actually told (empty groups left out).

    Call it inside the transaction that makes the change: the notifications and emails are
    written in it and sent after it commits.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("tell() must be called inside the transaction that makes the change")
    seen: set[str] = set()
    told: list[Group] = []
    stamps: dict[str, Any] = {}
    for group in audience(o, directory):
        part = group.part
        at = clock.now()
        fresh = []
        for person in group.people:
            key = _key(person)
            if part.once:
                assert o.incident is not None, "a once-per-incident part needs an incident"
                if not first_time(o.incident, part.once, key.removeprefix("user:"), known):
                    continue
            if key in seen:
                continue  # told on this occasion by an earlier part (and now marked under this rule too)
            seen.add(key)
            fresh.append(person)
        if fresh:
            _send(part, group.title, fresh, o, link, context, at)
            told.append(Group(part, group.title, fresh))
        if part.routing and group.people and all(_key(p) in seen for p in group.people):
            stamps.setdefault(part.routing, at)  # every holder is told now, by this part or an earlier one
    if stamps and o.incident is not None:
        Routing.objects.get_or_create(incident=o.incident)
        Routing.objects.filter(incident=o.incident).update(**{f"{name}_told_on": at for name, at in stamps.items()})
    return told


def _send(
    part: Part, title: str, people: list[Any], o: Occasion, link: str, context: dict[str, Any] | None, at: Any
) -> None:
    incident = o.incident
    where = {
        "incident": "",  # notify() links the incident's page
        "my_report": reverse("intake:my_report", args=[incident.uuid]) if incident is not None else "",
        "notifications": reverse("notifications:list"),
        "": link,
    }[part.link]
    data: dict[str, Any] = {"role_title": title}
    if part.kind in ("incident_serious", "incident_critical_siro") and incident is not None:
        data["severity"] = incident.get_severity_display()
    if part.kind == "informed_major" and incident is not None:
        data |= governance_counts(incident)
    data |= context or {}
    users = [p for p in people if is_account(p)]
    if users:
        notify(
            users=users,
            kind=part.kind,
            incident=incident,
            organisation=o.organisation,
            link=where,
            context=data,
            mandatory=part.mandatory,
            at=at,
            usual=part.usual,
            receipt=part.receipt,
        )
    for person in people:
        if isinstance(person, Invitee) and incident is not None:
            access = OutsideAccess.objects.get(uuid=person.access)
            invitation = reverse("incidents:accept_invitation", args=[invitation_token(access)])
            email(
                addresses=[person.email],
                kind=part.kind,
                incident=incident,
                link=invitation,
                context=data | {"access": access, "invited_by": access.invited_by},
            )
        elif isinstance(person, InformedParty) and incident is not None:
            email(
                addresses=[person.email],
                kind=part.kind,
                incident=incident,
                context=data | {"party_role": person.get_role_display(), "service": incident.service_name},
            )
        elif isinstance(person, Contact):
            email(addresses=[person.email], kind=part.kind, incident=incident, context=data)
        elif isinstance(person, Address) and incident is not None:
            email(addresses=[person.email], kind=part.kind, incident=incident, context=data | {"name": person.name})


# ── The lifecycle's events ───────────────────────────────────────────────────────────────


def on_incident_event(event: Any, incident: Incident) -> None:
    """Subscribed to the step events: tell whoever the table names for the step's action."""
    if event.action not in AUDIENCES:
        return
    tell(
        Occasion(
            event.action,
            incident=incident,
            actor=event.actor,
            before=event.before if isinstance(event.before, dict) else {},
            after=event.after if isinstance(event.after, dict) else {},
        )
    )


# ── Giving a role that needs approval ────────────────────────────────────────────────────


def on_grant_event(grant: Any, action: str, actor: Any, **kwargs: Any) -> None:
    """Connected to `organisations.grants.grant_event`: tell whoever the table names."""
    organisation = grant.organisation
    title = organisation.role_title(grant.role)
    tell(
        Occasion(
            action,
            organisation=organisation,
            actor=actor,
            after={"role": grant.role},
            person=grant.requested_by,
        ),
        link=reverse("organisations:approvals") if action == "role_grant.requested" else "",
        context={
            "grant_title": title,
            "grantee": grant.user.get_full_name() or grant.user.email,
            "requester": grant.requested_by.get_full_name() or grant.requested_by.email,
            "decider": (actor.get_full_name() or actor.email) if actor is not None else "",
            "approved": action == "role_grant.approved",
            "reason": grant.reason,
        },
    )
