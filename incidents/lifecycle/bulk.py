"""Steps taken on a selection of incidents at once (the lists' "Act on the chosen incidents").

Each is the lifecycle's own step, taken on each incident in turn: the same table, the same
blockers, one event per incident. An incident the step refuses is left as it was and
reported back with the step's own words ("283 done, 17 not: …"). The whole run is one
transaction (each incident in its own savepoint), so a wave of 300 commits once.

A selection of more than `IN_REQUEST` incidents is not taken while the browser waits (a merge
costs about 19 queries an incident: a wave of 1,000 would outlast the web server's timeout,
and hold one of its few processes for a minute). `queue` keeps it as a `BulkRun` and queues
the worker, which takes it `BATCH` incidents at a time (`take_batch`), each batch one
transaction with its progress; the bulk page's "working on it" page follows it.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from core.exceptions import StepRefused
from lib import clock

from ..models import BulkRun, Incident, IncidentType, Tag
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


# The most incidents one step takes while the browser waits; more go to the worker.
IN_REQUEST = 100
# How many the worker takes in one transaction (its progress is written with each).
BATCH = 50
# The form's values that name a row, kept by id in a queued run.
_ROWS: dict[str, Any] = {"incident_type": IncidentType, "tag": Tag, "untag": Tag, "survivor": Incident}


def queue(step: str, incidents: Sequence[Incident], *, by: Any, values: dict[str, Any], query: str = "") -> BulkRun:
    """Keep the step for the worker and queue it (after the commit); the run's page follows it."""
    from ..tasks import take_bulk_run

    kept = {}
    for name, value in values.items():
        if name == "investigator" or name in _ROWS:
            kept[name] = value.pk if value is not None else None
        elif isinstance(value, str | int | bool) or value is None:
            kept[name] = value
    bulk_run = BulkRun.objects.create(
        by=by,
        step=step,
        values=kept,
        # The incident kept is not one of those merged into it (as `merge` passes it over).
        chosen=[incident.pk for incident in incidents if incident != values.get("survivor")],
        query=query,
        queued_on=clock.now(),
    )
    transaction.on_commit(lambda: clock.enqueue(take_bulk_run, bulk_run.pk))
    return bulk_run


def _values(bulk_run: BulkRun) -> dict[str, Any]:
    values = dict(bulk_run.values)
    for name, model in _ROWS.items():
        if values.get(name) is not None:
            values[name] = model.objects.filter(pk=values[name]).first()
    if values.get("investigator") is not None:
        values["investigator"] = get_user_model().objects.filter(pk=values["investigator"]).first()
    return values


def take_batch(bulk_run_id: int) -> bool:
    """Take the step on the run's next `BATCH` incidents; False when nothing is left.

    The run's row is locked for the batch, so two workers take turns, never the same incident;
    the step's refusals are kept with the step's words, as the bulk page shows them.
    """
    with transaction.atomic():
        bulk_run = BulkRun.objects.select_for_update().filter(pk=bulk_run_id).first()
        if bulk_run is None or bulk_run.state == BulkRun.State.FINISHED:
            return False
        batch_ids = bulk_run.remaining()[:BATCH]
        if batch_ids:
            by_pk = Incident.objects.select_related("organisation").in_bulk(batch_ids)
            incidents = [by_pk[pk] for pk in batch_ids if pk in by_pk]
            try:
                outcome = run(bulk_run.step, incidents, by=bulk_run.by, values=_values(bulk_run))
            except StepRefused as refused:  # the incident to keep refused since (closed, restricted)
                outcome = Outcome(refused=[(incident, str(refused)) for incident in incidents])
            gone = [pk for pk in batch_ids if pk not in by_pk]
            bulk_run.done += [incident.pk for incident in outcome.done]
            bulk_run.refused += [[incident.pk, words] for incident, words in outcome.refused]
            bulk_run.refused += [[pk, "The incident is no longer there."] for pk in gone]
            taken = {incident.pk for incident in outcome.done} | {incident.pk for incident, _ in outcome.refused}
            passed = [pk for pk in batch_ids if pk in by_pk and pk not in taken]
            bulk_run.refused += [[pk, "Passed over by the step."] for pk in passed]
        left = bool(bulk_run.remaining())
        bulk_run.state = BulkRun.State.RUNNING if left else BulkRun.State.FINISHED
        bulk_run.finished_on = None if left else clock.now()
        bulk_run.save(update_fields=["done", "refused", "state", "finished_on"])
        return left


def outcome_of(bulk_run: BulkRun) -> Outcome:
    """What the run has done so far, as the bulk page shows a step taken while it waited."""
    wanted = set(bulk_run.done) | {pk for pk, _ in bulk_run.refused}
    by_pk = Incident.objects.in_bulk(wanted)
    outcome = Outcome()
    outcome.done = [by_pk[pk] for pk in bulk_run.done if pk in by_pk]
    outcome.refused = [(by_pk[pk], words) for pk, words in bulk_run.refused if pk in by_pk]
    return outcome
