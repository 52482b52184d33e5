"""The incident: what was reported, and where it stands from report to closure.

States: reported → triaged → investigating → outcome submitted → closed; or closed as
not an incident straight from triage; a closed incident can be reopened to investigating.
Each transition is a step of `incidents.lifecycle` (`lifecycle.triage(incident, by=...)`),
which checks who may take it and from which state.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q

from audit.sealing import SealedCharField, SealedModel, SealedTextField, new_wrapped_key
from core.database import AmongFew
from core.exceptions import StepRefused
from organisations.models import HANDLER_ROLES, Organisation, Role
from organisations.powers import Powers, assignment_paths, leaves_of, paths_where, powers


class IncidentQuerySet(models.QuerySet["Incident"]):
    def visible_to(self, user: Any) -> "IncidentQuerySet":
        """Deny by default: the incidents `user` may open. The one rule of who may see.

        Handlers (incident manager, SIRO, DPO) see every incident on and under the nodes
        where they hold the role; an investigating officer sees those assigned to them while
        they hold a role that may be assigned (`powers.ASSIGNABLE_ROLES`) on the incident's
        organisation or above: removing the role removes the access at once.
        A restricted incident (`restricted_on`) is open only to those of them it names
        (`NamedPerson`); outside help (`OutsideAccess`) opens one incident to one outside
        person until its end date, checked here at request time.
        Governance viewers and admins see none here. A reporter follows their own reports
        through the reporter's pages (`reporting`), which show what a reporter may see.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(self._visible(user))

    def _visible(self, user: Any, incident: str = "pk") -> Q:
        """`visible_to`'s condition on the incident's own row (for an authenticated `user`);
        `incident` names the incident's id where the condition is joined (`visible_through`).

        Outside help is asked in the form that lets the database walk the right index: EXISTS for
        someone who sees from the top of a tree (`seen_from_a_root`; an OR of two indexable
        conditions made SQLite gather a county's 100,000 incidents and sort them all, 150 ms a
        list), `id IN (…)` for a school or a trust, whose own rows are read first (docs/lists.md,
        "At scale"). So is a restriction (docs/lists.md, "Which index is walked").
        """
        from .restriction import NamedPerson, OutsideAccess

        reach = self._reach(user)
        current = OutsideAccess.objects.current().filter(person=user.pk)
        if self.seen_from_a_root(user):
            outside = Q(Exists(current.filter(incident_id=OuterRef(incident))))
        else:
            # Few (usually none): `id = ANY(ARRAY(…))` on PostgreSQL, joined to a school's own rows
            # by a BitmapOr (docs/lists.md, "Which index is walked").
            outside = Q(AmongFew(F(incident), current.values("incident_id")))
        if reach is None:
            return outside
        named = NamedPerson.objects.filter(person=user.pk).values("incident_id")
        if connection.vendor == "postgresql":  # its reported_on index carries restricted_on (0023)
            return (reach & (Q(restricted_on__isnull=True) | Q(pk__in=named))) | outside
        # SQLite's indexes don't: the few restricted ids that don't name them (a partial index).
        kept_from = Incident.objects.filter(restricted_on__isnull=False).exclude(pk__in=named).values("pk")
        return (reach & ~Q(pk__in=kept_from)) | outside

    def restricted_from(self, user: Any) -> "IncidentQuerySet":
        """The "exists" placeholder: restricted incidents `user` may not open, for lists and counts.

        Read only `reference` and `status` (and the organisation, to scope a count) from these:
        that a restricted incident exists is all anyone not named may know of it. The condition
        is `visible_to`'s own, negated on the same row: a subquery of every visible incident
        would be read whole on each request (a county DPO's is the whole table).
        """
        # Asked through the partial index of restricted incidents (few), by id: asked as a plain
        # condition beside the reach, SQLite reads the whole reach through the organisation
        # index to find none (150 ms for a county of 100,000 on every list).
        few = Incident.objects.filter(restricted_on__isnull=False).values("pk")
        restricted = self.filter(restricted_on__isnull=False, pk__in=few)
        if getattr(user, "is_authenticated", False):
            restricted = restricted.exclude(self._visible(user))
        return restricted.only("uuid", "reference", "status", "organisation_id")

    def restricted_in_reach(self, user: Any) -> "IncidentQuerySet":
        """`restricted_from` among the incidents `user` would see but for the restriction (lists)."""
        reach = self._reach(user)
        return self.none() if reach is None else self.filter(reach).restricted_from(user)

    def unrestricted(self) -> "IncidentQuerySet":
        """For counts shown to people who never see incidents (governance viewers): restricted
        incidents are counted only as such (`restricted_from`), never in a breakdown."""
        return self.filter(restricted_on__isnull=True)

    def seen_from_a_root(self, user: Any) -> bool:
        """Whether `user`'s reach starts at the top of a tree (a county, or a trust or school
        running on its own): their incidents are then most of the table, and a query walks the
        table's own order; otherwise it reads their organisations' rows first. No query."""
        return any(path.count("/") == 2 for path in reach_paths(user))  # "/1/": a root

    def reach_organisations(self, user: Any) -> "models.QuerySet[Organisation]":
        """The organisations whose incidents `visible_to` may show `user` through a role (a
        subquery of their paths: a superset, as restrictions and assignment still apply; outside
        help is apart). A table that keeps its own organisation then reads a school's rows
        through its index."""
        return Organisation.objects.under_paths(reach_paths(user)).values("pk")  # type: ignore[return-value]

    def _reach(self, user: Any) -> Q | None:
        paths = paths_where(user, HANDLER_ROLES)
        # Where they already see everything as a handler, being assigned adds nothing: left out,
        # the condition is one `organisation IN (…)`, which both engines read through its index.
        assignable = {a for a in assignment_paths(user) if not any(a.startswith(p) for p in paths)}
        if not paths and not assignable:
            return None
        condition = Q(pk__in=[])
        if assignable:
            condition |= Q(investigator=user) & _under(user, assignable)
        if paths:
            condition |= _under(user, paths)
        return condition

    def reported_by_person(self, user: Any) -> "IncidentQuerySet":
        """The incidents `user` reported: their own reports, and those their reports were merged into.

        A reporter of a duplicate is kept as a reporter of the incident it was closed into
        (`KeptReporter`): they follow it in "My reports" and may add to it. Those a restriction
        leaves them out of are not among them (in `restricted_from`: reference and status).
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        # One set of ids (a UNION), each half through its own index: as an OR of the two,
        # PostgreSQL walked every incident newest first testing both (30 ms at 100,000
        # incidents, 1.6 s of everyone's home page at 1,000,000).
        theirs = (
            Incident.objects.filter(reported_by=user.pk)
            .order_by()
            .values("pk")
            .union(KeptReporter.objects.filter(person=user.pk).order_by().values("incident"))
        )
        return self.filter(pk__in=theirs).exclude(pk__in=Incident.objects.restricted_from(user).values("pk"))


def reach_paths(user: Any) -> set[str]:
    """The paths under which `user`'s roles let them see incidents (`_reach`'s, as one set)."""
    return set(paths_where(user, HANDLER_ROLES)) | set(assignment_paths(user))


def _under(user: Any, paths: set[str]) -> Q:
    """On Incident: of an organisation under one of `paths`; one with none beneath it named by
    its id (`leaves_of`: the planner then knows how few its rows are), the others a subquery."""
    leaves = leaves_of(user)
    others = [path for path in sorted(paths) if path not in leaves]
    condition = Q(organisation_id__in=sorted(leaves[path] for path in paths if path in leaves))
    if others:
        condition |= Q(organisation__in=Organisation.objects.under_paths(others))
    return condition


def visible_through(user: Any, path: str) -> Q:
    """`visible_to` as a condition on a row that reaches its incident through `path` ("incident").

    The same rule, joined rather than asked as `incident__in=<every visible incident>`: such a
    subquery is read whole on every request (for a county DPO, the whole table), where the join
    reads only the incidents of the rows the query keeps.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return _prefixed(Incident.objects.all()._visible(user, incident=path), path)


