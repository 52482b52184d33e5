from django.apps import AppConfig


class CasefileConfig(AppConfig):
    """The full case file of an incident as a tagged PDF, for its handlers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "casefile"
    verbose_name = "Case file"

    def ready(self) -> None:
        from audit.models import describe_action

        describe_action("incident.case_file_downloaded", "Case file downloaded")
