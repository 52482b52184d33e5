from typing import Any

from django import forms

from .models import Basis, RetentionSchedule
from .schedule import FIELD_NAMES


class ScheduleForm(forms.ModelForm):
    """Every field may be left empty to inherit from the organisation above (or the default)."""

    class Meta:
        model = RetentionSchedule
        fields = list(FIELD_NAMES)

    def __init__(self, *args: Any, inherited: dict[str, tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            value, source = inherited[name]
            where = "the default" if source == "default" else source
            if name == "basis":
                field.choices = [("", f"As inherited: {Basis(value).label.lower()} (from {where})"), *Basis.choices]  # type: ignore[attr-defined]
                field.help_text = "The common schools' schedule counts from the end of the school year."
                continue
            field.label = f"{field.label[:1].upper()}{field.label[1:]} (years)"  # type: ignore[index]
            field.help_text = f"Leave empty to use {value} year{'s' if value != 1 else ''} (from {where})."
            field.widget.attrs.update({"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"})
            field.validators.append(forms.IntegerField(min_value=1, max_value=100).validators[0])
            field.validators.append(forms.IntegerField(min_value=1, max_value=100).validators[1])


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


KEEP_CHOICES = [("6", "6 months"), ("12", "1 year"), ("24", "2 years"), ("60", "5 years")]


class KeepForm(forms.Form):
    reason = forms.CharField(
        label="Why keep it",
        help_text="About the incident, not its people: for example, a claim is expected.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    months = forms.TypedChoiceField(
        label="Keep it for", choices=KEEP_CHOICES, coerce=int, initial="12", widget=forms.RadioSelect
    )
