"""The table of steps: each step of an incident's life declared once.

For each step: its name (the lifecycle function), the words on its button, its page, who may
take it (a `Powers` predicate), from which states, and what else it needs. The steps check
it (`check`), the incident page offers what it allows (`available_steps`) and shows the
close step's own blockers, so a page never offers a step that would be refused.

A step's blockers, in order: who may take it, the state it starts from, what it needs,
then what higher apps registered (`registry.add_blocker`). Each is a sentence for people.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.urls import reverse

from core.exceptions import StepRefused
from organisations.powers import Powers

from ..models import ChecklistItem, Incident, OutcomeReport, OutcomeReview, Oversight, SignOffSetting
from ..registry import registered_blockers
from .common import (
    WORKING_STATES,
    Status,
    accepted_roles,
    critical_assignment_refusals,
    report_of,
    required_review_roles,
)

Needs = Callable[[Incident, Powers], list[str]]


def _nothing(incident: Incident, p: Powers) -> list[str]:
    return []


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    url_name: str
    who: Callable[[Powers], bool]
    who_refusal: str
    states: tuple[str, ...]
    state_refusal: str
    needs: Needs = _nothing
    # When set, a refusal for what the step needs names every need after these words.
    needs_intro: str = ""
    # Shown as a button at the top of the incident page (otherwise a link in its own section).
    button: bool = True
    primary: bool = False

    def url(self, incident: Incident) -> str:
        return reverse(self.url_name, args=[incident.uuid])


# ── What steps need ──────────────────────────────────────────────────────────────────────


def _ready_to_start(incident: Incident, p: Powers) -> list[str]:
    if incident.investigator_id is None:
        return ["Assign an investigating officer first."]
    if incident.siro_leads:
        routing = getattr(incident, "routing", None)
        if routing is None or not routing.lead_decision:
            return ["The SIRO must first undertake this critical investigation or delegate it with a reason."]
    return []


def missing_sections(report: OutcomeReport | None) -> list[str]:
    return [
        heading
        for name, heading in OutcomeReport.SECTIONS
        if name in OutcomeReport.REQUIRED_SECTIONS and (report is None or not getattr(report, name).strip())
    ]


def _report_complete(incident: Incident, p: Powers) -> list[str]:
    missing = missing_sections(report_of(incident))
    if missing:
        return ["Fill in these parts of the outcome report first: " + ", ".join(missing).lower() + "."]
    return []


def reviews_due_from(incident: Incident, p: Powers) -> list[str]:
    """The roles in which `p` still has to review the current round of the outcome report."""
    accepted = accepted_roles(report_of(incident))
    required = required_review_roles(incident)
    return [role for role in p.review_roles if role in required and role not in accepted]


def _review_due(incident: Incident, p: Powers) -> list[str]:
    if reviews_due_from(incident, p):
        return []
    accepted = accepted_roles(report_of(incident))
    if any(role in accepted for role in p.review_roles):
        return ["You have already reviewed this outcome report."]
    return ["Only the incident manager reviews the outcome report of a minor or moderate incident."]


def closure_needs(incident: Incident, p: Powers | None = None) -> list[str]:
    """What stands between the incident and closure, in plain words (empty: it may close)."""
    blockers = []
    pending = sum(1 for item in incident.checklist.all() if item.state == ChecklistItem.State.PENDING)
    if pending:
        blockers.append(
            f"{pending} checklist item{'s are' if pending != 1 else ' is'} neither done nor marked not applicable."
        )
    report = report_of(incident)
    accepted = accepted_roles(report)
    # The reviews the severity requires (`required_review_roles`), each in its own words.
    for role in required_review_roles(incident):
        if role in accepted or (role == OutcomeReview.ReviewerRole.INCIDENT_MANAGER and _accepted_before(report)):
            continue
        if role == OutcomeReview.ReviewerRole.INCIDENT_MANAGER:
            blockers.append("The outcome report has not been accepted by the incident manager.")
        else:
            blockers.append(
                f"The DPO has not reviewed the outcome report of this {incident.get_severity_display().lower()} "
                "incident."
            )
    if incident.status == Status.OUTCOME_SUBMITTED and needs_sign_off(incident):
        blockers.append("The SIRO has not signed off the outcome, as this organisation asks.")
    return blockers


def sign_off_asked(incident: Incident) -> bool:
    """Whether the incident's organisation asks the SIRO's sign-off: from the page's own query
    where it annotated it (`sign_off_asked_subquery`), else asked once and kept on the incident."""
    if "siro_sign_off_asked" not in incident.__dict__:
        incident.siro_sign_off_asked = SignOffSetting.asked_by(incident.organisation)  # type: ignore[attr-defined]
    return bool(incident.siro_sign_off_asked)  # type: ignore[attr-defined]


def needs_sign_off(incident: Incident) -> bool:
    """The organisation asks the SIRO to sign off outcomes, and this outcome is not signed off yet."""
    if not sign_off_asked(incident):
        return False
    submitted = incident.outcome_submitted_on
    return not any(
        entry.kind == Oversight.Kind.SIGN_OFF and (submitted is None or entry.on >= submitted)
        for entry in incident.oversight.all()
    )


def _sign_off_due(incident: Incident, p: Powers) -> list[str]:
    if not sign_off_asked(incident):
        return ["This organisation does not ask the SIRO to sign off outcomes."]
    if not needs_sign_off(incident):
        return ["The SIRO has already signed off this outcome."]
    return []


def _has_investigator(incident: Incident, p: Powers) -> list[str]:
    return [] if incident.investigator_id is not None else ["Assign an investigating officer first."]


def _accepted_before(report: OutcomeReport | None) -> bool:
    """A report marked accepted (an imported or earlier-accepted one) needs no further manager review."""
    return report is not None and report.status == OutcomeReport.Status.ACCEPTED


def _has_reporter(incident: Incident, p: Powers) -> list[str]:
    if incident.reporter_anonymous or incident.reported_by_id is not None:
        return []
    return ["This incident has no reporter to write to."]


def _not_a_duplicate(incident: Incident, p: Powers) -> list[str]:
    if incident.status == Status.CLOSED_DUPLICATE:
        return ["This incident was merged into another as a duplicate: it is handled there, so reopen that one."]
    return []


# ── The table ────────────────────────────────────────────────────────────────────────────

ALL_STATES = tuple(Status.values)

STEPS: tuple[Step, ...] = (
    Step(
        "triage",
        "Triage the report",
        "incidents:triage",
        attrgetter("can_triage"),
        "Only the incident manager or the SIRO can triage a report.",
        (Status.REPORTED,),
        "This report has already been triaged.",
        primary=True,
    ),
    Step(
        "close_not_incident",
        "Close as not an incident",
        "incidents:not_incident",
        attrgetter("can_triage"),
        "Only the incident manager or the SIRO can close a report as not an incident.",
        (Status.REPORTED, Status.TRIAGED),
        "Only a report still at triage can be closed as not an incident.",
    ),
    Step(
        "assign_investigator",
        "Assign the investigation",
        "incidents:assign",
        attrgetter("can_assign"),
        "Only the incident manager or the SIRO can assign the investigation.",
        (Status.TRIAGED, Status.INVESTIGATING),
        "An investigating officer can be assigned once the report is triaged and until the outcome report is in.",
        needs=critical_assignment_refusals,
    ),
    Step(
        "start_investigation",
        "Start the investigation",
        "incidents:start",
        attrgetter("can_work"),
        "Only the investigating officer, the incident manager or the SIRO can start the investigation.",
        (Status.TRIAGED,),
        "Only a triaged incident can move to investigation.",
        needs=_ready_to_start,
        primary=True,
    ),
    Step(
        "save_outcome_draft",
        "Write the outcome report",
        "incidents:outcome",
        attrgetter("can_work"),
        "Only the investigating officer, the incident manager or the SIRO can write the outcome report.",
        (Status.INVESTIGATING,),
        "The outcome report can be changed only while the incident is being investigated.",
        primary=True,
    ),
    Step(
        "submit_outcome",
        "Submit the outcome report",
        "incidents:submit",
        attrgetter("can_work"),
        "Only the investigating officer, the incident manager or the SIRO can submit the outcome report.",
        (Status.INVESTIGATING,),
        "The outcome report can be submitted only while the incident is being investigated.",
        needs=_report_complete,
    ),
    Step(
        "review_outcome",
        "Review the outcome report",
        "incidents:review",
        attrgetter("can_review"),
        "Only the incident manager, and the DPO for major and critical incidents, review outcome reports.",
        (Status.OUTCOME_SUBMITTED,),
        "There is no submitted outcome report to review.",
        needs=_review_due,
        primary=True,
    ),
    Step(
        "close",
        "Close the incident",
        "incidents:close",
        attrgetter("can_close"),
        "Only the incident manager or the SIRO can close an incident.",
        (Status.OUTCOME_SUBMITTED,),
        "An incident can be closed once its outcome report is submitted and accepted.",
        needs=closure_needs,
        needs_intro="The incident cannot be closed yet.",
        primary=True,
    ),
    Step(
        "reopen",
        "Reopen the incident",
        "incidents:reopen",
        attrgetter("can_reopen"),
        "Only the incident manager, the SIRO or the DPO can reopen an incident.",
        tuple(Incident.CLOSED_STATUSES),
        "Only a closed incident can be reopened.",
        needs=_not_a_duplicate,
    ),
    Step(
        "reclassify",
        "Reclassify",
        "incidents:reclassify",
        attrgetter("can_reclassify"),
        "Only the incident manager, the SIRO or the DPO can reclassify an incident.",
        tuple(s for s in ALL_STATES if s != Status.REPORTED),
        "Triage the report first; reclassify it afterwards.",
    ),
    Step(
        "add_note",
        "Add an internal note",
        "incidents:add_note",
        attrgetter("can_handle"),
        "Only the people handling the incident can add notes.",
        ALL_STATES,
        "",
        button=False,
    ),
    Step(
        "message_reporter",
        "Message the reporter",
        "incidents:message_reporter",
        attrgetter("can_handle"),
        "Only the people handling the incident can message the reporter.",
        ALL_STATES,
        "",
        needs=_has_reporter,
        button=False,
    ),
    # ── Waves: related incidents, duplicates, tags (`lifecycle.waves`) ──
    Step(
        "link_related",
        "Link a related incident",
        "incidents:link",
        attrgetter("can_link_incidents"),
        "Only the incident manager, the SIRO or the DPO can link related incidents.",
        ALL_STATES,
        "",
        button=False,
    ),
    Step(
        "close_duplicate",
        "Close as a duplicate",
        "incidents:duplicate",
        attrgetter("can_merge_duplicates"),
        "Only the incident manager or the SIRO can close an incident as a duplicate.",
        tuple(Incident.OPEN_STATUSES),
        "Only an open incident can be closed as a duplicate.",
        button=False,
    ),
    Step(
        # The incident duplicates are merged into. A closed one may take late duplicates in; one
        # that is itself a duplicate may not (merge into the incident it duplicates).
        "take_duplicates",
        "Merge duplicates into this incident",
        "incidents:duplicate",
        attrgetter("can_merge_duplicates"),
        "Only the incident manager or the SIRO can merge duplicates into an incident.",
        tuple(s for s in ALL_STATES if s != Status.CLOSED_DUPLICATE),
        "This incident is itself closed as a duplicate: merge into the incident it duplicates.",
        button=False,
    ),
    Step(
        "tag",
        "Change tags",
        "incidents:tags",
        attrgetter("can_tag"),
        "Only the incident manager, the SIRO or the DPO can change an incident's tags.",
        ALL_STATES,
        "",
        button=False,
    ),
    Step(
        "correct_report",
        "Correct the report",
        "incidents:correct",
        attrgetter("can_correct_report"),
        "Only the incident manager, the SIRO or the DPO can correct the report.",
        ALL_STATES,
        "",
        button=False,
    ),
    # The DPO's oversight of an incident of any severity (policy 000 §3, 003).
    Step(
        "ask_dpo",
        "Ask the DPO for advice",
        "incidents:ask_dpo",
        attrgetter("can_ask_dpo"),
        "Only the people handling the incident can ask the DPO for advice.",
        tuple(Incident.OPEN_STATUSES),
        "The DPO can be asked for advice while the incident is open.",
        button=False,
    ),
    Step(
        "dpo_advise",
        "Record advice",
        "incidents:dpo_advise",
        attrgetter("can_advise"),
        "Only the DPO records the DPO's advice.",
        ALL_STATES,
        "",
        button=False,
    ),
    Step(
        "dpo_review",
        "Mark as reviewed by the DPO",
        "incidents:dpo_review",
        attrgetter("can_advise"),
        "Only the DPO can mark an incident reviewed by the DPO.",
        ALL_STATES,
        "",
        button=False,
    ),
    Step(
        "dpo_direct",
        "Direct the investigating officer",
        "incidents:dpo_direct",
        attrgetter("can_advise"),
        "Only the DPO can direct the investigating officer here.",
        WORKING_STATES,
        "The investigating officer can be directed while the incident is being investigated.",
        needs=_has_investigator,
        button=False,
    ),
    Step(
        "sign_off_outcome",
        "Sign off the outcome",
        "incidents:sign_off",
        attrgetter("can_sign_off_outcome"),
        "Only the SIRO signs off the outcome.",
        (Status.OUTCOME_SUBMITTED,),
        "The outcome can be signed off once its report is submitted.",
        needs=_sign_off_due,
        primary=True,
    ),
    Step(
        # Per item: the disciplinary item is for those who may read restricted words
        # (`checklist_item_blockers`); the table holds what every item shares.
        "update_checklist_item",
        "Update",
        "incidents:checklist_item",
        lambda p: p.can_work or p.can_see_restricted,
        "Only the investigating officer, the incident manager or the SIRO can work the checklist.",
        WORKING_STATES,
        "The checklist can be changed only while the incident is open and triaged.",
        button=False,
    ),
)
STEP = {step.name: step for step in STEPS}
DISPOSED_REFUSAL = Incident.DISPOSED_REFUSAL


def blockers(name: str, incident: Incident, p: Powers) -> list[str]:
    """Everything that stands in the way of step `name` for `p` on `incident` (empty: it may be taken)."""
    step = STEP[name]
    if incident.disposed_on is not None:  # its content is gone (retention): no step is taken on it again
        return [DISPOSED_REFUSAL]
    if not step.who(p):
        return [step.who_refusal]
    if incident.status not in step.states:
        return [step.state_refusal]
    return step.needs(incident, p) + registered_blockers(name, incident)


def check(name: str, incident: Incident, p: Powers) -> None:
    """Refuse step `name` with its first blocker (or, for a step that lists its needs, all of them)."""
    found = blockers(name, incident, p)
    if not found:
        return
    step = STEP[name]
    if step.needs_intro and found[0] not in (step.who_refusal, step.state_refusal):
        raise StepRefused(" ".join([step.needs_intro, *found]))
    raise StepRefused(found[0])


def checklist_item_refusal(item: ChecklistItem, p: Powers) -> str:
    """Who may update this item: its own "who" (empty: `p` may)."""
    if item.is_disciplinary and not p.can_see_restricted:
        return "Only the incident manager, the SIRO or the DPO can record the disciplinary decision."
    if not item.is_disciplinary and not p.can_work:
        return "Only the investigating officer, the incident manager or the SIRO can work the checklist."
    return ""


def checklist_item_blockers(item: ChecklistItem, incident: Incident, p: Powers) -> list[str]:
    refusal = checklist_item_refusal(item, p)
    return [refusal] if refusal else blockers("update_checklist_item", incident, p)


def blockers_of_every_step(incident: Incident, p: Powers) -> dict[str, list[str]]:
    """Each step's blockers for `p` on `incident`, worked out once (the page reads them twice)."""
    return {step.name: blockers(step.name, incident, p) for step in STEPS}


def available_steps(
    user: Any, incident: Incident, p: Powers | None = None, found: dict[str, list[str]] | None = None
) -> list[Step]:
    """The steps `user` may take on `incident` now, in the table's order: what the page offers."""
    p = p if p is not None else incident.powers_of(user)
    found = found if found is not None else blockers_of_every_step(incident, p)
    return [step for step in STEPS if not found[step.name]]


def close_needs(incident: Incident, p: Powers, found: dict[str, list[str]] | None = None) -> list[str]:
    """What closing still needs, for the page to list whoever looks (the close step's own needs)."""
    close = STEP["close"]
    if incident.status not in close.states:
        return []
    if found is not None and close.who(p):
        return found["close"]
    return close.needs(incident, p) + registered_blockers(close.name, incident)
