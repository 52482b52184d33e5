"""Who may act: one answer, from a person's memberships, for every app that asks.

A role held on an organisation reaches every organisation beneath it, so what a person may
do to something of organisation X comes from the roles they hold on X or any ancestor of X,
plus whether they are the person assigned to it (an incident's investigating officer).
Being assigned counts only while the person holds a role that may be assigned
(`ASSIGNABLE_ROLES`) on the organisation or above: take the role away and the assignment
grants nothing, at once, in every open session (memberships are read afresh each request).

    from organisations.powers import powers
    p = powers(user, incident.organisation, incident.investigator_id)
    if p.can_close: ...

Every app asks this, never the memberships table itself: the lifecycle's steps, the breach
record, evidence, remedial actions, the case file, the confidential reporter's name.

A person's memberships are read once per user object (`memberships_of`, with `leaves_of`) and
kept on it; any change to a membership or an organisation in this process makes every kept copy
stale, so a request's many checks cost one query and never act on roles changed by the request
itself. A user object lives for one request or one job; code that keeps one for longer (another
process may change its memberships) should load the user again.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import HANDLER_ROLES, Membership, Organisation, Role

# Roles whose holders may be assigned an incident to investigate, on its organisation or
# above. The assignment forms offer these people; the assignment grants access only while
# the person still holds one of them.
ASSIGNABLE_ROLES = frozenset({Role.INVESTIGATOR, Role.INCIDENT_MANAGER, Role.SIRO})

# Roles that approve a policy version before it is published (the named role recorded on it).
POLICY_APPROVER_ROLES = frozenset({Role.SIRO, Role.DPO})
# Roles that see a policy's drafts: those who write them (admins) and those who approve them.
POLICY_DRAFT_ROLES = frozenset({Role.ADMIN, *POLICY_APPROVER_ROLES})

# Roles whose holders may search every incident they may open for a person and export what
# they find (subject access requests; "where else does this child appear"): the DPO, the SIRO
# and the incident manager. What they find is still only what `visible_to` lets them open.
FIND_A_PERSON_ROLES = HANDLER_ROLES

# Roles whose holders put incidents on legal hold, review the monthly disposal list and approve
# disposals (docs/retention.md): the incident manager and the DPO.
DISPOSAL_ROLES = frozenset({Role.INCIDENT_MANAGER, Role.DPO})

# Bumped on every membership change in this process: a kept copy from before is not used.
_generation = 0


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=Organisation)  # an organisation added beneath one: no longer a leaf
@receiver(post_delete, sender=Organisation)
def _kept_copies_stale(**kwargs: Any) -> None:
    global _generation
    _generation += 1


def memberships_of(user: Any) -> tuple[tuple[str, str], ...]:
    """(organisation path, role) for each of `user`'s memberships; empty for anyone signed out."""
    return _kept(user)[0]


def leaves_of(user: Any) -> dict[str, int]:
    """Path → id of each organisation where `user` holds a role that has no organisation beneath
    it (a school, mostly): "everything under this path" is then that one id. Read in the same
    query as `memberships_of`.

    Why: asked as `organisation IN (the organisations under '/1/2/27/')`, PostgreSQL cannot know
    the subquery gives one school, estimates a tenth of the table and walks the county's
    `reported_on` index to find a school's rows (at a million incidents, 573,360 rows read for a
    school's count of 1,001: 319 ms). Given the id, it reads the school's own rows (17 ms).
    """
    return _kept(user)[1]


def _kept(user: Any) -> tuple[tuple[tuple[str, str], ...], dict[str, int]]:
    if not getattr(user, "is_authenticated", False):
        return (), {}
    kept = getattr(user, "_memberships_kept", None)
    if kept is not None and kept[0] == _generation:
        return kept[1], kept[2]
    beneath = Organisation.objects.filter(parent=OuterRef("organisation_id"))
    found = list(
        Membership.objects.filter(user=user)
        .annotate(leaf=~Exists(beneath))
        .values_list("organisation__path", "role", "organisation_id", "leaf")
    )
    rows = tuple((path, role) for path, role, _, _ in found)
    leaves = {path: organisation_id for path, _, organisation_id, leaf in found if leaf}
    user._memberships_kept = (_generation, rows, leaves)
    return rows, leaves


