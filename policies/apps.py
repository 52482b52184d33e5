from typing import Any

from django.apps import AppConfig

# Set when a person signs in; their home page then asks them, once, to read what is new.
PROMPT_AFTER_SIGN_IN = "policies_prompt"


class PoliciesConfig(AppConfig):
    """The organisation's policies: versions drafted, approved, published, read and acknowledged."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Policies"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from audit.models import describe_action
        from insights.dashboard import add_figure
        from insights.pack import add_part

        from . import settings_lines
        from .figures import acknowledged_figure
        from .governor_pack import pack_part

        for action, words in (
            ("policy.drafted", "Policy version drafted"),
            ("policy.version_changed", "What changed in the policy version written"),
            ("policy.point_added", "Policy point added"),
            ("policy.point_changed", "Policy point changed"),
            ("policy.point_removed", "Policy point removed"),
            ("policy.point_moved", "Policy point moved"),
            ("policy.approved", "Policy version approved"),
            ("policy.published", "Policy version published"),
            ("policy.acknowledged", "Policy version read and acknowledged"),
            ("policy.acknowledge_reminded", "Staff reminded to read the policy"),
            ("policy.review_reminded", "Policy owner reminded of the review"),
        ):
            describe_action(action, words)
        for action, words in (
            ("exception.requested", "Exception asked for"),
            ("exception.approved", "Exception approved"),
            ("exception.refused", "Exception refused"),
            ("exception.expiring", "Holder and approver told the exception ends soon"),
            ("exception.expired", "Exception ended"),
            ("proposal.made", "Change to the policy suggested"),
            ("proposal.accepted", "Suggestion accepted for the next draft"),
            ("proposal.rejected", "Suggestion rejected"),
            ("proposal.deferred", "Suggestion deferred"),
            ("incident.policy_points_recorded", "Policy points broken recorded"),
            ("incident.exception_named", "Exception in force named"),
        ):
            describe_action(action, words)
        settings_lines.register()
        add_figure("policy_acknowledged", acknowledged_figure)
        add_part("policy", pack_part)  # acknowledgements and exceptions in force in the governor pack
        user_logged_in.connect(_ask_after_sign_in, dispatch_uid="policies_prompt_after_sign_in")


def _ask_after_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[PROMPT_AFTER_SIGN_IN] = True
