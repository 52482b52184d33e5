"""Forms for restricting an incident and for outside help. They validate; `incidents.restriction` decides."""

from typing import Any

from django import forms

from core import dates
from core.forms import HintedCheckboxSelectMultiple, HintedRadioSelect

from ..models import OutsideAccess


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class RestrictForm(forms.Form):
    people = PeopleField(
        label="Who may still see it",
        queryset=None,
        widget=HintedCheckboxSelectMultiple(hints={}),
        required=False,
        help_text="You are always included. Leave out anyone who is implicated.",
    )
    reason = forms.CharField(
        label="Why is it restricted?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the headteacher is implicated. Everyone not named sees only the reference and status.",
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates  # type: ignore[attr-defined]


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why is the restriction lifted?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone who handles incidents here will be able to open it again.",
    )


class InviteForm(forms.Form):
    name = forms.CharField(label="Their full name", max_length=150)
    firm = forms.CharField(
        label="Their organisation", max_length=150, required=False, help_text="For example, the forensics firm."
    )
    email = forms.EmailField(
        label="Their email address", help_text="They must sign in or create their account with this address."
    )
    mode = forms.ChoiceField(
        label="What may they do?",
        choices=OutsideAccess.Mode.choices,
        initial=OutsideAccess.Mode.READ,
        widget=HintedRadioSelect(
            hints={
                OutsideAccess.Mode.READ: "Read the incident and download its evidence.",
                OutsideAccess.Mode.CONTRIBUTE: "Also add evidence files.",
            }
        ),
    )
    ends_on = dates.DateField(
        label="Access ends on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Access stops at the start of this day.",
    )
