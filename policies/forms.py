from typing import Any

from django import forms

from core import dates
from core.forms import HintedRadioSelect
from organisations.models import Role

from .models import Policy, PolicyPoint

KIND_HINTS: dict[str, str] = {
    Policy.Kind.SECURITY_INCIDENT: "Drafted from Incident Desk's template: what staff must do, why and how, "
    "when something puts information at risk.",
    Policy.Kind.OTHER: "For example, an acceptable use or records policy: you write its points.",
}
OWNER_ROLES = [(r.value, r.label) for r in (Role.SIRO, Role.DPO, Role.INCIDENT_MANAGER, Role.ADMIN)]


class StartForm(forms.Form):
    kind = forms.ChoiceField(label="Which policy", choices=Policy.Kind.choices)
    title = forms.CharField(
        label="Title",
        max_length=200,
        required=False,
        help_text="Leave it empty for the security incident policy to use the template's title.",
    )
    owner_role = forms.ChoiceField(
        label="Who owns it",
        choices=OWNER_ROLES,
        initial=Role.SIRO,
        help_text="The role that keeps it up to date and is told when its review is due.",
    )

    def __init__(self, *args: Any, titles: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = HintedRadioSelect(choices=Policy.Kind.choices, hints=KIND_HINTS)
        titles = titles or {}
        self.fields["owner_role"].choices = [(value, titles.get(value, label)) for value, label in OWNER_ROLES]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Policy.Kind.OTHER and not data.get("title"):
            self.add_error("title", "Enter the policy's title")
        return data


class VersionForm(forms.Form):
    summary_of_changes = forms.CharField(
        label="What changed in this version",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Staff read this when they are asked to read the new version.",
    )


class PointForm(forms.Form):
    section = forms.ChoiceField(label="Where it goes", choices=PolicyPoint.Section.choices)
    number = forms.CharField(
        label="Number",
        max_length=20,
        required=False,
        help_text="For example, 3 or 3.2. A why or how with the same number as a must belongs to that point.",
    )
    text = forms.CharField(label="What it says", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, changing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].widget = forms.RadioSelect(choices=PolicyPoint.Section.choices)
        if changing:
            del self.fields["section"]


class PublishForm(forms.Form):
    review_by = dates.DateField(
        label="Review by",
        help_text="A year from today unless you choose otherwise. For example, 2027-12-05 or 05/12/2027.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"],
    )
