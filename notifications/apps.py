from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from audit.models import describe_action

        describe_action("notification.retried", "Failed email sent again")
        describe_action("informed_party.added", "Informed party added")
        describe_action("informed_party.removed", "Informed party removed")
