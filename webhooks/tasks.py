"""Background work of webhooks, run by the worker (`manage.py db_worker`).

`deliver_webhooks` is queued after every commit that writes a delivery, and every minute by
the scheduler (`manage.py crontask`) for retries and for anything a crash left behind. Running
it twice, or on several workers at once, sends nothing twice (`delivery.claim`).
"""

from crontask import cron
from django.db import connection, transaction
from django.tasks import task

from lib import clock

from . import delivery


@cron("* * * * *")
@task()
def deliver_webhooks() -> dict[str, int]:
    """Send the webhook deliveries that are due."""
    return delivery.deliver()


def kick_after_commit() -> None:
    """Ask the worker to send deliveries once this transaction commits (once per transaction)."""
    if any(getattr(entry[1], "_webhook_kick", False) for entry in connection.run_on_commit):
        return
    stamp = clock.frozen()  # an anonymous reporter's coarse time, kept on the job's row too

    def kick() -> None:
        with clock.frozen_at(stamp):
            clock.enqueue(deliver_webhooks)

    kick._webhook_kick = True  # type: ignore[attr-defined]
    transaction.on_commit(kick)
