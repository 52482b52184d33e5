"""Organisations in bulk: a county's schools from a CSV, with the same trial run as people.

    outcome = schools.check(county, content, "schools.csv", by=admin)   # changes nothing
    outcome = schools.run_import(county, content, "schools.csv", by=admin)

Columns: name, kind (school if blank), parent (a name or URN: an organisation already at or
beneath the one importing, or an earlier row of the file; blank means the one importing),
URN (the DfE unique reference number), email domains (separated by spaces, commas or
semicolons) and contacts ("Headteacher: Jo Bloggs <head@brookside.sch.uk>; DPO: …").

Each new organisation gets its public report page (and so its poster) at once, through
`anonymous.services.page_for`. A row whose URN is known, or whose name is already taken
under the same parent, is already here and changes nothing: importing again adds nothing.
Each email domain becomes a `SignInDomain` of the new organisation, claimed by the importer,
with a `sign_in_domain.claimed` event like the sign-in settings page writes. The same rules
hold: one organisation per domain (a domain claimed elsewhere, or twice in the file, fails
its row), and the importer must be allowed to claim (`Powers.may_claim_domain`).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from anonymous.models import PublicReportPage
from anonymous.services import page_for
from audit.log import record
from organisations.models import Contact, Organisation, SignInDomain
from organisations.powers import may_claim_domain

from .models import OrganisationUrn
from .people import RowProblem
from .tables import read_rows

BATCH = 100
ALIASES = {
    "name": {"name", "organisation", "school", "school name", "establishment name"},
    "kind": {"kind", "type"},
    "parent": {"parent", "parent organisation", "trust"},
    "urn": {"urn"},
    "domains": {"email domains", "email domain", "domains", "domain"},
    "contacts": {"contacts", "contact"},
}
URN = re.compile(r"^\d{5,7}$")
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
CONTACT = re.compile(r"^(?P<kind>[^:]+):\s*(?P<name>[^<]+?)\s*(?:<(?P<email>[^>]*)>)?$")


@dataclass
class NewOrganisation:
    row: int
    name: str
    kind: str
    parent: Organisation | int  # an organisation, or the row number of an earlier row
    urn: str
    domains: list[str]
    contacts: list[tuple[str, str, str]]  # (kind, name, email)


@dataclass
class Outcome:
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False
    already: int = 0
    created: list[tuple[Organisation, PublicReportPage]] = field(default_factory=list)
    domains: int = 0


def _kinds() -> dict[str, str]:
    kinds = {}
    for kind in Organisation.Kind:
        for word in (kind.value, str(kind.label), kind.value.replace("_", " ")):
            kinds[word.lower()] = kind.value
    kinds["academy"] = Organisation.Kind.SCHOOL.value
    return kinds


def _contact_kinds() -> dict[str, str]:
    kinds = {}
    for kind in Contact.Kind:
        for word in (kind.value, str(kind.label), kind.value.replace("_", " ")):
            kinds[word.lower()] = kind.value
    kinds["head"] = Contact.Kind.HEADTEACHER.value
    return kinds


class Scope:
    """What a file may name as a parent: the importing organisation, everything beneath, earlier rows."""

    def __init__(self, organisation: Organisation, by: Any) -> None:
        self.organisation = organisation
        self.by = by
        self.row_paths: dict[int, str] = {}  # row number → a stand-in path beneath its parent's
        self.domain_rows: dict[str, int] = {}  # domain → the row of the file claiming it
        self.claimed = set(SignInDomain.objects.values_list("domain", flat=True))
        self.by_urn: dict[str, Organisation | int] = {}
        self.by_name: dict[str, list[Organisation | int]] = {}
        self.names_under: set[tuple[int | str, str]] = set()  # (parent id or "row n", lower name)
        for org in organisation.descendants().select_related("urn_record"):
            urn = getattr(getattr(org, "urn_record", None), "urn", None)
            if urn:
                self.by_urn[urn] = org
            self.by_name.setdefault(org.name.lower(), []).append(org)
            self.names_under.add((org.parent_id or 0, org.name.lower()))
        self.taken_urns = set(OrganisationUrn.objects.exclude(urn__in=self.by_urn).values_list("urn", flat=True))

    def parent(self, text: str) -> tuple[Organisation | int | None, str]:
        if not text:
            return self.organisation, ""
        if text in self.by_urn:
            return self.by_urn[text], ""
        found = self.by_name.get(text.lower(), [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"More than one organisation is called “{text}”: give the parent's URN instead."
        return None, f"The parent “{text}” is not {self.organisation.name}, beneath it, or an earlier row."

    def may_claim(self, parent: Organisation | int) -> bool:
        """Whether the importer may claim domains for a new organisation beneath `parent`: the
        Powers rule, asked of an unsaved organisation standing where the new one will."""
        path = parent.path if isinstance(parent, Organisation) else self.row_paths[parent]
        return may_claim_domain(self.by, Organisation(path=f"{path}new/"))

    def add(self, new: NewOrganisation) -> None:
        parent_path = new.parent.path if isinstance(new.parent, Organisation) else self.row_paths[new.parent]
        self.row_paths[new.row] = f"{parent_path}row-{new.row}/"
        for domain in new.domains:
            self.domain_rows[domain] = new.row
        if new.urn:
            self.by_urn[new.urn] = new.row
        self.by_name.setdefault(new.name.lower(), []).append(new.row)


def _key(parent: Organisation | int) -> int | str:
    return parent.pk if isinstance(parent, Organisation) else f"row {parent}"


def _row(
    number: int, cells: dict[str, str], scope: Scope, kinds: dict[str, str], contact_kinds: dict[str, str]
) -> NewOrganisation | list[str] | None:
    """A new organisation, None when it is already here, or what is wrong with the row."""
    problems: list[str] = []
    name = cells.get("name", "")
    if not name:
        problems.append("The name is missing.")
    elif len(name) > 200:
        problems.append("The name is longer than 200 characters.")
    kind = kinds.get(cells.get("kind", "").lower() or "school")
    if kind is None:
        problems.append(
            f"“{cells.get('kind')}” is not a kind of organisation. "
            f"Use one of: {', '.join(k.label for k in Organisation.Kind)}."
        )
    urn = cells.get("urn", "")
    if urn and not URN.match(urn):
        problems.append(
            f"“{urn}” is not a URN: it is the school's number in Get Information about Schools, 5 to 7 digits."
        )
    if urn and urn in scope.by_urn:
        if isinstance(scope.by_urn[urn], int):
            problems.append(f"URN {urn} is already on row {scope.by_urn[urn]}.")
        return problems or None
    if urn and urn in scope.taken_urns:
        problems.append(f"URN {urn} belongs to an organisation outside {scope.organisation.name}.")
    parent, why = scope.parent(cells.get("parent", ""))
    if parent is None:
        problems.append(why)
    domains = [d for d in re.split(r"[\s,;]+", cells.get("domains", "").lower()) if d]
    for domain in domains:
        if not DOMAIN.match(domain.removeprefix("@")):
            problems.append(f"“{domain}” is not an email domain (for example brookside.sch.uk).")
    domains = list(dict.fromkeys(d.removeprefix("@") for d in domains))
    contacts: list[tuple[str, str, str]] = []
    for text in (c.strip() for c in cells.get("contacts", "").split(";")):
        if not text:
            continue
        match = CONTACT.match(text)
        contact_kind = contact_kinds.get(match["kind"].strip().lower()) if match else None
        if match is None or contact_kind is None:
            problems.append(f"The contact “{text}” should read like “Headteacher: Jo Bloggs <head@school.sch.uk>”.")
            continue
        email = (match["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"“{email}” in the contacts is not an email address.")
        contacts.append((contact_kind, match["name"][:200], email))
    if problems:
        return problems
    assert parent is not None and kind is not None
    if (_key(parent), name.lower()) in scope.names_under:
        if isinstance(parent, int):
            return [f"“{name}” is already on an earlier row with the same parent."]
        return None
    # Only a new organisation claims its domains: a row already here changes nothing.
    for domain in domains:
        if domain in scope.claimed:
            problems.append(f"The email domain {domain} already belongs to another organisation.")
        elif domain in scope.domain_rows:
            problems.append(f"The email domain {domain} is already on row {scope.domain_rows[domain]}.")
    if domains and not scope.may_claim(parent):
        problems.append("You may not say which email domains belong to organisations here: ask a superuser.")
    if problems:
        return problems
    new = NewOrganisation(number, name, kind, parent, urn, domains, contacts)
    scope.names_under.add((_key(parent), name.lower()))
    scope.add(new)
    return new


def _new(
    organisation: Organisation, content: bytes, file_name: str, outcome: Outcome, by: Any
) -> Iterator[NewOrganisation]:
    found, rows = read_rows(content, file_name, ALIASES)
    if "name" not in found:
        outcome.problems.append(RowProblem(1, "The first row must name the columns; no name column was found."))
        return
    scope, kinds, contact_kinds = Scope(organisation, by), _kinds(), _contact_kinds()
    for number, cells in rows:
        outcome.rows += 1
        result = _row(number, cells, scope, kinds, contact_kinds)
        if isinstance(result, list):
            outcome.problems.extend(RowProblem(number, message) for message in result)
        elif result is None:
            outcome.already += 1
        else:
            yield result


def check(organisation: Organisation, content: bytes, file_name: str, *, by: Any) -> Outcome:
    """The trial run: every row that would fail and why. Changes nothing."""
    outcome = Outcome()
    for new in _new(organisation, content, file_name, outcome, by):
        outcome.domains += len(new.domains)
    return outcome


def run_import(organisation: Organisation, content: bytes, file_name: str, *, by: Any) -> Outcome:
    checked = check(organisation, content, file_name, by=by)
    if checked.problems or not checked.rows:
        return checked
    outcome = Outcome(imported=True)
    made: dict[int, Organisation] = {}  # row number → the organisation made from it
    for batch in batched(_new(organisation, content, file_name, outcome, by), BATCH):
        with transaction.atomic():
            for new in batch:
                parent = new.parent if isinstance(new.parent, Organisation) else made[new.parent]
                created = _create(new, parent, by)
                made[new.row] = created
                outcome.created.append((created, page_for(created, by=by)))
                outcome.domains += len(new.domains)
    if outcome.created:
        with transaction.atomic():
            record(
                organisation_id=organisation.pk,
                action="organisation_import.run",
                actor=by,
                target=organisation,
                after={
                    "file": file_name[:200],
                    "rows": outcome.rows,
                    "created": len(outcome.created),
                    "already": outcome.already,
                },
            )
    return outcome


def _create(new: NewOrganisation, parent: Organisation, by: Any) -> Organisation:
    organisation = Organisation.objects.create(name=new.name, kind=new.kind, parent=parent, nation=parent.nation)
    if new.urn:
        OrganisationUrn.objects.create(organisation=organisation, urn=new.urn)
    record(
        organisation_id=organisation.pk,
        action="organisation.created",
        actor=by,
        target=organisation,
        after={"name": new.name, "kind": new.kind, "parent": parent.name, "urn": new.urn, "email_domains": new.domains},
    )
    for domain in new.domains:
        claimed = SignInDomain.objects.create(organisation=organisation, domain=domain, claimed_by=by)
        record(
            organisation_id=organisation.pk,
            action="sign_in_domain.claimed",
            actor=by,
            target=claimed,
            after={"domain": domain, "entra_tenant_id": ""},
        )
    for kind, name, email in new.contacts:
        contact = Contact.objects.create(organisation=organisation, kind=kind, name=name, email=email)
        record(
            organisation_id=organisation.pk,
            action="contact.added",
            actor=by,
            target=contact,
            after={"kind": kind, "name": name, "email": email},
        )
    return organisation
