from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self) -> None:
        from . import mfa, powers  # noqa: F401 (connect the signals: kept memberships fresh, enrolment passes)
