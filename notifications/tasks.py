"""Background work of notifications, run by the worker (`manage.py db_worker`).

`deliver_outbox` is queued after every commit that writes to the outbox, and every
minute by the scheduler (`manage.py crontask`) for retries and for anything a crash
left behind. Both are idempotent: running them twice sends nothing twice.
"""

from contextlib import AbstractContextManager, nullcontext

from crontask import cron
from django.db import transaction
from django.tasks import task

from incidents.models import Incident
from lib import clock

from . import delivery


@cron("* * * * *")
@task()
def deliver_outbox() -> dict[str, int]:
    """Send the emails that are due."""
    return delivery.deliver()


@cron("0 7 * * *")
@task()
def send_digests() -> int:
    """Each morning, one email per person with the notifications they chose as a digest."""
    return delivery.send_digests()


@task()
def send_report_notifications(incident_id: int) -> None:
    """Acknowledge a report to its reporter; tell the handlers and the informed parties.

    Queued in the transaction that stores the report. Writes to the outbox in one
    transaction and remembers that it did (InformedNotice), so a second run writes nothing.
    """
    from .audiences import Occasion, tell

    with transaction.atomic():
        incident = Incident.objects.select_related("organisation", "reported_by", "recorded_by").get(pk=incident_id)
        # The reporter is the actor: the handler who reports is not told of their own report,
        # nor the handler who took it down for someone (`intake.behalf`).
        actor = incident.recorded_by or (None if incident.reporter_anonymous else incident.reported_by)
        with _reporters_stamp(incident):
            tell(Occasion("report_received", incident=incident, actor=actor))


@task()
def tell_of_reporter_reply(incident_id: int) -> None:
    """Tell the handlers that the anonymous reporter wrote back (queued with a delay)."""
    from .audiences import Occasion, tell

    with transaction.atomic():
        incident = Incident.objects.select_related("organisation").get(pk=incident_id)
        with _reporters_stamp(incident):
            tell(Occasion("reporter.wrote", incident=incident))


def _reporters_stamp(incident: Incident) -> AbstractContextManager[None]:
    """For an anonymous report, rows written now carry the coarse time (lib/clock.py)."""
    if not incident.reporter_anonymous:
        return nullcontext()
    return clock.frozen_at(clock.coarse(clock.now(), clock.precision_of(incident)))
