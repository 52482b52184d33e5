from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"

    def ready(self) -> None:
        from audit.models import describe_action

        from . import mfa, powers  # noqa: F401 (connect the signals: kept memberships fresh, enrolment passes)

        describe_action("role_grant.requested", "Asked for a role to be given (waiting for approval)")
        describe_action("role_grant.approved", "Role given, approved by a second person")
        describe_action("role_grant.refused", "Request for a role refused")
