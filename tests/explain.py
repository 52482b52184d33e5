"""Which captured queries read a whole table: EXPLAIN on the engine the tests run on.

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert full_scans(captured.captured_queries, "incidents_incident") == []

SQLite: a plan line "SCAN <table or its alias>" without "USING ... INDEX" reads every row.
PostgreSQL: "Seq Scan on <table>". With few rows PostgreSQL rightly prefers a sequential scan,
so each plan is asked with `enable_seqscan` off (in a savepoint rolled back after): a Seq Scan
still chosen then means no index can serve the query at all.
"""

import re
from typing import Any

from django.db import connection, transaction


def _aliases(sql: str, table: str) -> set[str]:
    """The table's own name and every alias the query gives it (`"incidents_incident" U0`)."""
    found = re.findall(rf'"{table}"\s+(?:AS\s+)?"?(\w+)"?', sql)
    return {table} | {name for name in found if name.upper() not in {"ON", "WHERE", "INNER", "LEFT", "AS"}}


def plan(sql: str) -> list[str]:
    """The engine's plan of one (already interpolated) statement, one line per step."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            lines = [row[-1] for row in cursor.fetchall()]
        transaction.set_rollback(True)  # takes the SET LOCAL back with it
    return lines


def full_scans(queries: list[dict[str, Any]], table: str) -> list[str]:
    """The plans (as text, with their query) of the `queries` that read all of `table`."""
    found = []
    for query in queries:
        sql = query["sql"]
        if f'"{table}"' not in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        names = _aliases(sql, table)
        lines = plan(sql)
        if connection.vendor == "postgresql":
            bad = [line for line in lines if re.search(rf"Seq Scan on {table}\b", line)]
        else:
            bad = [
                line
                for line in lines
                if (words := line.split()) and words[0] == "SCAN" and words[1] in names and "INDEX" not in line
            ]
        if bad:
            found.append("\n".join([sql, *lines]))
    return found
