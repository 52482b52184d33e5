"""Events name the key their HMAC is made with; triggers guard events and chain heads on both engines.

The key ids are filled by 0004, which re-keys the existing chains.
"""

from django.db import migrations, models

from audit import guards


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    guards.create(schema_editor.connection)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    guards.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.AddField(
            model_name="event",
            name="key_id",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, backwards),
    ]
