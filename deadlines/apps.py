from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from audit.models import describe_action

        from .models import Escalation

        describe_action("timescales.changed", "Timescales changed")
        describe_action("reporter.progress_told", "Reporter told of progress")
        for kind in Escalation.Kind:
            describe_action(f"escalation.{kind.value}", f"Escalated: {kind.label[:1].lower()}{kind.label[1:]}")
