"""Bringing people in from a file, and leavers: a line on an organisation's settings page
(`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import DormantAccount


def people_in_bulk_line(organisation: Organisation) -> str:
    flagged = DormantAccount.objects.filter(organisation=organisation).count()
    if not flagged:
        return "Import or export people from a file; nobody is flagged as a possible leaver."
    return f"Import or export people from a file; {flagged} flagged as a possible leaver (no sign-in for a long time)."


def register() -> None:
    add_setting(
        "People in bulk and leavers",
        order=12,
        state=people_in_bulk_line,
        links=lambda o: [(reverse("onboarding:people", args=[o.uuid]), "Change")],
    )
