from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents.registry import subscribe

        from .models import Escalation
        from .tasks import tell_reporter_after_status_change

        subscribe(tell_reporter_after_status_change, "incident.")

        describe_action("timescales.changed", "Timescales changed")
        describe_action("reporter.progress_told", "Reporter told of progress")
        for kind in Escalation.Kind:
            describe_action(f"escalation.{kind.value}", f"Escalated: {kind.label[:1].lower()}{kind.label[1:]}")
