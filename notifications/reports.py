"""Who is told about an incident, by rule, each exactly once.

On every report: the reporter (acknowledgement), the incident managers, SIRO and DPO
(003). Informed parties, told not asked, whenever their rule starts to apply (checked
at report and by every deadline scan, so a severity or service set at triage counts):

- a service is affected -> the service managers and system owners named for it (004 7.16);
- every incident -> internal audit, where the organisation names it (004 7.17);
- personal data may be involved -> the Caldicott Guardian, where named (003);
- major or critical -> the governance viewers, with counts and the reference only (003).

`InformedNotice` (unique per incident, rule and address) is what makes "once": a second
run, or a second worker at the same moment, inserts nothing and so sends nothing.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from organisations.models import Contact, Membership, Organisation, Role

from .api import email, notify
from .models import InformedNotice, InformedParty

URGENT = ("major", "critical")


def first_time(incident: Incident, rule: str, address: str, known: set[tuple[int, str, str]] | None = None) -> bool:
    """Record that `address` is told under `rule`; False if it already was.

    `known` (incident id, rule, address) saves a scan the insert it knows would be refused.
    """
    if known is not None and (incident.pk, rule, address.lower()) in known:
        return False
    try:
        with transaction.atomic():
            InformedNotice.objects.create(
                incident=incident, rule=rule, address=address.lower(), created_on=timezone.now()
            )
    except IntegrityError:
        return False
    return True


def notify_report_received(incident: Incident) -> None:
    """Acknowledge the report and tell the handlers; then the informed parties. Idempotent."""
    organisation = incident.organisation
    reporter = incident.reported_by
    if reporter is not None and reporter.email and first_time(incident, "acknowledged", reporter.email):
        notify(
            users=[reporter],
            kind="report_acknowledged",
            incident=incident,
            link=reverse("intake:my_report", args=[incident.uuid]),
        )
    titles = organisation.role_titles()
    told: set[int] = set()
    for role in (Role.INCIDENT_MANAGER, Role.SIRO, Role.DPO):
        people = [u for u in organisation.holders(role) if u.pk not in told and u.email]
        told.update(u.pk for u in people)
        fresh = [u for u in people if first_time(incident, "report_received", u.email)]
        if fresh:
            notify(
                users=fresh,
                kind="report_received",
                incident=incident,
                context={"role_title": titles[role]},
                mandatory=False,
            )
    inform_parties(incident)


class ContactCache:
    """The named contacts and informed parties of organisations, loaded once per scan."""

    def __init__(self) -> None:
        self.contacts: dict[int, list[Contact]] = {}
        self.parties: dict[int, list[InformedParty]] = {}
        self.viewers: dict[int, list[Any]] = {}

    def governance(self, organisation: Organisation) -> list[Any]:
        if organisation.pk not in self.viewers:
            self.viewers[organisation.pk] = governance_viewers(organisation)
        return self.viewers[organisation.pk]

    def load(self, org_ids: list[int]) -> None:
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
        self.load(ids)
        for org_id in reversed(ids):
            found = [c for c in self.contacts[org_id] if c.kind == kind]
            if found:
                return found
        return []

    def service_parties(self, organisation: Organisation, service: str) -> list[InformedParty]:
        ids = organisation.ancestor_ids()
        self.load(ids)
        wanted = service.strip().lower()
        return [
            p
            for org_id in ids
            for p in self.parties[org_id]
            if not p.service_name or p.service_name.strip().lower() == wanted
        ]


def inform_parties(
    incident: Incident, cache: ContactCache | None = None, known: set[tuple[int, str, str]] | None = None
) -> int:
    """Tell each informed party whose rule applies and who has not been told. Returns how many were told."""
    cache = cache or ContactCache()
    organisation = incident.organisation
    told = 0
    if incident.service_affected == Incident.YesNoNotSure.YES:
        for party in cache.service_parties(organisation, incident.service_name):
            if first_time(incident, "service", party.email, known):
                email(
                    addresses=[party.email],
                    kind="informed_service",
                    incident=incident,
                    context={"party_role": party.get_role_display(), "service": incident.service_name},
                )
                told += 1
    for contact in cache.nearest_contacts(organisation, Contact.Kind.INTERNAL_AUDIT):
        if first_time(incident, "internal_audit", contact.email, known):
            email(addresses=[contact.email], kind="informed_audit", incident=incident)
            told += 1
    personal = incident.personal_data in ("yes", "not_sure") or incident.personal_data_breach == "yes"
    if personal:
        for contact in cache.nearest_contacts(organisation, Contact.Kind.CALDICOTT):
            if first_time(incident, "caldicott", contact.email, known):
                email(addresses=[contact.email], kind="informed_caldicott", incident=incident)
                told += 1
    if incident.severity in URGENT:
        viewers = cache.governance(organisation)
        fresh = [u for u in viewers if u.email and first_time(incident, "governance", u.email, known)]
        if fresh:
            notify(
                users=fresh,
                kind="informed_major",
                incident=incident,
                link="/notifications/",
                context=governance_counts(organisation, incident),
                mandatory=False,
            )
            told += len(fresh)
    return told


def governance_viewers(organisation: Organisation) -> list[Any]:
    """Governance viewers on the organisation and every organisation above it (governors, trust board)."""
    memberships = Membership.objects.filter(
        organisation_id__in=organisation.ancestor_ids(), role=Role.GOVERNANCE, user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in memberships}, key=lambda u: u.pk)


def governance_counts(organisation: Organisation, incident: Incident) -> dict[str, Any]:
    """Counts only: no description, no names."""
    open_urgent = Incident.objects.filter(
        organisation=organisation, status__in=Incident.OPEN_STATUSES, severity__in=URGENT
    ).count()
    return {"severity": incident.get_severity_display().lower(), "open_urgent": open_urgent}
