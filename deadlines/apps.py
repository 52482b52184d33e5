from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from actions.models import RemedialAction
        from audit.models import describe_action
        from incidents.registry import subscribe

        from .models import Escalation
        from .store import on_action_saved, on_due_facts_changed, on_incident_event
        from .tasks import tell_reporter_after_status_change

        # First, so reactions after it (and the pages after the step) read current deadlines.
        subscribe(on_incident_event, "incident.", "breach.", "reporter.", "parties.")
        subscribe(tell_reporter_after_status_change, "incident.")
        # Actions are saved from several apps (actions pages, six-month reviews, imports): the
        # model's own signal catches every one of them, and it runs in the saver's transaction.
        post_save.connect(on_action_saved, sender=RemedialAction, dispatch_uid="deadlines.action_saved")

        from parties.signals import due_facts_changed

        due_facts_changed.connect(on_due_facts_changed, dispatch_uid="deadlines.due_facts_changed")
        describe_action("timescales.changed", "Timescales changed")
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()
        describe_action("reporter.progress_told", "Reporter told of progress")
        for kind in Escalation.Kind:
            describe_action(f"escalation.{kind.value}", f"Escalated: {kind.label[:1].lower()}{kind.label[1:]}")