def paths_where(user: Any, roles: Any = None) -> set[str]:
    """Paths of the organisations where `user` holds one of `roles` (any role if None)."""
    wanted = None if roles is None else {str(r) for r in roles}
    return {path for path, role in memberships_of(user) if wanted is None or role in wanted}


def may_find_a_person(user: Any) -> bool:
    """Whether `user` may use "find a person": one of FIND_A_PERSON_ROLES anywhere."""
    return bool(paths_where(user, FIND_A_PERSON_ROLES))


def assignment_paths(user: Any) -> set[str]:
    """Paths of the organisations (and so everything beneath them) where `user` may be assigned."""
    return paths_where(user, ASSIGNABLE_ROLES)


@dataclass(frozen=True)
class Powers:
    """What one person may do to one thing of one organisation (an incident, an action, evidence).

    `roles`: the roles they hold on the organisation or above it. `is_assigned`: they are
    the person the thing is assigned to (an incident's investigating officer) and still
    hold one of `ASSIGNABLE_ROLES` there.
    """

    roles: frozenset[str] = field(default_factory=frozenset)
    is_assigned: bool = False
    user_id: int | None = None
    # Outside help to this one thing: "read" or "contribute" (adds evidence) while it lasts.
    outside: str = ""

    # ── Roles ─────────────────────────────────────────────────────────────────────────────
    @property
    def is_manager(self) -> bool:
        return Role.INCIDENT_MANAGER in self.roles

    @property
    def is_siro(self) -> bool:
        return Role.SIRO in self.roles

    @property
    def is_dpo(self) -> bool:
        return Role.DPO in self.roles

    @property
    def is_handler(self) -> bool:
        """Incident manager, SIRO or DPO: they see and handle everything in their branch."""
        return bool(self.roles & HANDLER_ROLES)

    @property
    def is_investigator(self) -> bool:
        return self.is_assigned

    # ── The incident's lifecycle ──────────────────────────────────────────────────────────
    @property
    def is_outside(self) -> bool:
        """Someone from outside the organisation let into this one incident for a while."""
        return bool(self.outside)

    @property
    def can_view(self) -> bool:
        return self.can_handle or self.is_outside

    @property
    def can_handle(self) -> bool:
        """Work on the incident's record (internal notes, messages to the reporter): its
        handlers and its investigator, never outside help."""
        return self.is_handler or self.is_assigned

    # ── Restriction and outside help ──────────────────────────────────────────────────────
    @property
    def can_restrict(self) -> bool:
        """Restrict an incident to named people (a handler is implicated), change the names, lift it."""
        return self.is_dpo or self.is_siro

    @property
    def can_invite_outside_help(self) -> bool:
        """Give a named outside person time-limited access to the incident, and end it."""
        return self.is_manager or self.is_dpo

    @property
    def can_add_evidence(self) -> bool:
        return self.is_handler or self.is_assigned or self.outside == "contribute"

    @property
    def can_triage(self) -> bool:
        return self.is_manager or self.is_siro

    @property
    def can_reclassify(self) -> bool:
        return self.is_handler

    @property
    def can_assign(self) -> bool:
        return self.is_manager or self.is_siro

    @property
    def can_work(self) -> bool:
        """Start the investigation, work the checklist, write and submit the outcome report."""
        return self.is_assigned or self.is_manager or self.is_siro

    @property
    def can_see_restricted(self) -> bool:
        """The disciplinary item's notes and the report's disciplinary outcome."""
        return self.is_handler

    @property
    def can_close(self) -> bool:
        return self.is_manager or self.is_siro

    @property
    def can_reopen(self) -> bool:
        return self.is_handler

    # ── Waves of reports: related incidents, duplicates, tags ────────────────────────────
    @property
    def can_link_incidents(self) -> bool:
        """Say that two incidents are related (each side needs it)."""
        return self.is_handler

    @property
    def can_merge_duplicates(self) -> bool:
        """Close an incident as a duplicate of another, and take duplicates into one: a closure."""
        return self.can_close

    @property
    def can_tag(self) -> bool:
        """File incidents under the organisation's tags, and take them off."""
        return self.is_handler

    @property
    def review_roles(self) -> list[str]:
        """The roles in which this person reviews outcome reports (incident manager, DPO)."""
        return [role for role in (Role.INCIDENT_MANAGER, Role.DPO) if role in self.roles]

    @property
    def can_review(self) -> bool:
        return bool(self.review_roles)

    # ── Reports taken down for someone, facts corrected, the DPO's oversight ─────────────
    @property
    def can_record_on_behalf(self) -> bool:
        """Take down a report made by phone, in person, on paper, by letter or another system."""
        return self.is_handler

    @property
    def can_correct_report(self) -> bool:
        """Correct what a report says (the original and every correction are kept)."""
        return self.is_handler

    @property
    def can_ask_dpo(self) -> bool:
        """Ask the DPO for advice on an incident of any severity."""
        return self.is_handler or self.is_assigned

    @property
    def can_advise(self) -> bool:
        """Record advice given, mark the incident reviewed by the DPO, direct the investigator."""
        return self.is_dpo

    @property
    def can_sign_off_outcome(self) -> bool:
        """Sign off the outcome where the organisation asks the SIRO to (policy 000 §3)."""
        return self.is_siro

    # ── The breach record ─────────────────────────────────────────────────────────────────
    @property
    def can_assess_breach(self) -> bool:
        """Assess, record reports to the ICO and notices to people, produce the documents."""
        return self.is_dpo or self.is_manager

    @property
    def can_decide_breach(self) -> bool:
        return self.is_dpo

    # ── The reporter, evidence, actions, the case file ───────────────────────────────────
    @property
    def can_see_confidential_reporter(self) -> bool:
        return self.is_dpo or self.is_siro

    @property
    def can_decide_identity_requests(self) -> bool:
        return self.is_dpo

    @property
    def can_download_withdrawn_evidence(self) -> bool:
        return self.is_dpo or self.is_siro

    def can_withdraw_evidence(self, uploaded_by_id: int | None) -> bool:
        return self.is_handler or (uploaded_by_id is not None and uploaded_by_id == self.user_id)

    @property
    def can_manage_actions(self) -> bool:
        """Raise, change, cancel and reopen remedial actions."""
        return self.is_handler or self.is_assigned

    def can_complete_action(self, owner_id: int | None) -> bool:
        return self.can_manage_actions or (owner_id is not None and owner_id == self.user_id)

    @property
    def can_record_others_told(self) -> bool:
        """Link the incident to the third party involved, record when they told us or we told the
        controller, and each notice to an outside body (or why one is not needed)."""
        return self.is_handler or self.is_assigned

    @property
    def can_download_case_file(self) -> bool:
        return self.is_handler

    # ── The policy: exceptions, proposed changes, points an incident broke ──────────────────
    @property
    def can_decide_exceptions(self) -> bool:
        """Approve (for a limited time) or refuse a request not to follow a policy point: the
        named officer of policies 000-002, the SIRO or the DPO of the organisation or above (the
        roles that approve a policy's versions)."""
        return bool(self.roles & POLICY_APPROVER_ROLES)

    def can_decide_proposals(self, owner_role: str) -> bool:
        """Accept, reject or defer a proposed change to a policy: its owner (the policy's role)."""
        return owner_role in self.roles

    @property
    def can_record_policy_points(self) -> bool:
        """Record which policy points an incident broke, and name an exception in force on it:
        whoever triages it or writes its outcome report."""
        return self.can_triage or self.can_work

    # ── Webhooks ──────────────────────────────────────────────────────────────────────────
    @property
    def can_manage_webhooks(self) -> bool:
        """Subscribe addresses to the organisation's events, change, pause and remove them: one of
        the organisation's settings."""
        return self.can_change_settings

    @property
    def can_read_report_contents(self) -> bool:
        """Read what every report here says (a handler): needed to send report contents out."""
        return self.is_handler

    # ── The organisation's policies ───────────────────────────────────────────────────────
    @property
    def can_manage_policies(self) -> bool:
        """Draft a policy from the template or from the version in force, change its points,
        publish an approved version: one of the organisation's settings."""
        return self.can_change_settings

    @property
    def can_approve_policies(self) -> bool:
        """Approve a draft version for publishing, in the named role held (SIRO or DPO)."""
        return bool(self.roles & POLICY_APPROVER_ROLES)

    @property
    def approving_role(self) -> str:
        """The role recorded as approving: the SIRO's where the person holds both."""
        return next((str(r) for r in (Role.SIRO, Role.DPO) if r in self.roles), "")

    @property
    def can_see_policy_register(self) -> bool:
        """Who has and has not acknowledged the policies in force: admins and handlers."""
        return self.can_change_settings or self.is_handler

    # ── Lessons, known errors and training (learning) ─────────────────────────────────────
    @property
    def can_raise_known_error(self) -> bool:
        """Raise a known error from an incident, and change it: the handlers'."""
        return self.is_handler

    @property
    def can_record_training(self) -> bool:
        """Enter or import who completed which training: the handlers' (they read it beside reports)."""
        return self.is_handler

    # ── Retention: legal hold, the disposal list, the schedule (docs/retention.md) ─────────
    @property
    def can_hold(self) -> bool:
        """Put an incident on legal hold and lift it: the incident manager or the DPO."""
        return bool(self.roles & DISPOSAL_ROLES)

    @property
    def can_dispose(self) -> bool:
        """See the monthly disposal list, keep an incident past its retention or approve its
        disposal: the incident manager or the DPO of the organisation or above."""
        return bool(self.roles & DISPOSAL_ROLES)

    @property
    def can_change_retention(self) -> bool:
        """Change the retention schedule: the organisation admin (one of its settings) or the DPO."""
        return self.can_change_settings or self.is_dpo

    # ── The organisation itself, its people and organisations beneath it ──────────────────
    @property
    def can_change_settings(self) -> bool:
        """People and roles, role titles, contacts, letterhead, timescales, incident types, tags, the
        checklist, the public report page, informed parties: the organisation admin's."""
        return Role.ADMIN in self.roles

    @property
    def can_manage_people(self) -> bool:
        """Add, import, export and remove people and their roles; see who may have left: one of
        the organisation's settings."""
        return self.can_change_settings

    @property
    def can_add_organisations(self) -> bool:
        """Bring organisations in beneath this one (a county's schools from a list)."""
        return Role.ADMIN in self.roles


