from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self) -> None:
        from audit.models import describe_action

        from . import powers  # noqa: F401 (connects the signals that keep kept memberships fresh)

        describe_action("role_grant.requested", "Asked for a role to be given (waiting for approval)")
        describe_action("role_grant.approved", "Role given, approved by a second person")
        describe_action("role_grant.refused", "Request for a role refused")