def _prefixed(condition: Q, path: str) -> Q:
    """`condition` with each lookup moved along `path` (`organisation__in` → `incident__organisation__in`)."""
    moved = Q()
    moved.connector, moved.negated = condition.connector, condition.negated
    moved.children = [
        _prefixed(child, path)
        if isinstance(child, Q)
        else (f"{path}__{child[0]}", child[1])
        if isinstance(child, tuple)
        else child  # an expression (EXISTS) already names its incident
        for child in condition.children
    ]
    return moved


class IncidentChildQuerySet(models.QuerySet[Any]):
    """For anything that belongs to an incident: visible exactly when its incident is.

    `incident_path` is the lookup from the model to its incident (`"incident"`, or
    `"assessment__incident"` for a record one step further away).
    """

    incident_path = "incident"

    def visible_to(self, user: Any) -> "IncidentChildQuerySet":
        return self.filter(visible_through(user, self.incident_path))


def child_queryset(incident_path: str) -> type[IncidentChildQuerySet]:
    """A queryset class for a model whose incident is reached through `incident_path`."""
    return type("IncidentChildQuerySet", (IncidentChildQuerySet,), {"incident_path": incident_path})


class IncidentType(models.Model):
    """A kind of incident ("Email sent to the wrong recipient"), in an organisation-editable list.

    Types with no organisation are the built-in list every organisation starts with; an
    organisation's own types apply to it and every organisation beneath it.
    """

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="incident_types"
    )
    name = models.CharField(max_length=150)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_type_name_per_org"),
            # NULLs are distinct in a unique index, so the constraint above lets built-ins
            # (no organisation) repeat. `nulls_distinct=False` would say it, but Django creates
            # it only on PostgreSQL 15+ and silently skips it on SQLite; a partial unique
            # index works on both.
            models.UniqueConstraint(
                fields=["name"], condition=Q(organisation__isnull=True), name="one_builtin_type_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    """How a report reached the organisation: the one list every way in shares.

    The staff form and the public page are `WEB`; a handler recording a report on someone's
    behalf picks one of the others (`intake.behalf`); mail intake uses `EMAIL`; the API `SYSTEM`.
    """

    WEB = "web", "Report form"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    PAPER = "paper", "Paper form"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    SYSTEM = "system", "Another system"


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    TRIAGED = "triaged", "Triaged"
    INVESTIGATING = "investigating", "Investigating"
    OUTCOME_SUBMITTED = "outcome_submitted", "Outcome submitted"
    CLOSED = "closed", "Closed"
    CLOSED_NOT_INCIDENT = "closed_not_incident", "Closed: not an incident"
    # Merged into another incident (`duplicate_of`): its evidence and reporters followed it.
    CLOSED_DUPLICATE = "closed_duplicate", "Closed: duplicate"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MODERATE = "moderate", "Moderate"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


# Still being handled; and serious: what the SIRO and the DPO oversee ("Major and critical"), what is
# triaged urgently, what the DPO reviews too, and where "record only" at the ICO decision needs a
# reason. Here, before the model, so that its indexes can name them; asked as `Incident.OPEN_STATUSES`
# and `Incident.SERIOUS_SEVERITIES`.
OPEN_STATUSES = (Status.REPORTED, Status.TRIAGED, Status.INVESTIGATING, Status.OUTCOME_SUBMITTED)
SERIOUS_SEVERITIES = (Severity.MAJOR, Severity.CRITICAL)


class ReporterRelationship(models.TextChoices):
    """How a reporter without an account is connected to the organisation: asked on the public
    page when they give their name, and (optionally) by a handler taking a report down for them."""

    PARENT = "parent", "Parent or carer"
    SUPPLIER = "supplier", "Supplier or contractor"
    PUPIL = "pupil", "Pupil or student"
    PUBLIC = "public", "Member of the public"
    OTHER = "other", "Other"


class Incident(SealedModel):
    """An information-security incident or personal-data breach, from report to closure."""

    Channel = Channel

    Status = Status

    class YesNoNotSure(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    class Nature(models.TextChoices):
        EVENT = "event", "Event"
        WEAKNESS = "weakness", "Weakness"
        INCIDENT = "incident", "Incident"
        UNKNOWN = "unknown", "Unknown"

    class BreachStatus(models.TextChoices):
        NEAR_MISS = "near_miss", "Near miss"
        POTENTIAL = "potential", "Potential breach"
        CONFIRMED = "confirmed", "Confirmed breach"

    class PersonalDataBreach(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not yet known"

    class BreachType(models.TextChoices):
        CONFIDENTIALITY = "confidentiality", "Confidentiality"
        INTEGRITY = "integrity", "Integrity"
        AVAILABILITY = "availability", "Availability"

    Severity = Severity

    class IcoDecision(models.TextChoices):
        RECORD_ONLY = "record_only", "Record only: unlikely to result in a risk to individuals"
        REPORT = "report", "Report to the ICO"
        REPORT_AND_TELL = "report_and_tell", "Report to the ICO and tell the individuals"

    OPEN_STATUSES = OPEN_STATUSES
    CLOSED_STATUSES = (Status.CLOSED, Status.CLOSED_NOT_INCIDENT, Status.CLOSED_DUPLICATE)
    SERIOUS_SEVERITIES = SERIOUS_SEVERITIES
    # The ICO is told within 72 clock hours of awareness (UK GDPR Art. 33(1)): the law, not a
    # setting. The deadlines app's clock and the bodies-told checklist both count it from here.
    ICO_HOURS = 72
    # Led by the SIRO: the SIRO undertakes the investigation or delegates it with a reason, and
    # decides afresh each time the incident becomes it (`siro_leads`).
    SIRO_LED_SEVERITY = Severity.CRITICAL

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # This incident's data key, wrapped by the current master key; "" once destroyed at
    # disposal, which makes every sealed copy of its content unreadable (audit/sealing.py).
    content_key = models.TextField(null=True, default=new_wrapped_key, editable=False)
    reference = models.CharField(max_length=20, unique=True, null=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.REPORTED, db_index=True)

    # What the reporter told us. Only the description is required.
    description = SealedTextField("what happened")
    occurred_on = models.DateTimeField("when it happened", null=True, blank=True)
    discovered_on = models.DateTimeField("when it was discovered", null=True, blank=True)
    location = SealedCharField("where it happened", max_length=300, blank=True)
    information_involved = SealedTextField("what information or equipment is involved", blank=True)
    personal_data = models.CharField(
        "is personal data involved", max_length=10, choices=YesNoNotSure.choices, blank=True
    )
    data_subjects = SealedCharField("whose data", max_length=300, blank=True)
    people_affected = models.PositiveIntegerField("roughly how many people", null=True, blank=True)
    records_affected = models.PositiveIntegerField("roughly how many records", null=True, blank=True)
    people_involved = SealedTextField("people involved", blank=True)
    action_taken = SealedTextField("action already taken", blank=True)
    symptoms = SealedTextField("on-screen symptoms or error messages", blank=True)
    service_affected = models.CharField(
        "is a service affected", max_length=10, choices=YesNoNotSure.choices, blank=True
    )
    service_name = models.CharField("which service", max_length=200, blank=True)

    reported_on = models.DateTimeField("when it was reported")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reported_incidents"
    )
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investigations",
        verbose_name="investigating officer",
    )
    # How the reporter asked to be treated. Anonymous: no account, no name, no link to a
    # session (reported_by is empty). Confidential: named, but only the DPO and SIRO see who.
    reporter_anonymous = models.BooleanField("reported anonymously", default=False)
    reporter_confidential = models.BooleanField("reporter's name kept confidential", default=False)
    # How the report came in, and who reported it when they have no account (the one home for
    # it): a report taken down by a handler on someone's behalf (with who took it down), a
    # report by email, or the public page's "give your name". Shown through `reporter_display`
    # and `reporter_contact_for`, so a confidential reporter stays with the DPO and SIRO.
    channel = models.CharField("how it was reported", max_length=20, choices=Channel.choices, default=Channel.WEB)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="recorded on the reporter's behalf by",
    )
    reporter_name = SealedCharField("reporter's name", max_length=200, blank=True)
    reporter_contact = SealedCharField("how to contact the reporter", max_length=300, blank=True)
    reporter_relationship = models.CharField(
        "how the reporter is connected to the organisation",
        max_length=20,
        choices=ReporterRelationship.choices,
        blank=True,
    )

    # Triage: the classification (every version is also kept as an event and in the history).
    nature = models.CharField(max_length=20, choices=Nature.choices, blank=True)
    breach_status = models.CharField(max_length=20, choices=BreachStatus.choices, blank=True)
    personal_data_breach = models.CharField(max_length=20, choices=PersonalDataBreach.choices, blank=True)
    breach_types = models.JSONField("breach type", default=list, blank=True)  # values of BreachType
    incident_type = models.ForeignKey(
        IncidentType, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    # Not indexed: four values over seven years, and with the sampled statistics SQLite keeps
    # (core/statistics.py) it chose that index for "Major and critical", reading every serious
    # incident ever reported to find the few open ones (35 ms at 100,000; 4 ms through
    # `incident_org_status_idx`). A filter by severity reads a list's own index.
    severity = models.CharField(max_length=20, choices=Severity.choices, blank=True)
    # Awareness: when there was reasonable certainty that personal data was compromised.
    # The 72-hour ICO clock runs from here (clock hours).
    aware_on = models.DateTimeField("when the organisation became aware", null=True, blank=True)
    triaged_on = models.DateTimeField("when it was triaged", null=True, blank=True)
    outcome_submitted_on = models.DateTimeField("when the outcome report was submitted", null=True, blank=True)
    closed_on = models.DateTimeField("when it was closed", null=True, blank=True, db_index=True)

    # The decision on telling the ICO and the individuals (UK GDPR Art. 33-34).
    ico_decision = models.CharField("ICO decision", max_length=20, choices=IcoDecision.choices, blank=True)
    ico_decision_reason = SealedTextField("reason for the ICO decision", blank=True)
    ico_decision_on = models.DateTimeField("when the ICO decision was made", null=True, blank=True)
    ico_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="ICO decision made by",
    )
    ico_reported_on = models.DateTimeField("reported to the ICO on", null=True, blank=True)
    ico_reference = models.CharField("ICO case reference", max_length=60, blank=True)
    individuals_told_on = models.DateTimeField("when the people affected were told", null=True, blank=True)

    # Restricted (a handler is implicated): open only to the people named (`NamedPerson`).
    restricted_on = models.DateTimeField("when it was restricted", null=True, blank=True)
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="who restricted it",
    )
    restriction_reason = SealedTextField("why it is restricted", blank=True)
    # Closed as a duplicate of this one (`lifecycle.merge`); shown both ways on the incident page.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", editable=False
    )

    # Incidents brought in from an old breach log (spreadsheet import).
    imported_from = models.CharField("imported from an older log", max_length=300, blank=True)

    # Legal hold (decision 0038, `retention.holds`): while held, the retention clock is stopped
    # and the incident is never drafted for disposal. Set and lifted with a reason, each an event.
    legal_hold_on = models.DateTimeField("on legal hold since", null=True, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="put on legal hold by",
    )
    legal_hold_reason = SealedTextField("why it is on legal hold", blank=True)
    # Disposed of at the end of its retention (`retention.disposal`): its content is gone, what
    # statistics need (reference, type, severity, dates, status, ICO decision) stays; never changed again.
    disposed_on = models.DateTimeField("disposed of on", null=True, blank=True, editable=False)
    disposal_rule = models.CharField("retention rule applied", max_length=200, blank=True, editable=False)

    # The id of the form the report came from: a second submission of the same form finds this one.
    submission_key = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    updated_on = models.DateTimeField("last changed", auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-id"]
        # One for each list's sort and filter (docs/lists.md "At scale"): every list is newest or
        # oldest first by (reported_on, id), over everything (a county DPO), one organisation's
        # incidents (a school; a trust's schools one by one), or one status (the triage queue);
        # restricted incidents are few, and found without reading the rest.
        indexes = [
            models.Index(fields=["organisation", "status", "reported_on"], name="incident_org_status_idx"),
            models.Index(fields=["reported_on", "id"], name="incident_reported_idx"),
            models.Index(fields=["organisation", "reported_on", "id"], name="incident_org_reported_idx"),
            models.Index(fields=["status", "reported_on", "id"], name="incident_status_reported_idx"),
            models.Index(
                fields=["restricted_on"], condition=Q(restricted_on__isnull=False), name="incident_restricted_idx"
            ),
            # The open major and critical incidents, oldest first (the SIRO's and the DPO's home and
            # "Major and critical"): the few still open, not every serious one of the years. PostgreSQL
            # reads it (a million incidents: 2,768 rows instead of 19,511 open ones); SQLite, with its
            # sampled statistics, reads the open incidents by organisation and status.
            models.Index(
                fields=["reported_on", "id"],
                condition=Q(status__in=OPEN_STATUSES, severity__in=SERIOUS_SEVERITIES),
                name="incident_open_serious_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Incident {self.pk}"

    @property
    def is_imported(self) -> bool:
        return bool(self.imported_from)

    def reporter_display(self, viewer: Any) -> str:
        """Who reported this, as `viewer` may see it.

        Anonymous reports show "Anonymous reporter" to everyone. A confidential reporter's
        name is shown only to the DPO and the SIRO of the incident's organisation (or above);
        everyone else, in pages, PDFs, exports and emails, sees "Confidential reporter".
        """
        if self.reporter_anonymous:
            return "Anonymous reporter"
        name = self.reporter_name
        if self.reported_by is not None:
            name = self.reported_by.full_name or self.reported_by.email
        if not name:
            return "Not recorded"
        if self.reporter_confidential and not self.powers_of(viewer).can_see_confidential_reporter:
            return "Confidential reporter"
        return name

    @property
    def has_named_reporter(self) -> bool:
        """Someone is named as the reporter: an account, or a name a handler took down for them."""
        return not self.reporter_anonymous and (self.reported_by_id is not None or bool(self.reporter_name))

    def reporter_contact_for(self, viewer: Any) -> str:
        """How to reach a reporter taken down by a handler, to whoever may see their name."""
        if not self.reporter_contact or self.reporter_anonymous:
            return ""
        if self.reporter_confidential and not self.powers_of(viewer).can_see_confidential_reporter:
            return ""
        return self.reporter_contact

    def reporter_standing(self, person: Any) -> str:
        """How `person` reported this incident: "named", "confidential", or "" if they did not.

        The incident's own reporter, or a reporter of a duplicate merged into it (`KeptReporter`).
        An anonymous report has no reporter to find.
        """
        if not getattr(person, "is_authenticated", False) or self.reporter_anonymous:
            return ""
        if self.reported_by_id == person.pk:
            return "confidential" if self.reporter_confidential else "named"
        kept = KeptReporter.objects.filter(incident=self, person=person.pk).order_by("confidential")
        flags = list(kept.values_list("confidential", flat=True)[:1])
        if not flags:
            return ""
        return "confidential" if flags[0] else "named"

    def reporter_named_for(self, viewer: Any) -> Any:
        """The reporter's account, when `viewer` may know who they are (as `reporter_display`); else None."""
        if self.reporter_anonymous or self.reported_by is None:
            return None
        if self.reporter_confidential and not self.powers_of(viewer).can_see_confidential_reporter:
            return None
        return self.reported_by

    def reporter_relationship_for(self, viewer: Any) -> str:
        """How the reporter is connected to the organisation ("Parent or carer"), to whoever may
        see their name; "" when it was not given."""
        if not self.reporter_relationship or self.reporter_anonymous:
            return ""
        if self.reporter_confidential and not self.powers_of(viewer).can_see_confidential_reporter:
            return ""
        return self.get_reporter_relationship_display()

    def powers_of(self, user: Any) -> Powers:
        """What `user` may do to this incident (`organisations.powers`: roles here or above,
        assigned, or outside help to this incident while it lasts)."""
        found = powers(user, self.organisation, self.investigator_id)
        if found.roles or not getattr(user, "is_authenticated", False):
            return found
        from .restriction import OutsideAccess

        mode = OutsideAccess.objects.current().filter(incident=self.pk, person=user.pk).values_list("mode", flat=True)
        return powers(user, self.organisation, self.investigator_id, outside=next(iter(mode), ""))

    @property
    def is_restricted(self) -> bool:
        return self.restricted_on is not None

    @property
    def siro_leads(self) -> bool:
        """Whether the SIRO undertakes this investigation or delegates it (a critical incident)."""
        return self.severity == self.SIRO_LED_SEVERITY

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    STATUS_EXPLANATIONS = {
        Status.REPORTED: "Your report has been received. Someone will look at it soon.",
        Status.TRIAGED: "Your report has been looked at and is being dealt with.",
        Status.INVESTIGATING: "The incident is being investigated.",
        Status.OUTCOME_SUBMITTED: "The investigation is finished and its findings are being reviewed.",
        Status.CLOSED: "The incident has been dealt with and closed. Thank you for reporting it.",
        Status.CLOSED_NOT_INCIDENT: (
            "This was looked at and found not to be a security incident. Thank you for reporting it."
        ),
        Status.CLOSED_DUPLICATE: (
            "Other people reported the same thing, so all the reports are now dealt with together as one "
            "incident. Thank you for reporting it."
        ),
    }

    @property
    def is_held(self) -> bool:
        return self.legal_hold_on is not None

    @property
    def is_disposed(self) -> bool:
        return self.disposed_on is not None

    DISPOSED_REFUSAL = "This incident was disposed of at the end of its retention: it cannot be changed."

    def refuse_if_disposed(self) -> None:
        """Every writer of an incident's content asks this first (the steps through their table)."""
        if self.disposed_on is not None:
            raise StepRefused(self.DISPOSED_REFUSAL)

    @property
    def status_explanation(self) -> str:
        """What the status means, in words for the reporter."""
        return self.STATUS_EXPLANATIONS[self.Status(self.status)]

    @staticmethod
    def make_reference(pk: int, year: int) -> str:
        return f"INC-{year}-{pk:05d}"

    # Fields a report carries, in the order the form and the detail page show them.
    REPORT_FIELDS = (
        "description",
        "occurred_on",
        "discovered_on",
        "location",
        "information_involved",
        "personal_data",
        "data_subjects",
        "people_affected",
        "records_affected",
        "people_involved",
        "action_taken",
        "symptoms",
        "service_affected",
        "service_name",
    )


class KeptReporter(models.Model):
    """A reporter of a duplicate, kept as a reporter of the incident it was merged into.

    Written by the merge (`lifecycle.merge`). `confidential` carries the duplicate's choice:
    a confidential reporter stays confidential on the incident they are kept on.
    """

    incident = models.ForeignKey("Incident", on_delete=models.CASCADE, related_name="kept_reporters")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kept_reports")
    duplicate = models.ForeignKey("Incident", on_delete=models.PROTECT, related_name="+")
    confidential = models.BooleanField(default=False)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "person", "duplicate"], name="one_kept_reporter_per_duplicate")
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.incident}"


