"""Background work of reports by email, run by the worker (`manage.py db_worker`)."""

from crontask import cron
from django.tasks import task

from . import fetching


@cron("* * * * *")
@task()
def fetch_mail() -> dict[str, int]:
    """Fetch reports waiting in the organisations' mailboxes (idempotent, several workers safe)."""
    return fetching.fetch_all()
