"""Exceptions to a policy point (policies 000-002, "What if I can't follow this policy?").

    request(organisation=school, point=point, by=user, reason=..., risk=..., compensating_measure=...)
    approve(exception, by=siro, ends_on=date)     # for a limited time
    refuse(exception, by=dpo, reason="...")
    chase(today)                                  # the periodic job: 14 days before, and at the end

Anyone with a role at an organisation may ask not to follow a point of a policy that applies
there; a SIRO or DPO of the organisation or above decides (`Powers.can_decide_exceptions`).
Each step locks the exception, writes one event on the record and tells whoever the audience
table names, in one transaction. The chase stamps `warned_on` and `expired_on` with a
conditional update, so however often it runs (or however many workers run it) each reminder
goes once.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from incidents.registry import publish
from lib import clock
from notifications.audiences import Occasion, tell
from organisations.models import Organisation
from organisations.powers import powers

from . import inheritance
from .models import IncidentException, IncidentPolicyPoint, PolicyException, PolicyPoint, PolicyVersion

# The end is chased this many days before (then on the day after the last day, when it ends).
WARN_DAYS = 14
# The longest an exception may be approved for: the policies ask for a limited time.
LONGEST_DAYS = 366


def today_here() -> date:
    """Today in local time, by the service's clock (frozen in tests)."""
    return timezone.localdate(clock.now())


def applicable_versions(organisation: Organisation) -> list[PolicyVersion]:
    """The published version of each policy that applies to `organisation` (policies.inheritance)."""
    return inheritance.applicable(organisation)


def applicable_points(organisation: Organisation) -> list[PolicyPoint]:
    """The points of every policy that applies to `organisation`, policy by policy, in order."""
    versions = applicable_versions(organisation)
    order = {v.pk: i for i, v in enumerate(versions)}
    points = PolicyPoint.objects.filter(version__in=versions).select_related("version__policy")
    return sorted(points, key=lambda p: (order[p.version_id], PolicyPoint.SECTION_ORDER.index(p.section), p.position))


def point_label(point: PolicyPoint) -> str:
    """How a point is named in lists and emails: its policy, its number and its first words."""
    text = point.text if len(point.text) <= 90 else point.text[:87].rstrip() + "…"
    number = f"{point.number} " if point.number else ""
    return f"{point.version.policy.title}: {number}{text}"


def _person(user: Any) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _context(exception: PolicyException) -> dict[str, Any]:
    point = exception.point
    return {
        "policy_title": point.version.policy.title,
        "point_number": point.number or "(unnumbered)",
        "requester": _person(exception.requested_by),
        "decider": _person(exception.decided_by),
        "ends_on": exception.ends_on.strftime("%-d %B %Y") if exception.ends_on else "",
        "approved": exception.status == PolicyException.Status.APPROVED,
        "reason": exception.refusal_reason,
    }


def _tell(name: str, exception: PolicyException, actor: Any) -> None:
    tell(
        Occasion(
            name,
            organisation=exception.organisation,
            actor=actor,
            person=exception.requested_by,
            # The end is told to whoever holds it and whoever approved it.
            people=[p for p in (exception.requested_by, exception.decided_by) if p is not None],
        ),
        link=reverse("exceptions:detail", args=[exception.uuid]),
        context=_context(exception),
    )


def _snapshot(exception: PolicyException) -> dict[str, Any]:
    return {
        "status": exception.status,
        "point": exception.point_id,
        "ends_on": exception.ends_on.isoformat() if exception.ends_on else None,
    }


def may_request(user: Any, organisation: Organisation) -> bool:
    """Anyone with a role at the organisation or above (staff, governors, contractors with an account)."""
    return bool(powers(user, organisation).roles)


def request(
    *,
    organisation: Organisation,
    point: PolicyPoint,
    by: Any,
    reason: str,
    risk: str,
    compensating_measure: str,
    wanted_until: date | None = None,
) -> PolicyException:
    """Ask not to follow `point` at `organisation` for a while; the SIRO and the DPO are asked to decide."""
    if not may_request(by, organisation):
        raise StepRefused("You can ask for an exception only where you have a role.")
    if point.version_id not in {v.pk for v in applicable_versions(organisation)}:
        raise StepRefused("That point is not part of a policy in force here.")
    for words, value in (
        ("Say why you cannot follow the point.", reason),
        ("Say what the risk is.", risk),
        ("Say what you will do instead to reduce the risk.", compensating_measure),
    ):
        if not value.strip():
            raise StepRefused(words)
    with transaction.atomic():
        exception = PolicyException.objects.create(
            organisation=organisation,
            point=point,
            reason=reason.strip(),
            risk=risk.strip(),
            compensating_measure=compensating_measure.strip(),
            wanted_until=wanted_until,
            requested_by=by,
            requested_on=clock.now(),
        )
        record(
            organisation_id=organisation.pk,
            action="exception.requested",
            actor=by,
            record=exception,
            target=point,
            after=_snapshot(exception) | {"wanted_until": wanted_until.isoformat() if wanted_until else None},
            reason=exception.reason,
        )
        _tell("exception.requested", exception, by)
    return exception


