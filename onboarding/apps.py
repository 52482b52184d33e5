from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Bringing people and organisations in, and seeing who has left"

    def ready(self) -> None:
        from audit.models import describe_action

        describe_action("people_import.run", "People brought in from a file")
        describe_action("person.added", "Person added to Incident Desk")
        describe_action("organisation_import.run", "Organisations brought in from a file")
        describe_action("organisation.created", "Organisation created")
        describe_action("leaver.flagged", "Person flagged: no sign-in for a long time")

        from .settings_lines import register

        register()
