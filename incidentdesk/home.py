"""The home page: what needs me now, most urgent first, from the rules that already exist.

Nothing here decides anything: who may take a step is the lifecycle's table (`blockers`),
what is due is the stored deadlines (`deadlines.models.Deadline`), what the SIRO and the DPO
oversee is `lifecycle.my_serious_scope_filter`, an investigator's next step is
`lifecycle.investigator_next`. The page only gathers them:

- triage waiting (where the person may triage), reviews to do, incidents ready to close,
  investigations assigned;
- ICO clocks running on incidents the person handles; remedial actions they own;
- telling others in time: the controller, and each outside body that sets a deadline;
- reporters waiting for a reply (their message is the last one, or the update is overdue);
- for the SIRO and the DPO, the open major and critical incidents they oversee;
- exceptions to a policy point: requests the SIRO or the DPO may decide, and those ending within
  14 days that the person holds or approved (`policies.exceptions.waiting_for`);
- policies to read and acknowledge, policy reviews near or due, drafts to approve (`policies.home`).

A person with no work of their own (a reporter) gets the report form's start and their reports.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, Subquery, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from actions.models import RemedialAction
from breaches.models import prefetch_assessments
from deadlines.models import OUTSIDE_KINDS, Deadline
from incidents import lifecycle
from incidents.models import ChecklistItem, Incident, ReporterMessage, sign_off_asked_subquery
from lib import clock
from organisations.models import HANDLER_ROLES, Role
from organisations.powers import memberships_of
from policies.apps import PROMPT_AFTER_SIGN_IN
from policies.exceptions import waiting_for
from policies.home import home_context as policies_home
from policies.inheritance import to_acknowledge

from .navigation import has_home

# How many of each kind the home lists (the full lists are a click away).
LIMIT = 50
Kind = Deadline.Kind
# The states in which an investigator has work to do (after submitting, it waits for review).
INVESTIGATING = (Incident.Status.TRIAGED, Incident.Status.INVESTIGATING)


@dataclass
class Item:
    """One thing that needs the person: what, on which incident, by when, and where to do it."""

    what: str
    href: str
    incident: Incident | None = None
    title: str = ""  # an action's title, when the item is not about an incident as a whole
    due: Deadline | None = None
    since: datetime | None = None  # for items without a deadline: waiting since

    @property
    def state(self) -> str:
        return self.due.state() if self.due is not None else ""

    @property
    def phrase(self) -> str:
        return self.due.phrase() if self.due is not None else ""

    @property
    def due_soon(self) -> bool:
        """Marked before it is late: the deadlines app's one definition of "due soon"."""
        return self.due is not None and self.due.is_due_soon()

    def sort_key(self) -> tuple[int, datetime]:
        if self.due is not None:
            return (0, self.due.due_at)
        return (1, self.since or timezone.now())


def _deadlines(incident_ids: set[int]) -> dict[tuple[int, str], Deadline]:
    rows = Deadline.objects.open().of_incidents(incident_ids)
    return {(row.incident_id, row.kind): row for row in rows}  # type: ignore[misc]


def _first(due: dict[tuple[int, str], Deadline], incident: Incident, *kinds: str) -> Deadline | None:
    found = [due[(incident.pk, k)] for k in kinds if (incident.pk, k) in due]
    return min(found, key=lambda d: d.due_at) if found else None


