"""In-app notification links become paths within the site ("/incidents/…"), as `notify` now
writes them, so they work on whatever host and port serve the page. Emails keep SITE_URL."""

from typing import Any
from urllib.parse import urlsplit

from django.db import migrations


def relative(apps: Any, schema_editor: Any) -> None:
    Notification = apps.get_model("notifications", "Notification")
    for row in Notification.objects.filter(link__contains="://").only("pk", "link"):
        parts = urlsplit(row.link)
        path = (
            (parts.path or "/")
            + (f"?{parts.query}" if parts.query else "")
            + (f"#{parts.fragment}" if parts.fragment else "")
        )
        Notification.objects.filter(pk=row.pk).update(link=path)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(relative, migrations.RunPython.noop)]