class ReporterMessage(SealedModel):
    """A message between the incident's handlers and its reporter (named or by receipt).

    Shown to the reporter on their report page (named) or the receipt page (anonymous);
    every message is also an event on the incident's record.
    """

    class Direction(models.TextChoices):
        TO_REPORTER = "to_reporter", "To the reporter"
        FROM_REPORTER = "from_reporter", "From the reporter"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reporter_messages")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    body = SealedTextField(key_from="incident")
    # The staff member who wrote a message to the reporter; empty for the reporter's own
    # messages (an anonymous reporter is never linked to an account).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateTimeField()
    read_on = models.DateTimeField(null=True, blank=True)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["sent_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} on {self.incident}"


__all__ = [
    "Channel",
    "Incident",
    "IncidentChildQuerySet",
    "IncidentQuerySet",
    "IncidentType",
    "KeptReporter",
    "ReporterMessage",
    "Role",
    "child_queryset",
    "report_incident",
    "visible_through",
]


def report_incident(
    *,
    organisation: Organisation,
    reported_by: Any,
    submission_key: uuid.UUID | None,
    fields: dict[str, Any],
    reported_on: Any = None,
    channel: str = Channel.WEB,
    recorded_by: Any = None,
    reporter: dict[str, str] | None = None,
) -> tuple[Incident, bool]:
    """Store a new report (status Reported) with its reference and first event, in one transaction.

    `channel` says how it came in (`Channel`); the event carries it. `recorded_by`: the handler
    who took the report down for someone (the event's actor, then). `reporter`: who reported it
    when they have no account and gave themselves openly (`name`, `contact`, `relationship`, a
    `ReporterRelationship` or ""), stored on the incident and carried by the event. Returns (incident,
    created). A second submission of the same form (same `submission_key`) returns the
    incident the first one stored, and creates nothing.
    """
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from lib import clock

    from ..registry import publish

    unknown = set(fields) - set(Incident.REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not report fields: {sorted(unknown)}")
    if not str(fields.get("description") or "").strip():
        raise ValueError("a report needs a description")
    given = {f"reporter_{key}": value for key, value in (reporter or {}).items()}
    if set(given) - {"reporter_name", "reporter_contact", "reporter_relationship"}:
        raise ValueError(f"not reporter fields: {sorted(reporter or {})}")
    with transaction.atomic():
        if submission_key is not None:
            existing = Incident.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing, False
        now = reported_on or clock.now()
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    organisation=organisation,
                    reported_by=reported_by if getattr(reported_by, "is_authenticated", False) else None,
                    reported_on=now,
                    submission_key=submission_key,
                    channel=Channel(channel),
                    recorded_by=recorded_by,
                    **given,
                    **fields,
                )
        except IntegrityError:
            # The same form was submitted at the same moment by another request: that one won.
            return Incident.objects.get(submission_key=submission_key), False
        incident.reference = Incident.make_reference(incident.pk, timezone.localtime(now).year)
        Incident.objects.filter(pk=incident.pk).update(reference=incident.reference)
        # Published, so the apps above react (the deadlines app stores the new report's due moments).
        publish(
            incident,
            "incident.reported",
            recorded_by or reported_by,
            after={"reference": incident.reference, "status": incident.status, "channel": incident.channel}
            | {name: getattr(incident, name) for name in Incident.REPORT_FIELDS}
            | given,
            at=now,
        )
    return incident, True
