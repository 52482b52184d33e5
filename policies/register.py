"""Who has and has not acknowledged the versions in force: per organisation, and as one figure.

The people asked and the versions that apply come from `inheritance` (its one rule); this
module only counts them. Queries are fixed in number: the organisations, their published
policies, their people and the acknowledgements, each loaded once.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from organisations.models import Organisation

from .inheritance import applicable_to_each, members, memberships
from .models import Acknowledgement, Policy, PolicyVersion


@dataclass
class Line:
    person: Any
    acknowledged_at: datetime | None


@dataclass
class Register:
    """One version in force at one organisation, and its people."""

    organisation: Organisation
    version: PolicyVersion
    lines: list[Line] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.acknowledged_at is not None)

    @property
    def waiting(self) -> int:
        return len(self.lines) - self.done


def registers(organisations: list[Organisation], kind: str | None = None) -> list[Register]:
    """For each organisation, each version that applies to it (of `kind`, or every kind), with
    each person holding a role there and when they acknowledged it (None: not yet)."""
    chosen = applicable_to_each(organisations)
    people = members(organisations)
    version_ids = {v.pk for versions in chosen.values() for v in versions if kind is None or v.policy.kind == kind}
    when = {
        (version_id, user_id): at
        for version_id, user_id, at in Acknowledgement.objects.filter(version_id__in=version_ids).values_list(
            "version_id", "user_id", "acknowledged_at"
        )
    }
    found = []
    for organisation in organisations:
        for version in chosen[organisation.pk]:
            if version.pk not in version_ids:
                continue
            lines = [Line(p, when.get((version.pk, p.pk))) for p in people[organisation.pk]]
            found.append(Register(organisation, version, lines))
    return found


def figure(organisation: Organisation) -> tuple[int, int]:
    """(acknowledged, asked) for the security incident policy in force, over the organisation
    and everything beneath it: each person once per organisation they hold a role on.

    The registers' own counts, read as ids: a county's registers hold 2,750 people as objects,
    which cost 40 % of the county DPO's dashboard to build and throw away."""
    tree = list(organisation.descendants())
    in_force = {
        org_id: version.pk
        for org_id, versions in applicable_to_each(tree).items()
        for version in versions
        if version.policy.kind == Policy.Kind.SECURITY_INCIDENT
    }
    asked = set(memberships(in_force).values_list("organisation_id", "user_id"))
    acknowledged = set(
        Acknowledgement.objects.filter(version_id__in=set(in_force.values())).values_list("version_id", "user_id")
    )
    done = sum(1 for org_id, user_id in asked if (in_force[org_id], user_id) in acknowledged)
    return done, len(asked)


CSV_HEADING = ["Organisation", "Policy", "Version", "Name", "Email", "Acknowledged", "Acknowledged on"]


def csv_rows(found: list[Register]) -> list[list[Any]]:
    from lib import clock

    return [
        [
            r.organisation.name,
            r.version.policy.title,
            r.version.number,
            line.person.full_name,
            line.person.email,
            "Yes" if line.acknowledged_at else "No",
            clock.export(line.acknowledged_at, clock.Precision.EXACT) if line.acknowledged_at else "",
        ]
        for r in found
        for line in r.lines
    ]
