"""How firm the result is: near a threshold, resting on facts not known, and which fact would change it.

Read before the DPO decides ("if the recipient confirms deletion, record only"). Every
"would change" line is found by assessing the facts again with that one fact changed, so
it can never disagree with the rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .facts import Facts
from .vocabulary import (
    JUDGED_RECIPIENTS,
    MANY_PEOPLE,
    OUTCOME_RECORD,
    OUTCOME_REPORT,
    OUTCOME_REPORT_AND_PUBLIC_NOTICE,
    OUTCOME_REPORT_AND_TELL,
    RECIPIENTS,
)

SHORT_OUTCOMES = {
    OUTCOME_RECORD: "record it only",
    OUTCOME_REPORT: "report it to the ICO",
    OUTCOME_REPORT_AND_TELL: "report it to the ICO and tell the people affected",
    OUTCOME_REPORT_AND_PUBLIC_NOTICE: "report it to the ICO and publish a public notice",
}
REPORT_AT, HIGH_AT = 4, 5  # the sums of likelihood and impact where the outcome changes (rules.risk_level)


def not_known(f: Facts) -> list[str]:
    """The facts left "not known" that the rules had to take a view on, in plain words."""
    found = []
    disclosure = "confidentiality" in f.breach_types and not f.encrypted_key_safe
    if disclosure and f.recipient is None and f.recipient_reliability is None:
        found.append("who received the data, or could reach it")
    if disclosure and f.recipient in JUDGED_RECIPIENTS and f.recipient_reliability == "unknown":
        found.append("whether the person who received the data can be relied on")
    if "availability" in f.breach_types and f.backup_available is None:
        found.append("whether a working backup existed")
    if "availability" in f.breach_types and f.out_of_reach_hours is None:
        found.append("how long the data was, or will be, out of reach")
    if f.people_count is None:
        found.append("roughly how many people are affected")
    if not f.data_categories and not f.document_kinds:
        found.append("what kinds of personal data are involved")
    return found


def changes_to_try(f: Facts) -> list[tuple[str, dict[str, Any], bool]]:
    """Single facts that are not known, or could still turn out otherwise: (words, change, settles a not known)."""
    tries: list[tuple[str, dict[str, Any], bool]] = []
    if "confidentiality" in f.breach_types and not f.encrypted_key_safe:
        if not f.recovered_or_deleted:
            tries.append(
                ("the data is recovered or the recipient confirms deletion", {"recovered_or_deleted": True}, False)
            )
        if f.recipient is None and f.recipient_reliability is None:
            tries += [
                (f"it turns out the data reached {label}", {"recipient": key}, True)
                for key, label in RECIPIENTS.items()
            ]
        if f.recipient in JUDGED_RECIPIENTS and f.recipient_reliability in (None, "unknown"):
            tries.append(
                ("the recipient can be relied on (a trusted party)", {"recipient_reliability": "trusted"}, True)
            )
            tries.append(
                (
                    "the recipient will not cooperate or cannot be relied on",
                    {"recipient_reliability": "known_not_cooperative"},
                    True,
                )
            )
        if not f.contained:
            tries.append(("the breach is contained", {"contained": True}, False))
        if f.exfiltration == "none":
            tries.append(("copying of the data is suspected", {"exfiltration": "suspected"}, False))
        if f.exfiltration == "suspected":
            tries.append(("copying of the data is ruled out", {"exfiltration": "none"}, False))
            tries.append(("copying of the data is confirmed", {"exfiltration": "confirmed"}, False))
    if "availability" in f.breach_types:
        if f.backup_available is None:
            tries.append(("a working backup existed", {"backup_available": True}, True))
            tries.append(("there was no working backup", {"backup_available": False}, True))
        if f.out_of_reach_hours is None:
            tries.append(("the data is back within a day", {"unavailable_hours": 12}, True))
            tries.append(("the data stays out of reach for more than a week", {"unavailable_hours": 24 * 8}, True))
    if f.people_count is None:
        tries.append((f"{MANY_PEOPLE:,} people or more are affected", {"people_count": MANY_PEOPLE}, True))
    if not f.harm_materialised:
        tries.append(
            (
                "someone has already suffered harm from it (distress)",
                {"harm_materialised": frozenset({"distress"})},
                False,
            )
        )
    return tries


def uncertainty(f: Facts, outcome: str, likelihood: int, impact: int, decide: Callable[[Facts], Any]) -> dict[str, Any]:
    total = likelihood + impact
    threshold = ""
    if total == REPORT_AT - 1:
        threshold = (
            "It sits one step below the threshold for reporting to the ICO: one step more likely, or more "
            "harmful, and it would need reporting."
        )
    elif total == REPORT_AT:
        threshold = (
            "It sits on the threshold for reporting to the ICO: one step less likely, or less harmful, and it "
            "would be record only; one step more and the people affected would need telling."
        )
    elif total == HIGH_AT:
        threshold = (
            "It sits on the threshold for telling the people affected: one step less likely, or less harmful, "
            "and reporting to the ICO alone would do."
        )
    would_change = []
    settles_unknown = False
    for words, change, settles in changes_to_try(f):
        other = decide(dataclasses.replace(f, **change)).outcome
        if other != outcome:
            would_change.append({"if": words, "outcome": other, "words": f"If {words}: {SHORT_OUTCOMES[other]}."})
            settles_unknown = settles_unknown or settles
    unknown = not_known(f)
    return {
        "at_threshold": bool(threshold),
        "threshold": threshold,
        "not_known": unknown,
        # The outcome turns on a fact marked not known: settling it one way or the other changes it.
        "rests_on_not_known": settles_unknown,
        "would_change": would_change,
    }
