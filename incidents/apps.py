from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def seed_builtins(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    """Re-run the built-in seed after every migrate, and so after a test flush empties the tables.

    The seed uses get_or_create, so it adds only what is missing.
    """
    if apps is None:  # `flush` sends the signal without the migration state: use the app registry
        from django.apps import apps as registry

        apps = registry
    try:
        import_module("incidents.migrations.0003_builtin_incident_types").add_types(apps, None)
    except LookupError:  # migrated backwards past the model
        return


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        post_migrate.connect(seed_builtins, sender=self)
        from audit.models import describe_action

        describe_action("incident.reported", "Reported")
        describe_action("incident.viewed", "Viewed")
