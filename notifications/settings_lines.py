"""The informed parties' line on an organisation's settings page (`organisations.settings_hub`).

Notifications have no defaults set per organisation: each person's usual mode follows their
role (`audiences.usual_mode`) and they change it on their own preferences page.
"""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import InformedParty


def informed_parties_line(organisation: Organisation) -> str:
    names = list(InformedParty.objects.filter(organisation=organisation).values_list("name", flat=True))
    if not names:
        return "Nobody named: only the organisation's own people are told about incidents."
    told = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"Told about incidents that affect a service: {told}."


def register() -> None:
    add_setting(
        "Informed parties",
        order=90,
        state=informed_parties_line,
        links=lambda o: [(reverse("notifications:informed_parties", args=[o.uuid]), "Change")],
    )
