from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "inbound"
    verbose_name = "Reports by email"

    def ready(self) -> None:
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()
