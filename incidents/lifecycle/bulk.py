"""Steps taken on a selection of incidents at once (the lists' "Act on the chosen incidents").

Each is the lifecycle's own step, taken on each incident in turn: the same table, the same
blockers, one event per incident. An incident the step refuses is left as it was and
reported back with the step's own words ("283 done, 17 not: …"). The whole run is one
transaction (each incident in its own savepoint), so a wave of 300 commits once.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from core.exceptions import StepRefused

from ..models import Incident
from .steps import assign_investigator, triage
from .waves import Outcome, change_tags, merge

# The steps a selection may take, in the order the bulk page offers them: (value, words).
BULK_STEPS = (
    ("triage", "Triage them, all the same way"),
    ("assign", "Assign the investigation"),
    ("duplicate", "Merge them into one incident: close the others as its duplicates"),
    ("tag", "Add a tag"),
    ("untag", "Take a tag off"),
)
# What each step is called in the outcome's sentence ("299 closed as duplicates of …").
DONE_WORDS = {
    "triage": "triaged",
    "assign": "assigned",
    "duplicate": "closed as duplicates",
    "tag": "tagged",
    "untag": "untagged",
}


def each(incidents: Sequence[Incident], take: Callable[[Incident], Any]) -> Outcome:
    outcome = Outcome()
    for incident in incidents:
        try:
            take(incident)
        except StepRefused as refused:
            outcome.refused.append((incident, str(refused)))
        else:
            outcome.done.append(incident)
    return outcome


def run(step: str, incidents: Sequence[Incident], *, by: Any, values: dict[str, Any]) -> Outcome:
    """Take `step` on every incident of `incidents` as `by`; `values` are the step form's."""
    with transaction.atomic():
        if step == "triage":
            return each(
                incidents,
                lambda i: triage(
                    i,
                    by=by,
                    severity=values.get("severity") or "",
                    nature=values.get("nature") or "",
                    breach_status=values.get("breach_status") or "",
                    personal_data_breach=values.get("personal_data_breach") or "",
                    incident_type=values.get("incident_type"),
                ),
            )
        if step == "assign":
            return each(incidents, lambda i: assign_investigator(i, by=by, investigator=values["investigator"]))
        if step == "duplicate":
            return merge(values["survivor"], incidents, by=by, reason=values.get("reason", ""))
        if step == "tag":
            return each(incidents, lambda i: change_tags(i, by=by, add=[values["tag"]]))
        if step == "untag":
            return each(incidents, lambda i: change_tags(i, by=by, remove=[values["untag"]]))
    raise ValueError(f"no bulk step {step!r}")
