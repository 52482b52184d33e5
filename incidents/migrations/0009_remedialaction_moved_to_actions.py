"""RemedialAction now belongs to the actions app (actions 0001 says how; the table is untouched).

Every migration that re-points a foreign key at actions.RemedialAction names this one in its
`run_before`, so by the time the model leaves this app's state nothing points at it here.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("incidents", "0008_builtins_unique")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RemedialAction")],
            database_operations=[],
        )
    ]