def powers(user: Any, organisation: Organisation, assigned_user_id: int | None = None, outside: str = "") -> Powers:
    """What `user` may do to something of `organisation` assigned to `assigned_user_id`;
    `outside` is the mode of their outside help to it, if any (`Incident.powers_of` finds it)."""
    if not getattr(user, "is_authenticated", False):
        return Powers()
    path = organisation.path
    roles = frozenset(role for member_path, role in memberships_of(user) if path.startswith(member_path))
    # Assigned counts only with a current role that may be assigned here (finding 3 of
    # issue 12: a removed investigator kept their access through the assignment alone).
    assigned = assigned_user_id is not None and assigned_user_id == user.pk and bool(roles & ASSIGNABLE_ROLES)
    return Powers(roles=roles, is_assigned=assigned, user_id=user.pk, outside=outside)


# ── Signing in ────────────────────────────────────────────────────────────────────────────
# Roles whose holders must sign in with a second factor (an authenticator app, a passkey or a
# recovery code) as well as their password: everyone who can read incidents' details or change
# who holds which role. Reporters and governance viewers (counts only) sign in with a password.
SECOND_FACTOR_ROLES = frozenset({*HANDLER_ROLES, Role.INVESTIGATOR, Role.ADMIN})


# Apps above add other reasons a person must pass a second factor without a role (outside help
# to an incident: `incidents.apps`), each `check(user) -> bool`.
_second_factor_reasons: list[Any] = []


def add_second_factor_reason(check: Any) -> None:
    if check not in _second_factor_reasons:
        _second_factor_reasons.append(check)


def needs_second_factor(user: Any) -> bool:
    """Whether `user` must pass a second factor: any role in SECOND_FACTOR_ROLES anywhere,
    the Django admin's superuser and staff flags, or a reason an app above registered."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if paths_where(user, SECOND_FACTOR_ROLES):
        return True
    return any(check(user) for check in _second_factor_reasons)


def may_claim_domain(user: Any, organisation: Organisation) -> bool:
    """Whether `user` may say an email domain belongs to `organisation` (and so that everyone
    with an address there joins it): a superuser, or an admin of the organisation's parent or
    above. The organisation's own admin may not claim a domain for it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    parent_path = organisation.path.rstrip("/").rpartition("/")[0] + "/"
    return parent_path != "/" and any(parent_path.startswith(p) for p in paths_where(user, [Role.ADMIN]))
