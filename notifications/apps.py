from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents.registry import subscribe
        from organisations.grants import grant_event

        from .audiences import on_grant_event, on_incident_event

        # Who is told of each step: the audience table, reacting to the step's event.
        subscribe(on_incident_event, "incident.", "reporter.message_sent", "outside.invited")
        # Who is told of a request to give the DPO, SIRO or admin role, and its decision.
        grant_event.connect(on_grant_event, dispatch_uid="notifications.on_grant_event")
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()

        describe_action("notification.retried", "Failed email sent again")
        describe_action("informed_party.added", "Informed party added")
        describe_action("informed_party.removed", "Informed party removed")
