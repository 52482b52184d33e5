"""Index the incidents that were there before the search index was (an upgraded installation).

Without this, the incident list's search (which now goes through the index) would find none of
them until someone ran `manage.py rebuild_search_index`. It calls the running code's `rebuild`
rather than historical models on purpose: the entries must be exactly what the live index writes.
"""

from typing import Any

from django.db import migrations


def index_existing(apps: Any, schema_editor: Any) -> None:
    incidents = apps.get_model("incidents", "Incident")
    entries = apps.get_model("learning", "SearchEntry")
    if not incidents.objects.exists() or entries.objects.exists():
        return
    from learning.search import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_search_index")]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
