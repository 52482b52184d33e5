"""Built-in incident types and checklist items that exist twice become one row (before 0008).

Whatever pointed at a copy points at the kept row afterwards (incidents.builtins.merge_duplicate_builtins).
Its own migration, so on PostgreSQL the re-pointing is committed before 0008 builds its
indexes on the same tables.
"""

from django.db import migrations

from incidents.builtins import merge_duplicate_builtins


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_investigation_content_types")]

    # Nothing to undo: the copies were never meant to exist.
    operations = [migrations.RunPython(merge_duplicate_builtins, migrations.RunPython.noop)]
