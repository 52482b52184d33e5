"""Restricting an incident to named people, and outside help: each change one event.

    restrict(incident, by=dpo, people=[...], reason="The head is implicated")
    lift(incident, by=dpo, reason="Investigation of the head finished")
    invite(incident, by=manager, name=..., email=..., mode="read", ends_on=...)
    accept(access, person)           # the invited person, signed in with the invited address
    end(access, by=manager)          # before its date
    tidy_lapsed()                    # the daily job: records access that ended at its date

Who may restrict and invite is `Powers.can_restrict` / `can_invite_outside_help`; who may see
is `Incident.objects.visible_to`, which reads what these functions write. Each function locks
the incident and writes one event through `registry.publish`, in the change's transaction.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet

from core.exceptions import StepRefused
from lib import clock
from organisations.models import HANDLER_ROLES, Membership
from organisations.powers import ASSIGNABLE_ROLES

from .lifecycle.common import locked, need, need_reason
from .models import Incident, NamedPerson, OutsideAccess
from .registry import publish

INVITATION_SALT = "incidents.outside-help"
# An invitation link works for as long as the access it opens could last, at most this long.
INVITATION_DAYS = 90


def candidates(incident: Incident) -> QuerySet[Any]:
    """Who a restriction may name: the people who would see the incident without it (its
    organisation's handlers, on it or above, and those who may be assigned it)."""
    roles = {str(r) for r in HANDLER_ROLES | ASSIGNABLE_ROLES}
    members = Membership.objects.filter(organisation_id__in=incident.organisation.ancestor_ids(), role__in=roles)
    return (
        get_user_model().objects.filter(pk__in=members.values("user_id"), is_active=True).order_by("full_name", "email")
    )


def named_ids(incident: Incident) -> set[int]:
    return set(NamedPerson.objects.filter(incident=incident.pk).values_list("person_id", flat=True))


def restrict(incident: Incident, *, by: Any, people: list[Any], reason: str) -> None:
    """Restrict the incident to `people` (and whoever restricts it), or change who is named."""
    with transaction.atomic():
        saved = locked(incident)
        need(saved.powers_of(by).can_restrict, "Only the DPO or the SIRO may restrict an incident.")
        reason = need_reason(reason, "Say why the incident is restricted.")
        allowed = set(candidates(saved).values_list("pk", flat=True))
        wanted = {p.pk for p in people} | {by.pk}
        need(wanted <= allowed, "Only people who handle this incident's organisation may be named.")
        before = named_ids(saved)
        now = clock.now()
        NamedPerson.objects.filter(incident=saved).exclude(person_id__in=wanted).delete()
        NamedPerson.objects.bulk_create(
            [NamedPerson(incident=saved, person_id=pk, added_by=by, added_on=now) for pk in sorted(wanted - before)]
        )
        first = saved.restricted_on is None
        # Saved, not update(): the reason is sealed as the row is saved (decision 0038).
        saved.restricted_on, saved.restricted_by, saved.restriction_reason = saved.restricted_on or now, by, reason
        saved.save(update_fields=["restricted_on", "restricted_by", "restriction_reason"])
        publish(
            saved,
            "restriction.set" if first else "restriction.changed",
            by,
            before={"named": sorted(before)},
            after={"named": sorted(wanted)},
            reason=reason,
        )
    incident.restricted_on, incident.restricted_by, incident.restriction_reason = saved.restricted_on, by, reason


def lift(incident: Incident, *, by: Any, reason: str) -> None:
    """Open the incident again to everyone who handles its organisation."""
    with transaction.atomic():
        saved = locked(incident)
        need(saved.restricted_on is not None, "The incident is not restricted.")
        need(saved.powers_of(by).can_restrict, "Only the DPO or the SIRO may lift a restriction.")
        reason = need_reason(reason, "Say why the restriction is lifted.")
        before = named_ids(saved)
        NamedPerson.objects.filter(incident=saved).delete()
        Incident.objects.filter(pk=saved.pk).update(restricted_on=None, restricted_by=None, restriction_reason="")
        publish(saved, "restriction.lifted", by, before={"named": sorted(before)}, reason=reason)
    incident.restricted_on, incident.restricted_by, incident.restriction_reason = None, None, ""


# ── Outside help ─────────────────────────────────────────────────────────────────────────


def invite(
    incident: Incident, *, by: Any, name: str, email: str, firm: str, mode: str, ends_on: datetime
) -> OutsideAccess:
    """Invite a named outside person to this incident until `ends_on`; the email with the signed
    link is written by notifications (`outside.invited` in its table) and sent after commit."""
    with transaction.atomic():
        saved = locked(incident)
        need(saved.powers_of(by).can_invite_outside_help, "Only the incident manager or the DPO may invite help.")
        now = clock.now()
        need(ends_on > now, "The end of the access must be in the future.")
        access = OutsideAccess.objects.create(
            incident=saved,
            name=name.strip(),
            firm=firm.strip(),
            email=email.strip().lower(),
            mode=mode,
            ends_on=ends_on,
            invited_by=by,
            invited_on=now,
        )
        publish(saved, "outside.invited", by, target=access, after=describe(access))
    return access


def describe(access: OutsideAccess) -> dict[str, Any]:
    return {
        "access": str(access.uuid),
        "name": access.name,
        "firm": access.firm,
        "email": access.email,
        "mode": access.mode,
        "ends_on": access.ends_on.isoformat(),
    }


def invitation_token(access: OutsideAccess) -> str:
    return signing.dumps(str(access.uuid), salt=INVITATION_SALT)


def access_for_token(token: str) -> OutsideAccess | None:
    """The invitation a link names, while it may still be accepted; None for a forged or old link."""
    try:
        value = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_DAYS * 86400)
    except signing.BadSignature:
        return None
    return (
        OutsideAccess.objects.filter(uuid=value, ended_on__isnull=True, ends_on__gt=clock.now())
        .select_related("incident__organisation")
        .first()
    )


