"""People in bulk: a file of people checked row by row (the trial run), then imported.

    outcome = people.check(organisation, content, "staff.csv", by=admin)   # changes nothing
    outcome = people.run_import(organisation, content, "staff.csv", by=admin)

Columns: name, email, organisation (its name or URN, within the admin's organisation and
beneath it), role (the role's name or this organisation's title for it; blank means
reporter), leaver ("yes" takes away every role the person holds at that organisation).

Importing runs the same checks first and changes nothing if any row fails. Roles are given
through `organisations.grants.give_role`, so DPO, SIRO and admin wait for a second person's
approval exactly as when added one at a time. A new person is emailed an invitation by the
worker, in batches. Importing the same file again changes nothing: no new person, role,
request, event or invitation. Rows are read one at a time and written in batches, each in
its own transaction: an import cut short is finished by importing the file again.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import batched
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from audit.log import record
from organisations import grants
from organisations.models import Membership, Organisation, Role, RoleGrant
from organisations.tasks import INVITATION_BATCH, send_invitations

from .tables import read_rows

BATCH = 500
ALIASES = {
    "name": {"name", "full name"},
    "email": {"email", "email address", "e mail"},
    "organisation": {"organisation", "organization", "school", "organisation name"},
    "urn": {"urn"},
    "role": {"role"},
    "leaver": {"leaver", "left", "has left"},
}
YES = {"yes", "y", "true", "1", "left"}
NO = {"", "no", "n", "false", "0"}


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class Person:
    row: int
    name: str
    email: str
    organisation: Organisation
    role: str
    leaver: bool


@dataclass
class Outcome:
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False
    people_added: int = 0
    roles_given: int = 0
    roles_waiting: int = 0
    roles_revoked: int = 0
    leavers: list[int] = field(default_factory=list)  # ids of people whose roles were taken away

    @property
    def changed(self) -> bool:
        return bool(self.people_added or self.roles_given or self.roles_waiting or self.roles_revoked)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "people_added": self.people_added,
            "roles_given": self.roles_given,
            "roles_waiting": self.roles_waiting,
            "roles_revoked": self.roles_revoked,
        }


class Scope:
    """The organisations an import may name: the admin's organisation and everything beneath it."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.by_urn: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for org in organisation.descendants().select_related("urn_record"):
            urn = getattr(getattr(org, "urn_record", None), "urn", None)
            if urn:
                self.by_urn[urn] = org
            self.by_name.setdefault(org.name.strip().lower(), []).append(org)
        titles = organisation.role_titles()
        self.roles: dict[str, str] = {}
        for role in Role:
            for word in (role.value, str(role.label), role.value.replace("_", " "), titles[role.value]):
                self.roles[word.strip().lower()] = role.value

    def find(self, name: str, urn: str) -> tuple[Organisation | None, str]:
        """The organisation a row names, or None and why not (in plain words)."""
        within = self.organisation.name
        if urn:
            if urn in self.by_urn:
                return self.by_urn[urn], ""
            return None, f"No organisation with URN {urn} at {within} or beneath it."
        if not name:
            return None, "The organisation is missing: give its name or its URN."
        if name in self.by_urn:  # a URN typed in the organisation column
            return self.by_urn[name], ""
        found = self.by_name.get(name.lower(), [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"More than one organisation is called “{name}”: give its URN instead."
        return None, f"There is no organisation called “{name}” at {within} or beneath it."


def _person(number: int, cells: dict[str, str], scope: Scope, by: Any) -> Person | list[RowProblem]:
    problems = []
    email = cells.get("email", "").lower()
    if not email:
        problems.append("The email address is missing.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"“{email}” is not an email address.")
    name = cells.get("name", "")
    if len(name) > 200:
        problems.append("The name is longer than 200 characters.")
    organisation, why = scope.find(cells.get("organisation", ""), cells.get("urn", ""))
    if organisation is None:
        problems.append(why)
    leaver_text = cells.get("leaver", "").lower()
    if leaver_text not in YES | NO:
        problems.append(f"Leaver must be “yes” or left blank, not “{cells.get('leaver')}”.")
    leaver = leaver_text in YES
    role_text = cells.get("role", "").strip().lower()
    role = scope.roles.get(role_text) if role_text else Role.REPORTER.value
    if role is None and not leaver:
        problems.append(f"“{cells.get('role')}” is not a role here. Use one of: {', '.join(r.label for r in Role)}.")
    if leaver and email and email == getattr(by, "email", "").lower():
        problems.append("You cannot take away your own roles. Ask another admin.")
    if problems:
        return [RowProblem(number, message) for message in problems]
    assert organisation is not None
    return Person(number, name, email, organisation, role or Role.REPORTER.value, leaver)


def _people(organisation: Organisation, content: bytes, file_name: str, by: Any, outcome: Outcome) -> Iterator[Person]:
    found, rows = read_rows(content, file_name, ALIASES)
    missing = [
        label for label, keys in (("email", {"email"}), ("organisation", {"organisation", "urn"})) if not found & keys
    ]
    if missing:
        outcome.problems.append(
            RowProblem(1, f"The first row must name the columns; no {' or '.join(missing)} column was found.")
        )
        return
    scope = Scope(organisation)
    for number, cells in rows:
        outcome.rows += 1
        person = _person(number, cells, scope, by)
        if isinstance(person, list):
            outcome.problems.extend(person)
        else:
            yield person


def check(organisation: Organisation, content: bytes, file_name: str, *, by: Any) -> Outcome:
    """The trial run: every row that would fail and why. Changes nothing."""
    outcome = Outcome()
    for _ in _people(organisation, content, file_name, by, outcome):
        pass
    return outcome


def run_import(organisation: Organisation, content: bytes, file_name: str, *, by: Any) -> Outcome:
    """Check the whole file; if every row passes, import it (see the module's docstring)."""
    checked = check(organisation, content, file_name, by=by)
    if checked.problems or not checked.rows:
        return checked
    outcome = Outcome(imported=True)
    for batch in batched(_people(organisation, content, file_name, by, outcome), BATCH):
        with transaction.atomic():
            _import_batch(batch, by, outcome)
    if outcome.changed:
        with transaction.atomic():
            record(
                organisation_id=organisation.pk,
                action="people_import.run",
                actor=by,
                target=organisation,
                after={"file": file_name[:200], **outcome.counts()},
            )
    return outcome


def _import_batch(batch: tuple[Person, ...], by: Any, outcome: Outcome) -> None:
    User = get_user_model()
    users = {u.email: u for u in User.objects.filter(email__in={p.email for p in batch})}
    held = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "organisation_id", "role"))
    waiting = set(
        RoleGrant.objects.filter(user__in=users.values(), state=RoleGrant.State.PENDING).values_list(
            "user_id", "organisation_id", "role"
        )
    )
    invitations: list[list[int]] = []
    for person in batch:
        user = users.get(person.email)
        org = person.organisation
        if person.leaver:
            if user is not None and any(u == user.pk and o == org.pk for u, o, _ in held):
                _revoke(user, org, by, outcome)
                held = {key for key in held if key[:2] != (user.pk, org.pk)}
            continue
        if user is None:
            user = User(email=person.email, full_name=person.name)
            user.set_unusable_password()
            user.save()
            users[person.email] = user
            record(
                organisation_id=org.pk,
                action="person.added",
                actor=by,
                target=user,
                after={"email": user.email, "name": user.full_name},
            )
            outcome.people_added += 1
            invitations.append([user.pk, org.pk])
        key = (user.pk, org.pk, person.role)
        if key in held or key in waiting:
            continue
        given, added = grants.give_role(user=user, organisation=org, role=person.role, by=by)
        if isinstance(given, RoleGrant):
            waiting.add(key)
            outcome.roles_waiting += added
        else:
            held.add(key)
            outcome.roles_given += added
    for chunk in batched(invitations, INVITATION_BATCH):
        transaction.on_commit(partial(send_invitations.enqueue, list(chunk)))


def _revoke(user: Any, organisation: Organisation, by: Any, outcome: Outcome) -> None:
    """A leaver: every role they hold at `organisation` goes at once, each with its event."""
    for membership in Membership.objects.filter(user=user, organisation=organisation).order_by("role"):
        record(
            organisation_id=organisation.pk,
            action="membership.removed",
            actor=by,
            target=membership,
            before={"user": user.email, "role": membership.role},
            reason="A leaver in an imported file",
        )
        membership.delete()
        outcome.roles_revoked += 1
    outcome.leavers.append(user.pk)


# ── Export ────────────────────────────────────────────────────────────────────────────────
EXPORT_HEADER = ["Name", "Email", "Organisation", "URN", "Role", "Leaver", "Last sign-in"]


def export_rows(organisation: Organisation) -> Iterator[list[Any]]:
    """Everyone with a role at `organisation` or beneath it, one row per role: a file that imports back."""
    memberships = (
        Membership.objects.filter(organisation__path__startswith=organisation.path)
        .select_related("user", "organisation", "organisation__urn_record")
        .order_by("organisation__path", "user__email", "role")
    )
    labels = dict(Role.choices)
    for m in memberships.iterator(chunk_size=2000):
        urn = getattr(getattr(m.organisation, "urn_record", None), "urn", "")
        last = m.user.last_login.strftime("%Y-%m-%d") if m.user.last_login else "never"
        yield [m.user.full_name, m.user.email, m.organisation.name, urn, labels[m.role], "", last]
