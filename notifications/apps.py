from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents.registry import subscribe

        from .audiences import on_incident_event

        # Who is told of each step: the audience table, reacting to the step's event.
        subscribe(on_incident_event, "incident.", "reporter.message_sent")

        describe_action("notification.retried", "Failed email sent again")
        describe_action("informed_party.added", "Informed party added")
        describe_action("informed_party.removed", "Informed party removed")
