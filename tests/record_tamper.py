"""Changing the record behind the application's back, as someone holding the database could."""

from typing import Any

from django.db import connection

from audit import guards


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Run `sql` with the append-only guards out of the way: on PostgreSQL a superuser switches
    triggers off for the session; on SQLite whoever holds the file drops them (and here makes
    them again after)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
            return
    with guards.lifted(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)