def work_for(user: Any) -> list[Item]:
    """Everything that needs `user` now, most urgent first (overdue, then due, then the rest)."""
    last_direction = Subquery(
        ReporterMessage.objects.filter(incident=OuterRef("pk")).order_by("-sent_on", "-id").values("direction")[:1]
    )
    open_deadline = Deadline.objects.open().filter(incident=OuterRef("pk"))
    # Which incidents (those `user` may see), chosen on their ids alone; then only those read whole.
    # Read whole, grouped and sorted all together, a county DPO's 17,925 open incidents at a
    # million took 217 ms.
    chosen = (
        Incident.objects.visible_to(user)
        .filter(status__in=Incident.OPEN_STATUSES)
        .annotate(last_direction=last_direction)
        .filter(
            Q(status__in=[Incident.Status.REPORTED, Incident.Status.OUTCOME_SUBMITTED])
            | Q(investigator=user)
            | Q(Exists(open_deadline.filter(kind=Kind.ICO)))
            | Q(Exists(open_deadline.filter(kind__in=OUTSIDE_KINDS)))
            | Q(Exists(open_deadline.filter(kind=Kind.REPORTER_UPDATE, due_at__lte=timezone.now())))
            | Q(last_direction=ReporterMessage.Direction.FROM_REPORTER)
        )
        .order_by("reported_on", "pk")
        .values("pk")[: LIMIT * 6]
    )
    candidates = list(
        Incident.objects.filter(pk__in=chosen)
        .select_related("organisation", "outcome_report")
        .annotate(last_direction=last_direction)
        .annotate(
            pending=Count("checklist", filter=Q(checklist__state=ChecklistItem.State.PENDING), distinct=True),
        )
        .annotate(siro_sign_off_asked=sign_off_asked_subquery())  # the close step's need
        .order_by("reported_on", "pk")
    )
    due = _deadlines({i.pk for i in candidates})
    # What the review and close steps' blockers read, for every submitted report at once (not
    # one query per incident): its reviews, its checklist, and the breach record's assessments.
    submitted_ones = [i for i in candidates if i.status == Incident.Status.OUTCOME_SUBMITTED]
    prefetch_related_objects(submitted_ones, "outcome_report__reviews", "checklist")
    prefetch_assessments(submitted_ones)
    # Sign-offs, where the organisation asks for one (`lifecycle.table.needs_sign_off`).
    prefetch_related_objects([i for i in submitted_ones if getattr(i, "siro_sign_off_asked", False)], "oversight")
    items: list[Item] = []
    for incident in candidates:
        p = incident.powers_of(user)
        detail = reverse("incidents:detail", args=[incident.uuid])
        if incident.status == Incident.Status.REPORTED and not lifecycle.blockers("triage", incident, p):
            items.append(
                Item(
                    "Triage the report",
                    reverse("incidents:triage", args=[incident.uuid]),
                    incident,
                    due=_first(due, incident, Kind.URGENT_TRIAGE, Kind.TRIAGE),
                    since=incident.reported_on,
                )
            )
        submitted = incident.status == Incident.Status.OUTCOME_SUBMITTED
        if submitted and not lifecycle.blockers("review_outcome", incident, p):
            items.append(
                Item(
                    "Review the outcome report",
                    reverse("incidents:review", args=[incident.uuid]),
                    incident,
                    since=incident.outcome_submitted_on or incident.reported_on,
                )
            )
        if submitted and not lifecycle.blockers("close", incident, p):
            # Every review the severity needs is in: closing is the one step left.
            items.append(
                Item(
                    "Close the incident",
                    reverse("incidents:close", args=[incident.uuid]),
                    incident,
                    since=incident.outcome_submitted_on or incident.reported_on,
                )
            )
        if incident.investigator_id == user.pk and incident.status in INVESTIGATING:
            items.append(
                Item(
                    lifecycle.investigator_next(incident, incident.pending),
                    detail,
                    incident,
                    due=_first(due, incident, Kind.OUTCOME),
                    since=incident.triaged_on or incident.reported_on,
                )
            )
        handles = p.is_manager or p.is_siro or p.is_dpo
        clock = due.get((incident.pk, Kind.ICO))
        if handles and clock is not None:
            what = "ICO clock: decide whether to tell the ICO, and report in time"
            items.append(Item(what, detail, incident, due=clock))
        if p.can_record_others_told:
            # The controller (the organisation is its processor) and bodies that set a deadline.
            for kind in OUTSIDE_KINDS:
                telling = due.get((incident.pk, kind))
                if telling is not None:
                    if kind == Kind.CONTROLLER:
                        href = reverse("parties:incident_party", args=[incident.uuid])
                    else:
                        href = reverse("parties:record_notice", args=[incident.uuid]) + f"?body={kind[5:]}"
                    items.append(Item(telling.label, href, incident, due=telling))
        if p.is_manager and incident.status in Incident.OPEN_STATUSES:
            update = due.get((incident.pk, Kind.REPORTER_UPDATE))
            if incident.last_direction == ReporterMessage.Direction.FROM_REPORTER:
                items.append(
                    Item(
                        "The reporter wrote: reply to them",
                        reverse("incidents:message_reporter", args=[incident.uuid]),
                        incident,
                        due=update,
                    )
                )
            elif update is not None and update.is_overdue():
                items.append(
                    Item(
                        "Update the reporter",
                        reverse("incidents:message_reporter", args=[incident.uuid]),
                        incident,
                        due=update,
                    )
                )
    actions = (
        RemedialAction.objects.visible_to(user)
        .filter(owner=user, status=RemedialAction.Status.OPEN)
        .select_related("incident", "incident__organisation", "deadline")
        .order_by("pk")[:LIMIT]
    )
    for action in actions:
        deadline = getattr(action, "deadline", None)
        items.append(
            Item(
                "Finish the remedial action",
                reverse("actions:detail", args=[action.pk]),
                action.incident,
                title=action.title,
                due=deadline if deadline is not None and deadline.is_open else None,
                since=action.created_on,
            )
        )
    # Exceptions to a policy point: requests to decide, and those ending soon that the person holds or approved.
    for waiting in waiting_for(user, LIMIT):
        items.append(Item(waiting.what, waiting.href, title=waiting.title, since=waiting.since))
    return sorted(items, key=Item.sort_key)


