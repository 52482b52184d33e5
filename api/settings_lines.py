"""Service accounts for other systems: a line on an organisation's settings page
(`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import ServiceAccount


def service_accounts_line(organisation: Organisation) -> str:
    active = ServiceAccount.objects.filter(organisation=organisation, disabled_on__isnull=True).count()
    if not active:
        return "None: no other system reads or reports incidents here through the API."
    return f"{active} other system{'' if active == 1 else 's'} may use the API here, each with its own tokens."


def register() -> None:
    add_setting(
        "Service accounts for the API",
        order=96,
        state=service_accounts_line,
        links=lambda o: [(reverse("api:service_accounts", args=[o.uuid]), "Change")],
    )
