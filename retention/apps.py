from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"

    def ready(self) -> None:
        from audit.backup import add_after_restore
        from audit.models import describe_action

        from .ledger import replay
        from .settings_lines import register

        register()
        add_after_restore(replay)
        describe_action("incident.legal_hold_set", "Legal hold set")
        describe_action("incident.legal_hold_lifted", "Legal hold lifted")
        describe_action("incident.disposed", "Disposed of")
        describe_action("retention.disposed", "Incident disposed of")
        describe_action("retention.kept", "Kept past its retention")
        describe_action("retention.schedule_changed", "Retention schedule changed")
        describe_action("retention.messages_removed", "Reporter messages and receipt removed")
