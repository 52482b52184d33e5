"""Changes to the register, the incident's third party, notices to outside bodies and the rules
of which bodies are told. Each is atomic and writes its event in the change's transaction:
an incident's through `incidents.registry.publish` (so the deadlines app works its due
moments out again), an organisation's through `audit.log.record`."""

from datetime import datetime
from typing import Any

from django.db import transaction

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident, IncidentType
from incidents.registry import publish
from lib import clock
from organisations.models import Organisation

from .models import Body, BodyNotice, BodyRule, IncidentParty, ThirdParty
from .signals import due_facts_changed

PARTY_FIELDS = ("name", "kind", "contact", "contract_reference", "tell_within_hours", "notes", "is_active")


def _party_values(party: ThirdParty) -> dict[str, Any]:
    return {name: getattr(party, name) for name in PARTY_FIELDS}


def save_party(*, organisation: Organisation, by: Any, party: ThirdParty) -> ThirdParty:
    """Add `party` to the organisation's register, or save changes to it."""
    with transaction.atomic():
        adding = party.pk is None
        before = None if adding else _party_values(ThirdParty.objects.select_for_update().get(pk=party.pk))
        party.organisation = organisation
        if adding:
            party.created_on = clock.now()
        party.save()
        record(
            organisation_id=organisation.pk,
            action="third_party.added" if adding else "third_party.changed",
            actor=by,
            target=party,
            before=before,
            after=_party_values(party),
        )
        if before is not None and (before["tell_within_hours"], before["kind"]) != (
            party.tell_within_hours,
            party.kind,
        ):
            due_facts_changed.send(ThirdParty, organisation=organisation)
    return party


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def set_third_party(
    incident: Incident,
    *,
    by: Any,
    third_party: ThirdParty,
    processor_told_us_on: datetime | None,
    controller_told_on: datetime | None,
    notes: str = "",
) -> IncidentParty:
    """Link the incident to the third party involved and record the notices between you.

    One event per thing that changed: the party linked, when they told you, when you told them."""
    if third_party.organisation_id not in incident.organisation.ancestor_ids():
        raise StepRefused("That supplier or processor is not on this organisation's register.")
    if controller_told_on is not None and not third_party.is_controller:
        controller_told_on = None
    with transaction.atomic():
        incident = _lock(incident)
        link = IncidentParty.objects.filter(incident=incident).first()
        before = {
            "third_party": link.third_party.name if link else None,
            "processor_told_us_on": _when(link.processor_told_us_on) if link else None,
            "controller_told_on": _when(link.controller_told_on) if link else None,
        }
        if link is None:
            link = IncidentParty(incident=incident, linked_by=by, linked_on=clock.now())
        link.third_party = third_party
        link.processor_told_us_on = processor_told_us_on
        link.controller_told_on = controller_told_on
        link.notes = notes
        link.save()
        after = {
            "third_party": third_party.name,
            "processor_told_us_on": _when(processor_told_us_on),
            "controller_told_on": _when(controller_told_on),
        }
        if before["third_party"] != after["third_party"]:
            publish(
                incident,
                "parties.linked",
                by,
                target=link,
                before={"third_party": before["third_party"]},
                after={"third_party": third_party.name, "kind": third_party.kind},
            )
        for name, action in (
            ("processor_told_us_on", "parties.processor_told_us"),
            ("controller_told_on", "parties.controller_told"),
        ):
            if before[name] != after[name]:
                publish(incident, action, by, target=link, before={name: before[name]}, after={name: after[name]})
    return link


def record_notice(
    incident: Incident,
    *,
    by: Any,
    body: str,
    outcome: str,
    told_on: datetime | None = None,
    reference: str = "",
    made_by: str = "",
    reason: str = "",
    body_name: str = "",
) -> BodyNotice:
    """Record that an outside body was told (when, their reference, who told them), or that a
    body on the checklist need not be told (why)."""
    if body not in Body.values:
        raise StepRefused("Choose a body from the list.")
    if outcome == BodyNotice.Outcome.TOLD and told_on is None:
        raise StepRefused("Enter when they were told.")
    if outcome == BodyNotice.Outcome.NOT_NEEDED and not reason.strip():
        raise StepRefused("Enter why they need not be told.")
    if told_on is not None and told_on > clock.now():
        raise StepRefused("When they were told must be in the past.")
    with transaction.atomic():
        incident = _lock(incident)
        notice = BodyNotice.objects.create(
            incident=incident,
            body=body,
            body_name=body_name if body == Body.OTHER else "",
            outcome=outcome,
            told_on=told_on if outcome == BodyNotice.Outcome.TOLD else None,
            reference=reference if outcome == BodyNotice.Outcome.TOLD else "",
            made_by=made_by if outcome == BodyNotice.Outcome.TOLD else "",
            reason=reason if outcome == BodyNotice.Outcome.NOT_NEEDED else "",
            recorded_by=by,
            recorded_on=clock.now(),
        )
        told = outcome == BodyNotice.Outcome.TOLD
        publish(
            incident,
            "parties.body_told" if told else "parties.body_not_needed",
            by,
            target=notice,
            after={"body": body, "name": notice.name}
            | ({"told_on": _when(told_on), "reference": reference, "made_by": made_by} if told else {}),
            reason="" if told else reason,
        )
    return notice


def set_rules(
    *,
    organisation: Organisation,
    incident_type: IncidentType,
    by: Any,
    chosen: dict[str, int | None],
) -> None:
    """The organisation's own rules for `incident_type`: the bodies in `chosen` are told (each
    within its hours, or None), every other body is not. Overrides the organisation above."""
    with transaction.atomic():
        own = {
            r.body: r
            for r in BodyRule.objects.select_for_update().filter(organisation=organisation, incident_type=incident_type)
        }
        before = {b: (r.hours if r.applies else "no") for b, r in own.items()}
        after: dict[str, Any] = {}
        for body in Body.values:
            applies = body in chosen
            hours = chosen.get(body) if applies else None
            row = own.get(body) or BodyRule(organisation=organisation, incident_type=incident_type, body=body)
            row.applies, row.hours = applies, hours
            row.save()
            after[body] = hours if applies else "no"
        record(
            organisation_id=organisation.pk,
            action="body_rules.changed",
            actor=by,
            target=incident_type,
            before=before or None,
            after={"incident_type": incident_type.name, "bodies": after},
        )
        due_facts_changed.send(BodyRule, organisation=organisation)


def inherit_rules(*, organisation: Organisation, incident_type: IncidentType, by: Any) -> None:
    """Remove the organisation's own rules for `incident_type`: the organisation above's apply."""
    with transaction.atomic():
        rows = BodyRule.objects.filter(organisation=organisation, incident_type=incident_type)
        before = {r.body: (r.hours if r.applies else "no") for r in rows}
        if not before:
            return
        rows.delete()
        record(
            organisation_id=organisation.pk,
            action="body_rules.inherited",
            actor=by,
            target=incident_type,
            before=before,
            after={"incident_type": incident_type.name, "bodies": "as the organisation above"},
        )
        due_facts_changed.send(BodyRule, organisation=organisation)
