from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        from audit.models import describe_action

        describe_action("incident.reported", "Reported")
        describe_action("incident.viewed", "Viewed")
