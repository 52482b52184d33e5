"""The places a person may be named, as entries of the search index ("find a person").

The new kinds only widen the choices; the entries for the rows already there are written by the
running code's `places.entries_for` (as 0003 did for incidents), so they are exactly what the live
index writes. It runs after the latest migrations of the apps whose rows it reads.
"""

from typing import Any

from django.db import migrations, models


def index_places(apps: Any, schema_editor: Any) -> None:
    incidents = apps.get_model("incidents", "Incident")
    entries = apps.get_model("learning", "SearchEntry")
    if not incidents.objects.exists():
        return
    from learning import places

    kinds = [kind for kind in places.PLACES if kind != "incident"]
    entries.objects.filter(kind__in=kinds).delete()
    ids = list(incidents.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        found = places.entries_for(ids[start : start + 2000])
        entries.objects.bulk_create(
            [
                entries(**{f.attname: getattr(e, f.attname) for f in e._meta.concrete_fields if f.name != "id"})
                for e in found
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0004_search_org_kind"),
        ("incidents", "0019_list_indexes"),
        ("evidence", "0001_initial"),
        ("breaches", "0002_decision_severity"),
        ("accounts", "0002_signin_cache_table"),  # the reporter's account is read (select_related)
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
        migrations.RunPython(index_places, migrations.RunPython.noop),
    ]
