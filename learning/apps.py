from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Lessons, known errors and training, and the one full-text search across them (floor 8)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = "Lessons, known errors and training"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents import registry
        from insights import pack

        from . import places, search
        from .pack import training_section

        registry.subscribe(search.on_incident_event, "incident.", "note.", "outcome.")
        search.connect_signals()
        places.connect_signals()
        pack.add_section(training_section)
        registry.set_text_search(search.filter_incidents)
        describe_action("known_error.raised", "Known error raised")
        describe_action("known_error.changed", "Known error changed")
        describe_action("training.recorded", "Training recorded")
        describe_action("training.imported", "Training imported")
        describe_action("person.searched", "Searched for a person")
        describe_action("person.bundle_exported", "Exported a subject access bundle")
