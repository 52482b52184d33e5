"""The incident's lifecycle: every step it can take, who may take it, from which states.

    from incidents import lifecycle
    lifecycle.triage(incident, by=user, severity="major", ...)
    lifecycle.available_steps(user, incident)   # what the incident page offers

- `table`: the table of steps (who, from which states, what each needs), `check`, `available_steps`.
- `steps`: the steps that change the incident's state (and its classification).
- `work`: working the investigation: checklist, notes, messages, the outcome report's draft.
- `oversight`: facts corrected on the record; the DPO's advice, review and directions; the SIRO's sign-off.
- `classification`: classification checks, routing by severity, the checklist's template.
- `waves`: related incidents, duplicates merged into one, tags; `bulk`: a step on a selection.
"""

from .classification import CLASSIFICATION_FIELDS, my_serious_scope_filter
from .common import WORKING_STATES, Severity, Status, eligible_investigators, required_review_roles
from .oversight import advise, ask_dpo, correct, direct_investigator, mark_reviewed, sign_off_outcome
from .steps import (
    assign_investigator,
    close,
    close_not_incident,
    reclassify,
    reopen,
    review_outcome,
    start_investigation,
    submit_outcome,
    triage,
)
from .table import (
    STEP,
    STEPS,
    Step,
    available_steps,
    blockers,
    check,
    checklist_item_blockers,
    checklist_item_refusal,
    closure_needs,
)
from .waves import Outcome, change_tags, close_as_duplicate, link_related, merge
from .work import (
    add_note,
    investigator_next,
    message_reporter,
    receive_from_reporter,
    save_outcome_draft,
    update_checklist_item,
)

__all__ = [
    "CLASSIFICATION_FIELDS",
    "STEP",
    "STEPS",
    "WORKING_STATES",
    "Outcome",
    "Severity",
    "Status",
    "Step",
    "add_note",
    "advise",
    "ask_dpo",
    "assign_investigator",
    "available_steps",
    "blockers",
    "change_tags",
    "check",
    "checklist_item_blockers",
    "checklist_item_refusal",
    "close",
    "close_as_duplicate",
    "close_not_incident",
    "closure_needs",
    "correct",
    "direct_investigator",
    "eligible_investigators",
    "investigator_next",
    "link_related",
    "mark_reviewed",
    "merge",
    "message_reporter",
    "my_serious_scope_filter",
    "receive_from_reporter",
    "reclassify",
    "reopen",
    "required_review_roles",
    "review_outcome",
    "save_outcome_draft",
    "sign_off_outcome",
    "start_investigation",
    "submit_outcome",
    "triage",
    "update_checklist_item",
]
