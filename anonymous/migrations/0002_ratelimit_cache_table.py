"""The database cache table of the `ratelimits` cache (settings.CACHES).

A table, not memory, so that every worker process shares the counts. It holds only
keyed hashes and counts.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", "anonymous_ratelimits", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS anonymous_ratelimits")


class Migration(migrations.Migration):
    dependencies = [("anonymous", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
