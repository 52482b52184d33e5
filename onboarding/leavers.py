"""Who may have left: people with a role who have not signed in for `LEAVER_AFTER_DAYS`.

`flag_dormant()` runs each morning (onboarding.tasks, through `manage.py crontask`). It flags
each such person once per organisation where they hold a role, with an event on that
organisation's record, and lifts the flag once they sign in again or hold no role there.
Running it twice flags nobody twice. The organisation's admin sees the flags on the people
page with each person's open work (incidents they investigate, actions they own) to hand on.
"""

from datetime import timedelta
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from actions.models import RemedialAction
from audit.log import record
from incidents.models import Incident
from organisations.models import Membership, Organisation

from .models import DormantAccount

BATCH = 500


def cutoff() -> Any:
    return timezone.now() - timedelta(days=settings.LEAVER_AFTER_DAYS)


def _quiet(prefix: str = "user__") -> Q:
    """No sign-in since the cut-off (or never, and the account is older than it)."""
    before = cutoff()
    return Q(**{f"{prefix}last_login__lt": before}) | Q(
        **{f"{prefix}last_login__isnull": True, f"{prefix}date_joined__lt": before}
    )


def flag_dormant() -> int:
    """Flag each quiet person once per organisation where they hold a role; lift stale flags.

    Returns how many were flagged this time.
    """
    pairs = (
        Membership.objects.filter(_quiet(), user__is_active=True)
        .values_list("user_id", "organisation_id", "user__last_login", "user__email")
        .order_by("organisation_id", "user_id")
        .distinct()
    )
    flagged = 0
    for batch in batched(pairs.iterator(chunk_size=2000), BATCH):
        keys = {(u, o) for u, o, _, _ in batch}
        with transaction.atomic():
            already = set(
                DormantAccount.objects.filter(
                    user_id__in={u for u, _ in keys}, organisation_id__in={o for _, o in keys}
                ).values_list("user_id", "organisation_id")
            )
            seen: set[tuple[int, int]] = set()
            for user_id, organisation_id, last_login, email in batch:
                if (user_id, organisation_id) in already or (user_id, organisation_id) in seen:
                    continue
                seen.add((user_id, organisation_id))
                flag = DormantAccount.objects.create(
                    user_id=user_id, organisation_id=organisation_id, last_sign_in=last_login, flagged_on=timezone.now()
                )
                record(
                    organisation_id=organisation_id,
                    action="leaver.flagged",
                    target=flag,
                    after={"user": email, "last_sign_in": last_login, "days": settings.LEAVER_AFTER_DAYS},
                )
                flagged += 1
    # Signed in again, or no role left there: the flag has done its work.
    holds = Membership.objects.filter(user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"))
    DormantAccount.objects.exclude(_quiet() & Q(user__is_active=True) & Exists(holds)).delete()
    return flagged


def flagged_at(organisation: Organisation) -> QuerySet[DormantAccount]:
    """The flags at `organisation` and beneath it, for its admin's people page."""
    return DormantAccount.objects.filter(organisation__path__startswith=organisation.path).select_related(
        "user", "organisation"
    )


def open_work(user_ids: Any, organisation: Organisation) -> dict[int, dict[str, list[Any]]]:
    """Each person's open incidents to investigate and open actions they own, at `organisation` or beneath."""
    work: dict[int, dict[str, list[Any]]] = {pk: {"incidents": [], "actions": []} for pk in user_ids}
    incidents = Incident.objects.filter(
        investigator_id__in=work, organisation__path__startswith=organisation.path, status__in=Incident.OPEN_STATUSES
    ).only("uuid", "reference", "status", "investigator_id")
    for incident in incidents:
        work[incident.investigator_id]["incidents"].append(incident)  # type: ignore[index]
    actions = RemedialAction.objects.filter(
        owner_id__in=work, organisation__path__startswith=organisation.path, status=RemedialAction.Status.OPEN
    ).only("id", "title", "owner_id", "due_on")
    for action in actions:
        work[action.owner_id]["actions"].append(action)  # type: ignore[index]
    return work
