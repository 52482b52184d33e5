from typing import Any

from django import forms

from .compute import plural
from .models import Timescales


class TimescalesForm(forms.ModelForm):
    """Every field may be left empty to inherit from the organisation above (or the default)."""

    class Meta:
        model = Timescales
        fields = [
            "triage_days",
            "urgent_triage_hours",
            "outcome_minor_days",
            "outcome_moderate_days",
            "outcome_major_days",
            "outcome_critical_days",
            "reporter_update_days",
            "action_days",
            "action_escalate_days",
        ]

    def __init__(self, *args: Any, inherited: dict[str, tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            value, source = inherited[name]
            unit = "hour" if name.endswith("hours") else "working day"
            where = "the default" if source == "default" else source
            field.help_text = f"Leave empty to use {plural(value, unit)} (from {where})."
            field.min_value = 1 if name != "action_escalate_days" else 0  # type: ignore[attr-defined]
            field.widget.attrs.update({"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"})
            field.validators.append(forms.IntegerField(min_value=field.min_value).validators[0])  # type: ignore[attr-defined]
            if name.startswith("outcome_"):
                field.label = f"{name.split('_')[1].capitalize()} incident: outcome report within (working days)"