def _locked(exception: PolicyException, by: Any) -> PolicyException:
    locked = PolicyException.objects.select_for_update().select_related("organisation").get(pk=exception.pk)
    if not powers(by, locked.organisation).can_decide_exceptions:
        raise StepRefused("Only the SIRO or the Data Protection Officer can decide an exception.")
    if locked.status != PolicyException.Status.REQUESTED:
        raise StepRefused("This exception has already been decided.")
    return locked


def approve(exception: PolicyException, *, by: Any, ends_on: date) -> None:
    """Approve until `ends_on` (the last day it applies): a limited time, ending after today."""
    today = today_here()
    if ends_on <= today:
        raise StepRefused("The end date must be after today.")
    if ends_on > today + timedelta(days=LONGEST_DAYS):
        raise StepRefused("An exception can last a year at most: ask again when it ends if it is still needed.")
    with transaction.atomic():
        locked = _locked(exception, by)
        before = _snapshot(locked)
        locked.status = PolicyException.Status.APPROVED
        locked.decided_by = by
        locked.decided_on = clock.now()
        locked.ends_on = ends_on
        locked.save(update_fields=["status", "decided_by", "decided_on", "ends_on"])
        record(
            organisation_id=locked.organisation_id,
            action="exception.approved",
            actor=by,
            record=locked,
            before=before,
            after=_snapshot(locked),
        )
        _tell("exception.approved", locked, by)
    exception.refresh_from_db()


def refuse(exception: PolicyException, *, by: Any, reason: str) -> None:
    """Refuse, with a reason the person who asked is told."""
    if not reason.strip():
        raise StepRefused("Say why the exception is refused.")
    with transaction.atomic():
        locked = _locked(exception, by)
        before = _snapshot(locked)
        locked.status = PolicyException.Status.REFUSED
        locked.decided_by = by
        locked.decided_on = clock.now()
        locked.refusal_reason = reason.strip()
        locked.save(update_fields=["status", "decided_by", "decided_on", "refusal_reason"])
        record(
            organisation_id=locked.organisation_id,
            action="exception.refused",
            actor=by,
            record=locked,
            before=before,
            after=_snapshot(locked),
            reason=locked.refusal_reason,
        )
        _tell("exception.refused", locked, by)
    exception.refresh_from_db()


# ── The chase: before the end, and at the end ────────────────────────────────────────────


@dataclass
class Chased:
    warned: int = 0
    expired: int = 0


