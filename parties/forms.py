from typing import Any

from django import forms

from core import dates
from core.forms import DateTimeInput, HintedRadioSelect

from .models import Body, BodyNotice, ThirdParty


class ThirdPartyForm(forms.ModelForm):
    """An entry of the register."""

    class Meta:
        model = ThirdParty
        fields = ["name", "kind", "contact", "contract_reference", "tell_within_hours", "notes", "is_active"]
        widgets = {
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "tell_within_hours": forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
        }
        labels = {"is_active": "Still used"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tell_within_hours"].min_value = 1  # type: ignore[attr-defined]
        self.fields["tell_within_hours"].validators.append(forms.IntegerField(min_value=1).validators[0])
        self.fields[
            "is_active"
        ].help_text = "Untick when you no longer work with them: past incidents keep naming them."


class IncidentPartyForm(forms.Form):
    third_party = forms.ModelChoiceField(
        label="Which supplier or processor is involved",
        queryset=ThirdParty.objects.none(),
        empty_label="Choose one",
        help_text="From the register of this organisation and those above it.",
    )
    processor_told_us_on = dates.DateTimeField(
        label="When they told you",
        required=False,
        widget=DateTimeInput(),
        help_text="If a processor or supplier told you of it: when they did.",
    )
    controller_told_on = dates.DateTimeField(
        label="When you told the controller",
        required=False,
        widget=DateTimeInput(),
        help_text="Only where you handle their data for them (another controller): when you told them.",
    )
    notes = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["third_party"]
        field.queryset = parties  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: f"{p.name} ({p.get_kind_display().split(':')[0].lower()})"  # type: ignore[attr-defined]


class NoticeForm(forms.Form):
    """A notice to an outside body, or why a body on the checklist need not be told."""

    body = forms.ChoiceField(label="Which body", choices=Body.choices, widget=forms.RadioSelect)
    body_name = forms.CharField(label="Name of the body", required=False, max_length=200)
    outcome = forms.ChoiceField(
        label="Were they told?",
        choices=[
            (BodyNotice.Outcome.TOLD, "Yes, they were told"),
            (BodyNotice.Outcome.NOT_NEEDED, "They need not be told"),
        ],
        widget=HintedRadioSelect(
            reveals={
                BodyNotice.Outcome.TOLD: ["told_on", "reference", "made_by"],
                BodyNotice.Outcome.NOT_NEEDED: ["reason"],
            }
        ),
    )
    told_on = dates.DateTimeField(label="When they were told", required=False, widget=DateTimeInput())
    reference = forms.CharField(
        label="Their reference",
        required=False,
        max_length=200,
        help_text="For the police or Action Fraud, the crime reference number; for the insurer or the RPA, "
        "the policy number and any claim reference.",
    )
    made_by = forms.CharField(label="Who told them", required=False, max_length=200)
    reason = forms.CharField(
        label="Why they need not be told", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == BodyNotice.Outcome.TOLD and not data.get("told_on"):
            self.add_error("told_on", "Enter when they were told")
        if data.get("outcome") == BodyNotice.Outcome.NOT_NEEDED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why they need not be told")
        if data.get("body") == Body.OTHER and not (data.get("body_name") or "").strip():
            self.add_error("body_name", "Enter the name of the body")
        return data


class BodyRulesForm(forms.Form):
    """For one incident type: which bodies are told, each with its deadline in hours."""

    def __init__(self, *args: Any, current: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bodies"] = forms.MultipleChoiceField(
            label="Which bodies are told",
            required=False,
            choices=Body.choices,
            widget=forms.CheckboxSelectMultiple,
            initial=list(current),
        )
        for body in Body.values:
            self.fields[f"hours_{body}"] = forms.IntegerField(
                label=f"{Body(body).label}: tell within (hours)",
                required=False,
                min_value=1,
                max_value=24 * 90,
                initial=current.get(body),
                help_text="Leave empty when the body sets no deadline.",
                widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
            )

    def chosen(self) -> dict[str, int | None]:
        return {body: self.cleaned_data.get(f"hours_{body}") for body in self.cleaned_data["bodies"]}
