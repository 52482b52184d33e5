"""Which outside bodies an incident's organisation tells of its type: the one home of that rule.

An organisation's own `BodyRule` for a (type, body) wins over the organisation above's, and so
on up the tree; with no rule anywhere, a built-in type takes `incidents.builtins.BODIES_TOLD`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from incidents.builtins import BODIES_TOLD
from incidents.models import IncidentType
from organisations.models import Organisation

from .models import Body, BodyRule


@dataclass(frozen=True)
class Applies:
    """One body an incident type's organisation tells, and its deadline in hours (None: none)."""

    body: str
    hours: int | None
    source: str  # "default", "this organisation" or the name of the organisation above

    @property
    def label(self) -> str:
        return str(Body(self.body).label)


def default_rules(incident_type: IncidentType | None) -> dict[str, int | None]:
    if incident_type is None or incident_type.organisation_id is not None:
        return {}
    return dict(BODIES_TOLD.get(incident_type.name, {}))


class RuleRows:
    """The stored rules for some incident types, read once; what applies per organisation path."""

    def __init__(self, type_ids: Iterable[int | None]) -> None:
        wanted = {t for t in type_ids if t is not None}
        self.rows: dict[tuple[int, int], dict[str, BodyRule]] = {}
        if wanted:
            for row in BodyRule.objects.filter(incident_type_id__in=wanted).select_related("organisation"):
                self.rows.setdefault((row.organisation_id, row.incident_type_id), {})[row.body] = row

    def applying(self, organisation: Organisation, incident_type: IncidentType | None) -> list[Applies]:
        if incident_type is None:
            return []
        defaults = default_rules(incident_type)
        found: list[Applies] = []
        ancestors = organisation.ancestor_ids()
        for body in Body.values:
            row = next(
                (
                    r
                    for org_id in reversed(ancestors)
                    if (r := self.rows.get((org_id, incident_type.pk), {}).get(body)) is not None
                ),
                None,
            )
            if row is not None:
                if row.applies:
                    source = "this organisation" if row.organisation_id == organisation.pk else row.organisation.name
                    found.append(Applies(body, row.hours, source))
            elif body in defaults:
                found.append(Applies(body, defaults[body], "default"))
        return found


def bodies_for(organisation: Organisation, incident_type: IncidentType | None) -> list[Applies]:
    """The bodies `organisation` tells of incidents of `incident_type`, in the list's order."""
    return RuleRows([incident_type.pk if incident_type else None]).applying(organisation, incident_type)


def own_rules(organisation: Organisation, incident_type: IncidentType) -> dict[str, BodyRule]:
    return {r.body: r for r in BodyRule.objects.filter(organisation=organisation, incident_type=incident_type)}


def describe(applies: list[Applies]) -> str:
    if not applies:
        return "None"
    return "; ".join(a.label + (f" (within {a.hours} hours)" if a.hours else "") for a in applies)


def types_with_rules(organisation: Organisation) -> Any:
    return BodyRule.objects.filter(organisation=organisation).values_list("incident_type_id", flat=True).distinct()
