from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self) -> None:
        from . import powers  # noqa: F401 (connects the signals that keep kept memberships fresh)
