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

from django.db.models import Lookup, Subquery


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


class AmongFew(Lookup):
    """`field IN (subquery)` for a subquery known to give few ids, asked so that PostgreSQL walks
    them: there as `= ANY(ARRAY(subquery))`, which its planner takes for a short list to look up
    through the field's index; elsewhere a plain IN. Used as an expression:
    `queryset.filter(AmongFew(F("pk"), few_ids))`.

    Why: PostgreSQL estimates a partial index's rows from the columns' separate statistics, not
    from the index. "Open deadlines" (neither met nor stopped) are 1 % of a million incidents'
    3.2 million deadlines, estimated at 17 %, so `incident.id IN (the open deadlines' incidents)`
    was planned as a hash join over a scan of every incident (1.3 s of a county DPO's dashboard
    at a million incidents; 180 ms looked up by id).
    """

    lookup_name = "among_few"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Any) -> None:
        super().__init__(lhs, rhs if isinstance(rhs, Subquery) else Subquery(rhs))

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = compiler.compile(self.rhs)
        form = "%s = ANY(ARRAY%s)" if connection.vendor == "postgresql" else "%s IN %s"
        return form % (lhs, rhs), (*lhs_params, *rhs_params)
