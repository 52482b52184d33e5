from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents.registry import subscribe

        from .events import PREFIXES
        from .subscriber import on_incident_event

        # Each event of the table becomes a delivery row in the event's own transaction.
        subscribe(on_incident_event, *PREFIXES)
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()
        describe_action("webhook.added", "Webhook added")
        describe_action("webhook.changed", "Webhook changed")
        describe_action("webhook.paused", "Webhook paused")
        describe_action("webhook.resumed", "Webhook resumed")
        describe_action("webhook.removed", "Webhook removed")
        describe_action("webhook.disabled", "Webhook turned off after repeated failures")
