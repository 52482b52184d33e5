"""What each new database connection is given beyond Django's own settings.

Times from PostgreSQL: Django reads every `timestamptz` through a loader of its own written in
Python, which has psycopg's compiled loader read the value and then sets its zone to the
connection's. When that zone is UTC, as Django asks of the session when it connects (USE_TZ, no
TIME_ZONE for the database), the compiled loader already gives the same value, zone included:
the extra step costs 1 to 2 microseconds a time, and the monitoring log's export reads four or
five times a row (a million-row export spends 5 s on it). So the connection's loader for
`timestamptz` keeps Django's class (Django checks its `timezone`) and calls psycopg's compiled
`load` directly.
"""

from datetime import UTC
from functools import cache
from typing import Any


def fast_times(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On `connection_created`: PostgreSQL's times read by psycopg's compiled loader when the
    connection's zone is UTC (elsewhere nothing changes)."""
    if connection.vendor == "postgresql" and connection.timezone is UTC:
        connection.connection.adapters.register_loader("timestamptz", _utc_times())


@cache
def _utc_times() -> type:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class UtcTimes(BaseTzLoader):
        timezone = UTC

        def __init__(self, oid: int, context: Any) -> None:
            super().__init__(oid, context)
            self.load = self.orig_loader.load

    return UtcTimes
