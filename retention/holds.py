"""Legal hold: an incident kept whatever its schedule says (a claim, a tribunal, the ICO asks),
with a reason; set and lifted by the incident manager or the DPO, each an event on the record
written in the same transaction. While held it is never drafted for disposal, nor disposed of."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.exceptions import StepRefused
from incidents.models import Incident
from incidents.registry import publish


def set_hold(incident: Incident, *, by: Any, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise StepRefused("Give the reason for the legal hold.")
    if not incident.powers_of(by).can_hold:
        raise StepRefused("Only the incident manager or the DPO can put an incident on legal hold.")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.disposed_on is not None:
            raise StepRefused("This incident was disposed of: there is nothing left to hold.")
        if locked.legal_hold_on is not None:
            raise StepRefused("This incident is already on legal hold.")
        locked.legal_hold_on, locked.legal_hold_by, locked.legal_hold_reason = timezone.now(), by, reason
        locked.save(update_fields=["legal_hold_on", "legal_hold_by", "legal_hold_reason", "updated_on"])
        publish(locked, "incident.legal_hold_set", by, after={"legal_hold": True}, reason=reason)
    incident.refresh_from_db()


def lift_hold(incident: Incident, *, by: Any, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise StepRefused("Give the reason for lifting the legal hold.")
    if not incident.powers_of(by).can_hold:
        raise StepRefused("Only the incident manager or the DPO can lift a legal hold.")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.legal_hold_on is None:
            raise StepRefused("This incident is not on legal hold.")
        before = {"legal_hold": True, "since": locked.legal_hold_on.isoformat()}
        locked.legal_hold_on, locked.legal_hold_by, locked.legal_hold_reason = None, None, ""
        locked.save(update_fields=["legal_hold_on", "legal_hold_by", "legal_hold_reason", "updated_on"])
        publish(locked, "incident.legal_hold_lifted", by, before=before, after={"legal_hold": False}, reason=reason)
    incident.refresh_from_db()