def overseen(user: Any) -> list[Item]:
    """Open major and critical incidents where the person is SIRO or DPO, with the deadline
    that falls first (the "Major and critical" page in short)."""
    incidents = list(
        Incident.objects.visible_to(user)
        .filter(lifecycle.my_serious_scope_filter(user), status__in=Incident.OPEN_STATUSES)
        .select_related("organisation")
        .order_by("reported_on")[:LIMIT]
    )
    due = _deadlines({i.pk for i in incidents})
    items = []
    for incident in incidents:
        first = _first(due, incident, Kind.URGENT_TRIAGE, Kind.TRIAGE, Kind.OUTCOME, Kind.ICO)
        what = f"{incident.get_severity_display()}: {incident.get_status_display().lower()}"
        detail = reverse("incidents:detail", args=[incident.uuid])
        items.append(Item(what, detail, incident, due=first, since=incident.reported_on))
    return sorted(items, key=Item.sort_key)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    roles = {role for _, role in memberships_of(user)}
    if not roles:
        # Someone from outside let into one incident (outside help) sees that incident only.
        helping = list(Incident.objects.visible_to(user).select_related("organisation")[:20])
        if helping:
            return render(request, "home_outside.html", {"incidents": helping})
        return redirect("intake:report")  # shows the page for someone who belongs nowhere yet
    # Just signed in, with a policy version to read: asked once, on a page that leads on to the
    # report form and to here (a report is never held up by it).
    if request.session.pop(PROMPT_AFTER_SIGN_IN, False) and to_acknowledge(user):
        return redirect("policies:prompt")
    handles = bool(roles & (HANDLER_ROLES | {Role.INVESTIGATOR}))
    owns_actions = RemedialAction.objects.visible_to(user).filter(owner=user).exists()
    if not has_home(roles, owns_actions):
        return redirect("intake:report")  # a reporter's home: the report form, their reports beneath
    items = work_for(user) if handles or owns_actions else []
    context = {
        # The most urgent LIMIT, or all with ?all=1: a county DPO's hundreds of things to do
        # drawn at once cost about a third of the page.
        "items": items if request.GET.get("all") else items[:LIMIT],
        "total": len(items),
        "overdue": sum(1 for i in items if i.state == "overdue"),
        "oversee": overseen(user) if roles & {Role.SIRO, Role.DPO} else [],
        "works": handles,
        "my_reports": Incident.objects.reported_by_person(user).select_related("organisation")[:10],
        "governance": Role.GOVERNANCE in roles,
        "admin": Role.ADMIN in roles,
    } | policies_home(user, clock.now().date())
    return render(request, "home.html", context)
