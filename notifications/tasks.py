"""Background work of notifications, run by the worker (`manage.py db_worker`).

`deliver_outbox` is queued after every commit that writes to the outbox, and every
minute by the scheduler (`manage.py crontask`) for retries and for anything a crash
left behind. Both are idempotent: running them twice sends nothing twice.
"""

from crontask import cron
from django.db import transaction
from django.tasks import task

from incidents.models import Incident

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
        incident = Incident.objects.select_related("organisation", "reported_by").get(pk=incident_id)
        tell(Occasion("report_received", incident=incident))
