"""The policies' line on an organisation's settings page (`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import Links, add_setting

from .inheritance import applicable
from .models import Policy, PolicyVersion


def policies_line(organisation: Organisation) -> str:
    in_force = applicable(organisation)
    own = [v for v in in_force if v.policy.organisation_id == organisation.pk]
    followed = [v for v in in_force if v.policy.organisation_id != organisation.pk]
    drafts = PolicyVersion.objects.filter(
        policy__organisation=organisation, status__in=PolicyVersion.IN_PREPARATION
    ).count()
    parts = []
    if own:
        parts.append(f"{len(own)} published here")
    if followed:
        parts.append("following " + ", ".join(sorted({v.policy.organisation.name for v in followed})))
    if drafts:
        parts.append(f"{drafts} draft{'' if drafts == 1 else 's'} in progress")
    if not parts:
        started = Policy.objects.filter(organisation=organisation).exists()
        return "None published yet." if started else "None yet: start from the built-in security incident policy."
    line = ", ".join(parts) + "."
    return line[0].upper() + line[1:]


def policies_links(organisation: Organisation) -> Links:
    return [
        (reverse("policies:manage", args=[organisation.uuid]), "Change"),
        (reverse("policies:register", args=[organisation.uuid]), "Who has read them"),
    ]


def register() -> None:
    add_setting("Policies", order=55, state=policies_line, links=policies_links)
