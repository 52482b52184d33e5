from django.apps import AppConfig

from core.seeding import reseed_after_migrate


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        reseed_after_migrate(self, "incidents.migrations.0003_builtin_incident_types", "add_types")
        from audit.models import describe_action

        describe_action("incident.reported", "Reported")
        describe_action("incident.viewed", "Viewed")