def accept(access: OutsideAccess, person: Any) -> None:
    """The invited person, signed in with the address the invitation went to, takes it up."""
    with transaction.atomic():
        saved = locked(access.incident)
        row = OutsideAccess.objects.select_for_update().get(pk=access.pk)
        need(row.ended_on is None and row.ends_on > clock.now(), "This invitation has ended.")
        need(
            (person.email or "").lower() == row.email,
            f"This invitation is for {row.email}. Sign in with that address to accept it.",
        )
        if row.person_id == person.pk:
            return
        need(row.person_id is None, "This invitation has already been accepted.")
        row.person, row.accepted_on = person, clock.now()
        row.save(update_fields=["person", "accepted_on"])
        publish(saved, "outside.accepted", person, target=row, after=describe(row))
    access.person, access.accepted_on = row.person, row.accepted_on


def end(access: OutsideAccess, *, by: Any) -> None:
    with transaction.atomic():
        saved = locked(access.incident)
        need(saved.powers_of(by).can_invite_outside_help, "Only the incident manager or the DPO may end access.")
        row = OutsideAccess.objects.select_for_update().get(pk=access.pk)
        if row.ended_on is not None:
            raise StepRefused("This access has already ended.")
        row.ended_on, row.ended_by = clock.now(), by
        row.save(update_fields=["ended_on", "ended_by"])
        publish(saved, "outside.ended", by, target=row, after=describe(row))
    access.ended_on, access.ended_by = row.ended_on, row.ended_by


def tidy_lapsed(now: Any = None) -> int:
    """Record each access that reached its end date (it already stopped working then: the rule
    asks the date at request time). Safe to run twice: a recorded one is not lapsed any more."""
    now = now or clock.now()
    count = 0
    for pk in list(OutsideAccess.objects.lapsed(now).values_list("pk", flat=True)):
        with transaction.atomic():
            row = OutsideAccess.objects.select_for_update().select_related("incident").get(pk=pk)
            if row.ended_on is not None:
                continue
            row.ended_on = row.ends_on
            row.save(update_fields=["ended_on"])
            publish(row.incident, "outside.expired", None, target=row, after=describe(row), at=now)
            count += 1
    return count


def is_outside_person(user: Any) -> bool:
    """Someone with outside help to an incident now: they must pass a second factor
    (`organisations.powers.add_second_factor_reason`), as everyone who reads incidents does."""
    if not getattr(user, "is_authenticated", False):
        return False
    kept = getattr(user, "_outside_kept", None)
    if kept is None:
        kept = OutsideAccess.objects.current().filter(person=user.pk).exists()
        user._outside_kept = kept
    return bool(kept)
