"""The record's periodic work, queued by the scheduler (`manage.py crontask`), run by the worker."""

from crontask import cron
from django.conf import settings
from django.tasks import task

from . import checkpoint


@cron("*/15 * * * *")
@task()
def write_checkpoint() -> int:
    """Every 15 minutes, a signed checkpoint of every chain head in RECORD_CHECKPOINT_FILE."""
    return len(checkpoint.write().heads)


@cron("30 6 * * *")
@task()
def email_checkpoint() -> int:
    """Each morning, a fresh checkpoint emailed to RECORD_CHECKPOINT_EMAILS (the DPO), kept out of reach."""
    return checkpoint.email(checkpoint.write(), settings.RECORD_CHECKPOINT_EMAILS)
