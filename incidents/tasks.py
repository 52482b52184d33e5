"""The daily tidy of outside help, queued by the scheduler (`manage.py crontask`) and run by the worker."""

from crontask import cron
from django.tasks import task


@cron("10 0 * * *")
@task()
def tidy_outside_help() -> int:
    """Record each outside person's access that reached its end date. The access already
    stopped at that moment (`visible_to` asks the date on every request); this writes it on
    the incident's record and marks it ended. Safe to run twice."""
    from .restriction import tidy_lapsed

    return tidy_lapsed()


@task()
def take_bulk_run(bulk_run_id: int) -> int:
    """Take a queued step on a selection (`lifecycle.bulk.queue`), a batch at a time, to the end.

    Each batch commits with its progress, so the bulk page shows it growing; run twice, or by
    two workers at once, each incident is still taken once. Returns the batches taken."""
    from .lifecycle.bulk import take_batch

    batches = 0
    while take_batch(bulk_run_id):
        batches += 1
    return batches + 1
