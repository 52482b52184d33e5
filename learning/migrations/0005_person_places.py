"""The places a person may be named, as entries of the search index ("find a person").

The new kinds only widen the choices; the entries for the rows already there are written with the
rest of the index when 0006 rebuilds it in blind words.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0004_search_org_kind"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("incident", "Incident"),
                    ("lesson", "Lesson"),
                    ("known_error", "Known error"),
                    ("people", "The report's people"),
                    ("reporter", "Reporter"),
                    ("message", "Reporter message"),
                    ("note", "Note"),
                    ("evidence", "Evidence file name"),
                    ("breach", "Breach record"),
                    ("correction", "Correction"),
                    ("outcome", "Outcome report"),
                ],
                max_length=20,
            ),
        ),
    ]
