"""Database triggers that keep the record append-only, on SQLite and PostgreSQL alike.

- `audit_event`: UPDATE and DELETE refused.
- `audit_chainhead`: DELETE refused, and an UPDATE may only move a head forward (a higher
  sequence), so the application's database account cannot truncate a chain's tail and
  point the head back.

Whoever owns the database (or holds the SQLite file) can still drop the triggers; the
keyed chain and the checkpoints outside the database catch what they then do
(docs/record.md). On SQLite, Django rebuilds a table to alter it, which drops its triggers:
a migration that alters these tables must call `create(connection)` again
(tests/test_record_attacks.py checks the triggers exist after every migration).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
    BEGIN SELECT RAISE(ABORT, 'audit_chainhead is append-only: DELETE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_chainhead_forward_only BEFORE UPDATE ON audit_chainhead
    WHEN NEW.sequence <= OLD.sequence OR NEW.organisation_id <> OLD.organisation_id
    BEGIN SELECT RAISE(ABORT, 'audit_chainhead is append-only: a head only moves forward'); END""",
]
SQLITE_NAMES = [
    "audit_event_no_update",
    "audit_event_no_delete",
    "audit_chainhead_no_delete",
    "audit_chainhead_forward_only",
]

# The event trigger itself is migration 0002's (audit_event_append_only); this adds the head's.
POSTGRESQL_CREATE = [
    """CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_chainhead is append-only: DELETE refused';
    END IF;
    IF NEW.sequence <= OLD.sequence OR NEW.organisation_id <> OLD.organisation_id THEN
        RAISE EXCEPTION 'audit_chainhead is append-only: a head only moves forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_chainhead_forward_only
    BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_forward_only()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_chainhead",
    "DROP FUNCTION IF EXISTS audit_chainhead_forward_only()",
]
POSTGRESQL_TRIGGERS = [("audit_event", "audit_event_append_only"), ("audit_chainhead", "audit_chainhead_forward_only")]


def create(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_CREATE:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for sql in POSTGRESQL_CREATE:
                cursor.execute(sql)


def drop(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for sql in POSTGRESQL_DROP:
                cursor.execute(sql)


def present(connection: Any) -> set[str]:
    """The names of the guard triggers the database has now."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Switch the guards off for one privileged operation of the database's owner (a migration
    that re-keys the chains, a test emptying its database), and always on again after."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            drop(connection)
        elif connection.vendor == "postgresql":
            for table, name in POSTGRESQL_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                create(connection)
            elif connection.vendor == "postgresql":
                for table, name in POSTGRESQL_TRIGGERS:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
