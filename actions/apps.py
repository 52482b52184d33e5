from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """Remedial actions: the model, and the pages for raising, tracking and finishing them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"
    verbose_name = "Remedial actions"

    def ready(self) -> None:
        from audit.models import describe_action

        describe_action("action.created", "Remedial action added")
        describe_action("action.changed", "Remedial action changed")
        describe_action("action.done", "Remedial action done")
        describe_action("action.cancelled", "Remedial action cancelled")
        describe_action("action.reopened", "Remedial action reopened")
