"""The register's and the bodies' lines on an organisation's settings page (`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import BodyRule, ThirdParty


def register_line(organisation: Organisation) -> str:
    parties = list(
        ThirdParty.objects.serving(organisation).filter(is_active=True).values_list("organisation_id", flat=True)
    )
    own = sum(1 for org in parties if org == organisation.pk)
    above = len(parties) - own
    if not parties:
        return "No suppliers or processors yet."
    words = f"{own} of its own" if own else "none of its own"
    return f"{len(parties)} suppliers and processors: {words}" + (f", {above} from above." if above else ".")


def bodies_line(organisation: Organisation) -> str:
    own = BodyRule.objects.filter(organisation=organisation).values("incident_type").distinct().count()
    if not own:
        return "The usual bodies for each type, or those of the organisation above."
    return f"Its own choice for {own} incident type{'' if own == 1 else 's'}; the others as above or the usual."


def register() -> None:
    add_setting(
        "Suppliers and processors",
        order=92,
        state=register_line,
        links=lambda o: [(reverse("parties:register", args=[o.uuid]), "See, add and change")],
    )
    add_setting(
        "Other bodies told",
        order=93,
        state=bodies_line,
        links=lambda o: [(reverse("parties:body_rules", args=[o.uuid]), "Change")],
    )
