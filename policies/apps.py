from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """The organisation's policies: versions drafted, approved, published, read and acknowledged."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "policies"
    verbose_name = "Policies"
