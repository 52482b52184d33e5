"""Lessons learned for the governor pack, from the incidents' outcome reports.

Lessons are free text written by investigators, so before they go into a pack for
governors, the names and email addresses of everyone who holds a role in the organisation's
part of the tree are taken out, and so is anything shaped like an email address or a UK
phone number. Only lessons from submitted or accepted reports are used.
"""

import re
from collections.abc import Iterable
from typing import Any

from audit import sealing
from incidents.models import OutcomeReport

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(\+44\s?|\b0)(\d[\s-]?){9,10}\b")
REMOVED = "[name removed]"


def redact(text: str, names: Iterable[str]) -> str:
    """`text` without the given names (whole words, any case), email addresses or phone numbers."""
    text = EMAIL.sub("[email removed]", text)
    text = PHONE.sub("[phone number removed]", text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", REMOVED, text, flags=re.IGNORECASE)
    return text


def people_names(organisation: Any) -> set[str]:
    """Full names of everyone with a role on, above or below `organisation`."""
    from accounts.models import User
    from organisations.models import Membership, Organisation

    orgs = Organisation.objects.filter(path__startswith=organisation.path).values("id")
    members = (
        Membership.objects.filter(organisation_id__in=[*organisation.ancestor_ids()])
        .values("user_id")
        .union(Membership.objects.filter(organisation_id__in=orgs).values("user_id"))
    )
    return {name for name in User.objects.filter(pk__in=members).values_list("full_name", flat=True) if name}


def lessons_learned(incidents: Any, organisation: Any) -> list[dict[str, str]]:
    """[{"type": ..., "lesson": ...}] from the outcome reports of `incidents`, names taken out."""
    rows = (
        OutcomeReport.objects.filter(incident__in=incidents, status__in=["submitted", "accepted"])
        .exclude(lessons_learned="")
        .order_by("incident__reported_on")
        .values_list("incident__incident_type__name", "lessons_learned", "incident__reported_by__full_name")
    )
    names = people_names(organisation)
    where = f"{OutcomeReport._meta.db_table}.{OutcomeReport._meta.get_field('lessons_learned').column}"
    return [
        {
            "type": type_name or "Not yet classified",
            "lesson": redact(sealing.open_text(text, where) or "", names | {reporter or ""}),
        }
        for type_name, text, reporter in rows
    ]
