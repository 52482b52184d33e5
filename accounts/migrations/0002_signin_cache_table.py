"""The database cache table of the default cache (settings.CACHES).

A table, not memory, so that every worker process shares sign-in throttling (allauth's
failed sign-in counts) and the record of authenticator codes already used (a code cannot be
replayed through another process). Rows expire within minutes.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", "accounts_signin_cache", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS accounts_signin_cache")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
