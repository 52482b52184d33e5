"""Forms for correcting the report and for the DPO's oversight. They validate; `lifecycle` decides."""

from typing import Any

from django import forms

from ..models import Incident
from .incident import ReportFieldsForm


def _text(label: str, help_text: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
    )


class ChooseFieldForm(forms.Form):
    """Which part of the report to correct (a GET form: the next page asks for the new value)."""

    field = forms.ChoiceField(label="What needs correcting?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = ReportFieldsForm.Meta.labels
        choice = self.fields["field"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(name, labels[name]) for name in Incident.REPORT_FIELDS]


class CorrectionForm(forms.Form):
    """The corrected value of one reported field (the report form's own field), and why."""

    field = forms.CharField(widget=forms.HiddenInput)
    reason = _text(
        "Why is it being corrected?",
        "For example, the reporter called back with the right time. Kept with the correction for everyone "
        "handling the incident to see.",
    )

    def __init__(self, *args: Any, name: str, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        report = ReportFieldsForm(instance=incident)
        self.name = name
        self.fields = {"field": self.fields["field"], name: report.fields[name], "reason": self.fields["reason"]}
        self.initial = {"field": name, name: report.initial.get(name)} | dict(self.initial)


class AskDpoForm(forms.Form):
    question = _text(
        "What would you like the DPO's advice on?",
        "For example, whether the people affected should be told. The DPO is told at once.",
    )


class AdviceForm(forms.Form):
    advice = _text("Advice given", "What you advised, as the people handling the incident should read it.")


class ReviewForm(forms.Form):
    note = _text("Note", "Anything the people handling the incident should know from your review.", required=False)


class DirectionForm(forms.Form):
    direction = _text(
        "What should the investigating officer do?",
        "They are told at once and see it on the incident until it closes.",
    )


class SignOffForm(forms.Form):
    note = _text("Note", "Anything you want kept with your sign-off.", required=False)


class SignOffSettingForm(forms.Form):
    siro_signs_off = forms.ChoiceField(
        label="Does the SIRO sign off each outcome before the incident is closed?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        help_text="Applies here and to every organisation beneath that does not set its own. When it is yes, an "
        "incident can be closed only once the SIRO has signed off its outcome.",
    )
