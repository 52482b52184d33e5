"""Facts corrected on the record, and the DPO's oversight of an incident of any severity.

    lifecycle.correct(incident, by=user, field="occurred_on", value=..., reason="...")
    lifecycle.ask_dpo(incident, by=user, question="...")
    lifecycle.advise(incident, by=dpo, advice="...")
    lifecycle.mark_reviewed(incident, by=dpo, note="")
    lifecycle.direct_investigator(incident, by=dpo, direction="...")
    lifecycle.sign_off_outcome(incident, by=siro, note="")

Like every step: atomic, the incident locked, the table checked (`table.check`: who, from
which states, what it needs), one row kept (`Correction`, `Oversight`) and exactly one event
written through `publish`, so the notifications table tells whoever it names.
"""

from typing import Any

from django.db import transaction

from audit.models import normalise
from lib import clock

from ..models import Correction, Incident, Oversight
from .common import event, locked, need, need_reason, refresh
from .table import check

Kind = Oversight.Kind


def correct(incident: Incident, *, by: Any, field: str, value: Any, reason: str) -> Correction:
    """Correct one reported fact; the value it had and why it changed are kept (never overwritten)."""
    need(field in Incident.REPORT_FIELDS, "Only what the report says can be corrected here.")
    with transaction.atomic():
        current = locked(incident)
        check("correct_report", current, current.powers_of(by))
        reason = need_reason(reason, "Say why this is being corrected.")
        if isinstance(value, str):
            value = value.strip()
        if field == "description":
            need(bool(value), "What happened cannot be left empty.")
        old = getattr(current, field)
        need(normalise(old) != normalise(value), "That is what the report already says.")
        setattr(current, field, value)
        current.save(update_fields=[field, "updated_on"])
        correction = Correction.objects.create(
            incident=current,
            field=field,
            old=normalise(old),
            new=normalise(value),
            reason=reason,
            corrected_by=by,
            corrected_on=clock.now(),
        )
        event(current, "incident.corrected", by, before={field: old}, after={field: value}, reason=reason)
    refresh(incident, current)
    return correction


def _oversee(
    incident: Incident, step: str, kind: str, *, by: Any, text: str, action: str, required: str = "", to: Any = None
) -> Oversight:
    with transaction.atomic():
        current = locked(incident)
        check(step, current, current.powers_of(by))
        text = need_reason(text, required) if required else (text or "").strip()
        to = current.investigator if kind == Kind.DIRECTION else to
        entry = Oversight.objects.create(incident=current, kind=kind, text=text, by=by, on=clock.now(), to=to)
        after: dict[str, Any] = {"oversight": kind}
        if to is not None:
            after["investigator"] = to.pk
        # The words themselves stay on the incident (`Oversight.text`), shown to its handlers.
        event(current, action, by, after=after)
    refresh(incident, current)
    return entry


def ask_dpo(incident: Incident, *, by: Any, question: str) -> Oversight:
    """Ask the DPO for advice on the incident, whatever its severity; the DPO is told."""
    return _oversee(
        incident,
        "ask_dpo",
        Kind.ADVICE_REQUESTED,
        by=by,
        text=question,
        action="incident.dpo_advice_requested",
        required="Say what you would like the DPO's advice on.",
    )


def advise(incident: Incident, *, by: Any, advice: str) -> Oversight:
    """The DPO records advice given (asked for or not); the incident manager and investigator are told."""
    return _oversee(
        incident,
        "dpo_advise",
        Kind.ADVICE,
        by=by,
        text=advice,
        action="incident.dpo_advised",
        required="Write the advice you gave.",
    )


def mark_reviewed(incident: Incident, *, by: Any, note: str = "") -> Oversight:
    """The DPO marks the incident reviewed by the DPO (below major, where no review is required)."""
    return _oversee(incident, "dpo_review", Kind.REVIEWED, by=by, text=note, action="incident.dpo_reviewed")


def direct_investigator(incident: Incident, *, by: Any, direction: str) -> Oversight:
    """The DPO directs the investigating officer, who is told and sees it on the incident."""
    return _oversee(
        incident,
        "dpo_direct",
        Kind.DIRECTION,
        by=by,
        text=direction,
        action="incident.dpo_directed",
        required="Write what the investigating officer should do.",
    )


def sign_off_outcome(incident: Incident, *, by: Any, note: str = "") -> Oversight:
    """The SIRO signs off the outcome, where the organisation asks for it before closure."""
    return _oversee(incident, "sign_off_outcome", Kind.SIGN_OFF, by=by, text=note, action="incident.siro_signed_off")
