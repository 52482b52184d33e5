"""Hearing the registry's events: one delivery row per subscription that wants the event.

Called by `incidents.registry.publish` inside the event's transaction, so a delivery exists
if and only if its event committed (the outbox pattern); the worker is kicked after commit.
The body is built by the worker when it first sends the row (`delivery.prepare`), from the
event on the record: by then everything the event's transaction wrote is there (a report
made anonymous after its first event is anonymous, and its times are shown to the day).
"""

from typing import Any

from django.db import IntegrityError, transaction

from incidents.models import Incident
from lib import clock

from .events import types_of
from .models import Delivery, Subscription


def on_incident_event(event: Any, incident: Incident) -> None:
    names = types_of(event)
    if not names:
        return
    subscriptions = [
        s
        for s in Subscription.objects.filter(
            organisation_id__in=incident.organisation.ancestor_ids(), status=Subscription.Status.ACTIVE
        ).select_related("details_granted_by")
        if set(names) & set(s.events)
    ]
    if not subscriptions:
        return
    now = clock.now()  # frozen at the day for what an anonymous report's arrival writes
    for subscription in subscriptions:
        for name in names:
            if name not in subscription.events:
                continue
            try:
                with transaction.atomic():
                    Delivery.objects.create(
                        subscription=subscription,
                        incident=incident,
                        event_type=name,
                        event_id=event.pk,
                        next_attempt_on=now,
                        created_on=now,
                    )
            except IntegrityError:
                continue  # already written for this event (a repeated call)
    from .tasks import kick_after_commit

    kick_after_commit()
