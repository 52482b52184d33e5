"""The engine's full-text index over `learning_searchentry.body`, one per vendor.

SQLite: an FTS5 table with the entries as its external content, kept by triggers, so it
changes in the same statement (and transaction) as the entry. PostgreSQL: a tsvector column
generated from the body with the `simple` configuration, under a GIN index.
"""

from typing import Any

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE learning_searchtext USING fts5("
    "body, content='learning_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER learning_searchentry_ai AFTER INSERT ON learning_searchentry BEGIN "
    "INSERT INTO learning_searchtext(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER learning_searchentry_ad AFTER DELETE ON learning_searchentry BEGIN "
    "INSERT INTO learning_searchtext(learning_searchtext, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER learning_searchentry_au AFTER UPDATE OF body ON learning_searchentry BEGIN "
    "INSERT INTO learning_searchtext(learning_searchtext, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO learning_searchtext(rowid, body) VALUES (new.id, new.body); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS learning_searchentry_au",
    "DROP TRIGGER IF EXISTS learning_searchentry_ad",
    "DROP TRIGGER IF EXISTS learning_searchentry_ai",
    "DROP TABLE IF EXISTS learning_searchtext",
]
POSTGRESQL = [
    "ALTER TABLE learning_searchentry ADD COLUMN document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED",
    "CREATE INDEX learning_searchentry_document ON learning_searchentry USING GIN (document)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS learning_searchentry_document",
    "ALTER TABLE learning_searchentry DROP COLUMN IF EXISTS document",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_search_known_errors_training")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
