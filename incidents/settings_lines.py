"""The investigation settings' lines on an organisation's settings page
(`organisations.settings_hub`): incident types, the checklist, the severity wording."""

from collections.abc import Callable, Sequence

from django.db.models import Q
from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import Links, add_setting

from .models import ChecklistTemplateItem, SeverityDefinition, SignOffSetting, Tag, incident_types_for


def _own_and_built_in(rows: Sequence[int | None], organisation: Organisation) -> tuple[int, int, int]:
    """(built in, set here, set above) among the organisation ids of the rows."""
    built_in = sum(1 for org in rows if org is None)
    here = sum(1 for org in rows if org == organisation.pk)
    return built_in, here, len(rows) - built_in - here


def _counted(noun: str, built_in: int, here: int, above: int) -> str:
    parts = [f"{built_in} built in"]
    if above:
        parts.append(f"{above} from the organisations above")
    parts.append(f"{here} added here" if here else "none added here")
    return f"{built_in + here + above} {noun}: " + ", ".join(parts) + "."


def types_line(organisation: Organisation) -> str:
    rows = list(incident_types_for(organisation).values_list("organisation_id", flat=True))
    return _counted("types", *_own_and_built_in(rows, organisation))


def checklist_line(organisation: Organisation) -> str:
    rows = list(
        ChecklistTemplateItem.objects.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=organisation.ancestor_ids()), is_active=True
        ).values_list("organisation_id", flat=True)
    )
    return _counted("items", *_own_and_built_in(rows, organisation))


def severity_line(organisation: Organisation) -> str:
    own = SeverityDefinition.objects.filter(organisation=organisation).exists()
    above = SeverityDefinition.objects.filter(organisation_id__in=organisation.ancestor_ids()).exists()
    if own:
        return "Its own wording, shown beside each severity at triage."
    return "The wording of the organisation above." if above else "The policies' wording."


def sign_off_line(organisation: Organisation) -> str:
    if SignOffSetting.asked_by(organisation):
        return "The SIRO signs off each outcome before an incident is closed."
    return "Outcomes are closed without the SIRO's sign-off (the DPO still reviews major and critical ones)."


def tags_line(organisation: Organisation) -> str:
    rows = list(
        Tag.objects.filter(organisation_id__in=organisation.ancestor_ids(), is_active=True).values_list(
            "organisation_id", flat=True
        )
    )
    here = sum(1 for org in rows if org == organisation.pk)
    if not rows:
        return "No tags yet: tags file incidents together, such as every report of one phishing email."
    above = len(rows) - here
    return (
        f"{len(rows)} tag{'s' if len(rows) != 1 else ''}: "
        + (f"{above} from the organisations above, " if above else "")
        + (f"{here} added here." if here else "none added here.")
    )


def register() -> None:
    def page(anchor: str) -> Callable[[Organisation], Links]:
        return lambda o: [(reverse("incidents:settings", args=[o.uuid]) + anchor, "Change")]

    add_setting("Incident types", order=60, state=types_line, links=page("#types"))
    add_setting("Investigation checklist", order=70, state=checklist_line, links=page("#checklist"))
    add_setting("Severity definitions", order=75, state=severity_line, links=page("#severity"))
    add_setting(
        "SIRO sign-off",
        order=78,
        state=sign_off_line,
        links=lambda o: [(reverse("incidents:sign_off_settings", args=[o.uuid]), "Change")],
    )
    add_setting(
        "Tags",
        order=79,
        state=tags_line,
        links=lambda o: [(reverse("incidents:tag_settings", args=[o.uuid]), "Change")],
    )