def chase(today: date | None = None) -> Chased:
    """Warn the holder and the approver 14 days before an exception ends; end it the day after
    its last day and tell them. Each exception is warned once and ended once, whoever runs this."""
    today = today or today_here()
    done = Chased()
    approved = PolicyException.objects.filter(status=PolicyException.Status.APPROVED)
    for pk in approved.filter(ends_on__lt=today, expired_on__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            # The conditional update is the claim: a second run (or worker) updates nothing.
            claimed = PolicyException.objects.filter(
                pk=pk, status=PolicyException.Status.APPROVED, expired_on__isnull=True
            ).update(status=PolicyException.Status.EXPIRED, expired_on=clock.now())
            if not claimed:
                continue
            exception = PolicyException.objects.select_related(
                "organisation", "point__version__policy", "requested_by", "decided_by"
            ).get(pk=pk)
            record(
                organisation_id=exception.organisation_id,
                action="exception.expired",
                record=exception,
                before={"status": PolicyException.Status.APPROVED},
                after=_snapshot(exception),
            )
            _tell("exception.expired", exception, None)
            done.expired += 1
    warn_by = today + timedelta(days=WARN_DAYS)
    due = approved.filter(ends_on__gte=today, ends_on__lte=warn_by, warned_on__isnull=True)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = PolicyException.objects.filter(pk=pk, warned_on__isnull=True).update(warned_on=clock.now())
            if not claimed:
                continue
            exception = PolicyException.objects.select_related(
                "organisation", "point__version__policy", "requested_by", "decided_by"
            ).get(pk=pk)
            record(
                organisation_id=exception.organisation_id,
                action="exception.expiring",
                record=exception,
                after={"ends_on": exception.ends_on.isoformat() if exception.ends_on else None},
            )
            _tell("exception.expiring", exception, None)
            done.warned += 1
    return done


def ending_soon(exception: PolicyException, today: date | None = None) -> bool:
    """In force and within the warning's 14 days of its end (the home page and the register mark it)."""
    today = today or today_here()
    return (
        exception.status == PolicyException.Status.APPROVED
        and exception.ends_on is not None
        and today <= exception.ends_on <= today + timedelta(days=WARN_DAYS)
    )


# ── On an incident: the points it broke, an exception that allowed it ────────────────────


def in_force_for(incident: Incident, today: date | None = None) -> Any:
    """Exceptions in force at the incident's organisation or above, which it may name."""
    today = today or today_here()
    return (
        PolicyException.objects.in_force(today)
        .filter(organisation_id__in=incident.organisation.ancestor_ids())
        .select_related("point__version__policy", "requested_by")
    )


def _check_incident(incident: Incident, by: Any) -> None:
    if not incident.powers_of(by).can_record_policy_points:
        raise StepRefused("Only whoever triages the incident or writes its outcome report can record this.")
    if incident.status == Incident.Status.REPORTED:
        raise StepRefused("Triage the report first.")


def record_points(incident: Incident, *, by: Any, points: list[PolicyPoint]) -> None:
    """Set the policy points the incident broke (those of policies applying to its organisation)."""
    _check_incident(incident, by)
    allowed = {p.pk for p in applicable_points(incident.organisation)}
    wanted = {p.pk for p in points}
    if wanted - allowed:
        raise StepRefused("Choose points of the policies that apply to this incident's organisation.")
    with transaction.atomic():
        Incident.objects.select_for_update().get(pk=incident.pk)
        current = set(IncidentPolicyPoint.objects.filter(incident=incident).values_list("point_id", flat=True))
        if current == wanted:
            raise StepRefused("Nothing has changed.")
        now = clock.now()
        IncidentPolicyPoint.objects.filter(incident=incident, point_id__in=current - wanted).delete()
        IncidentPolicyPoint.objects.bulk_create(
            [
                IncidentPolicyPoint(incident=incident, point_id=pk, recorded_by=by, recorded_on=now)
                for pk in wanted - current
            ]
        )
        publish(
            incident,
            "incident.policy_points_recorded",
            by,
            before={"points": sorted(current)},
            after={"points": sorted(wanted)},
        )


def name_exception(incident: Incident, *, by: Any, exception: PolicyException) -> None:
    """Name an exception in force on the incident: what happened was allowed by it."""
    _check_incident(incident, by)
    if not in_force_for(incident).filter(pk=exception.pk).exists():
        raise StepRefused("Choose an exception in force at this incident's organisation.")
    with transaction.atomic():
        Incident.objects.select_for_update().get(pk=incident.pk)
        if IncidentException.objects.filter(incident=incident, exception=exception).exists():
            raise StepRefused("The incident already names this exception.")
        IncidentException.objects.create(incident=incident, exception=exception, named_by=by, named_on=clock.now())
        publish(
            incident,
            "incident.exception_named",
            by,
            target=exception,
            after={
                "exception": str(exception.uuid),
                "ends_on": exception.ends_on.isoformat() if exception.ends_on else None,
            },
        )


# ── What needs a person now (the home page gathers it) ─────────────────────────────────


@dataclass
class Waiting:
    what: str
    href: str
    title: str
    since: Any


def waiting_for(user: Any, limit: int = 50) -> list[Waiting]:
    """Requests the person may decide, and exceptions ending within 14 days that they hold or approved."""
    from organisations.models import Role
    from organisations.powers import paths_where

    today = today_here()
    deciding = paths_where(user, [Role.SIRO, Role.DPO])
    to_decide = Q(status=PolicyException.Status.REQUESTED) & ~Q(requested_by=user)
    to_decide &= Q(organisation__in=Organisation.objects.under_paths(deciding)) if deciding else Q(pk__in=[])
    ending = Q(pk__in=PolicyException.objects.in_force(today).values("pk"))
    ending &= Q(ends_on__lte=today + timedelta(days=WARN_DAYS)) & (Q(requested_by=user) | Q(decided_by=user))
    found: list[Waiting] = []
    # One query for both kinds: the home page's cost does not grow with them.
    rows = (
        PolicyException.objects.filter(to_decide | ending)
        .select_related("point__version__policy")
        .order_by("ends_on", "requested_on")[: 2 * limit]
    )
    for exception in rows:
        href = reverse("exceptions:detail", args=[exception.uuid])
        label = point_label(exception.point)
        if exception.status == PolicyException.Status.REQUESTED:
            found.append(Waiting("Decide the request for an exception", href, label, exception.requested_on))
        else:
            what = f"An exception ends on {exception.ends_on:%-d %B %Y}: ask again or follow the point"
            found.append(Waiting(what, href, label, exception.decided_on))
    return found
