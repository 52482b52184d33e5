"""Past decisions beside the result: the nearest assessed breaches the viewer may see, and what was decided.

A DPO who decides differently from last time should see it and say why (issue 19,
"Consistent with past decisions"). The candidates are the latest decided assessment of
each other incident in `Decision.objects.visible_to(user)`, so a school's DPO sees that
school's breaches and a county DPO service those of every school it serves, never a
sibling's. Nearness is a weighted count of differing facts (`distance`); the words of
each difference come from `models.fact_rows`, the one place the facts are put into words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from incidents.models import Incident

from .models import OUTCOME_TO_DECISION, Decision, fact_rows

SHOWN = 3  # precedents shown beside a result
CANDIDATES = 400  # the most recent decisions looked at: enough for a county service's year
CLOSE = 2.0  # a precedent this near is "a breach like this one": deciding otherwise needs a reason

# How much each fact counts towards the distance (sets count by the share that differs).
SET_WEIGHTS = {
    "data_categories": 3.0,
    "breach_types": 2.0,
    "document_kinds": 1.0,
    "data_subjects": 1.0,
    "consequences": 1.0,
    "harm_materialised": 1.5,
}
VALUE_WEIGHTS = {
    "recipient": 2.0,
    "recipient_reliability": 1.0,
    "exfiltration": 1.0,
    "encrypted_key_safe": 1.0,
    "recovered_or_deleted": 1.0,
    "malicious": 0.5,
    "contained": 0.5,
    "children_involved": 0.5,
    "backup_available": 0.5,
    "service_effect": 0.5,
    "data_extent": 0.5,
}


@dataclass
class Precedent:
    """One past breach and its decision, with how near its facts are and which differ."""

    incident: Incident
    version: int
    decision: str
    decision_words: str
    engine_outcome: str
    agreed: bool
    reason: str
    distance: float
    differences: list[str]

    @property
    def close(self) -> bool:
        return self.distance <= CLOSE


def distance(a: dict[str, Any], b: dict[str, Any]) -> float:
    """How far apart two sets of facts are: 0 for the same facts; each differing fact adds its weight."""
    total = 0.0
    for name, weight in SET_WEIGHTS.items():
        x, y = set(a.get(name) or []), set(b.get(name) or [])
        if x or y:
            total += weight * len(x ^ y) / len(x | y)
    for name, weight in VALUE_WEIGHTS.items():
        if (a.get(name) or None) != (b.get(name) or None):
            total += weight
    total += 0.5 * abs(_size(a.get("people_count")) - _size(b.get("people_count")))
    return round(total, 2)


def _size(count: Any) -> int:
    """Orders of magnitude of people: 1-9, 10-99, 100-999 ... (not known counts as a handful)."""
    return int(math.log10(count)) + 1 if isinstance(count, int | float) and count >= 1 else 0


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The facts, by their labels, on which two assessments differ."""
    return [label for (label, x), (_, y) in zip(fact_rows(a), fact_rows(b), strict=True) if x != y]


def nearest(incident: Incident, user: Any, facts: dict[str, Any], limit: int = SHOWN) -> list[Precedent]:
    """The `limit` decided breaches nearest to `facts` that `user` may see, nearest first (one query)."""
    decisions: Iterable[Decision] = (
        Decision.objects.visible_to(user)
        .exclude(assessment__incident=incident)
        .select_related("assessment__incident__organisation")
        .order_by("-decided_on", "-id")[:CANDIDATES]
    )
    latest: dict[int, Decision] = {}
    for made in decisions:
        latest.setdefault(made.assessment.incident_id, made)
    found = [
        Precedent(
            incident=made.assessment.incident,
            version=made.assessment.version,
            decision=made.decision,
            decision_words=Incident.IcoDecision(made.decision).label,
            engine_outcome=made.assessment.result["outcome"],
            agreed=made.agrees,
            reason=made.reason,
            distance=distance(facts, made.assessment.facts),
            differences=differences(facts, made.assessment.facts),
        )
        for made in latest.values()
    ]
    found.sort(key=lambda p: (p.distance, -p.incident.pk))
    return found[:limit]


def departure(decision: str, precedents: list[Precedent]) -> str:
    """Why deciding `decision` needs a reason, given the nearest close precedent; empty when it does not.

    `decision` is an `Incident.IcoDecision` value (or an engine outcome, mapped to one).
    """
    decision = OUTCOME_TO_DECISION.get(decision, decision)
    close = [p for p in precedents if p.close]
    if not close or close[0].decision == decision:
        return ""
    nearest = close[0]
    return (
        f"The nearest past breach, {nearest.incident.reference} ({nearest.incident.organisation.name}), had facts "
        f"like these and was decided as \u201c{nearest.decision_words}\u201d. You are deciding "
        f"\u201c{Incident.IcoDecision(decision).label}\u201d: say why this breach is different."
    )
