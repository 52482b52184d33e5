from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "inbound"
    verbose_name = "Reports by email"

    def ready(self) -> None:
        from audit.models import describe_action

        for action, text in {
            "mail.reported": "Email received and stored as this report",
            "mail.replied": "Email from the reporter added",
            "mail.refused": "Email refused",
            "mail_intake.address_set": "Intake address for reports by email set",
            "mail_intake.mailbox_saved": "Mailbox for reports by email saved",
            "mail_intake.mailbox_removed": "Mailbox for reports by email removed",
        }.items():
            describe_action(action, text)
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()
