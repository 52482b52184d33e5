from typing import Any

from django import forms

from .kinds import OPTIONAL_KINDS, OTHER, OTHER_LABEL
from .models import InformedParty, Preference


class PreferencesForm(forms.Form):
    """One choice per kind that is not mandatory: immediate email or the daily digest."""

    def __init__(self, *args: Any, current: dict[str, str], usual: dict[str, str] | None = None, **kwargs: Any) -> None:
        """`current`: the person's choices; `usual`: what they get for each kind until they choose."""
        super().__init__(*args, **kwargs)
        usual = usual or {}
        for kind, label in [*OPTIONAL_KINDS.items(), (OTHER, OTHER_LABEL)]:
            self.fields[field_name(kind)] = forms.ChoiceField(
                label=label,
                choices=Preference.Mode.choices,
                widget=forms.RadioSelect,
                initial=current.get(kind, current.get(OTHER, usual.get(kind, Preference.Mode.IMMEDIATE))),
            )

    def choices(self) -> dict[str, str]:
        return {kind: self.cleaned_data[field_name(kind)] for kind in [*OPTIONAL_KINDS, OTHER]}


def field_name(kind: str) -> str:
    return "other" if kind == OTHER else kind


class InformedPartyForm(forms.ModelForm):
    class Meta:
        model = InformedParty
        fields = ["role", "name", "email", "service_name"]
        widgets = {"role": forms.RadioSelect}
