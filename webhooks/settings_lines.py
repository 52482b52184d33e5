"""The webhooks' line on an organisation's settings page (`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import Subscription


def webhooks_line(organisation: Organisation) -> str:
    statuses = list(Subscription.objects.filter(organisation=organisation).values_list("status", flat=True))
    if not statuses:
        return "None: no other system is sent this organisation's incident events."
    active = sum(1 for status in statuses if status == Subscription.Status.ACTIVE)
    rest = len(statuses) - active
    line = f"{active} address{'' if active == 1 else 'es'} sent incident events"
    return line + (f"; {rest} paused or turned off." if rest else ".")


def register() -> None:
    add_setting(
        "Webhooks",
        order=95,
        state=webhooks_line,
        links=lambda o: [(reverse("webhooks:list", args=[o.uuid]), "Change")],
    )
