from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """The front door: the staff report form, its confirmation and a reporter's own reports."""

    name = "intake"
