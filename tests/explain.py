"""Query plans of captured queries: which of them read a whole table rather than an index.

`full_scans(queries, "incidents_incident")` takes what `CaptureQueriesContext` captured and
returns the plan of every query whose plan reads the table from end to end: on SQLite a plain
"SCAN incidents_incident" in EXPLAIN QUERY PLAN (a "SCAN … USING INDEX" walks an index in order
and is not one); on PostgreSQL a "Seq Scan on incidents_incident" in EXPLAIN, asked with
`SET LOCAL enable_seqscan = off` inside the same transaction, so a sequential scan appears only
where no index can answer the query at all (a small test table would otherwise be read whole
because that is cheaper, whatever indexes exist).
"""

import re
from typing import Any

from django.db import connection, transaction


def plan(sql: str, params: Any = None) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def scans_table(text: str, table: str) -> bool:
    if connection.vendor == "postgresql":
        return re.search(rf"Seq Scan on {re.escape(table)}\b", text) is not None
    return re.search(rf"\bSCAN {re.escape(table)}(?: AS \w+)?\s*$", text, re.MULTILINE) is not None


def full_scans(queries: list[dict[str, Any]], table: str) -> list[str]:
    """The SQL and plan of each captured read of `table` that scans it whole."""
    found = []
    for query in queries:
        sql = query["sql"]
        if table not in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        # The captured SQL has its parameters filled in by the driver (psycopg) or Django's
        # quoting (SQLite), so it is explained as it ran.
        text = plan(sql)
        if scans_table(text, table):
            found.append(f"{sql}\n--\n{text}")
    return found
