"""Forms of the wave pages: related incidents, duplicates, tags, and steps on a selection."""

from typing import Any

from django import forms

from accounts.models import User
from core.forms import HintedRadioSelect, needed
from organisations.glossary import hints

from ..lifecycle.bulk import BULK_STEPS
from ..models import Incident, IncidentType, Tag
from .steps import PersonChoiceField


class ReferenceField(forms.CharField):
    """An incident's reference as people type it ("inc-2026-00012 " finds INC-2026-00012)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value) or "").strip().upper()


class LinkForm(forms.Form):
    reference = ReferenceField(
        label="Reference of the related incident", max_length=20, help_text="For example, INC-2026-00012."
    )
    reason = forms.CharField(
        label="Why are they related?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the same email reached both schools, or the same bag held both laptops.",
    )


class DuplicateForm(forms.Form):
    reference = ReferenceField(
        label="Reference of the incident this one duplicates",
        max_length=20,
        help_text="This incident is closed and its evidence and reporter move to that one.",
    )
    reason = forms.CharField(label="Anything to note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label="Tags", queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, tags: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tags"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = tags


class TagForm(forms.Form):
    name = forms.CharField(
        label="Name of the tag", max_length=60, help_text="For example, Phishing wave, March or Lost devices."
    )


class BulkForm(forms.Form):
    """One step for every chosen incident; the fields each step needs are revealed under it."""

    step = forms.ChoiceField(label="What do you want to do?", choices=BULK_STEPS)
    severity = needed(
        forms.ChoiceField(
            label="Severity", choices=Incident.Severity.choices, required=False, widget=forms.RadioSelect
        ),
        "to triage",
    )
    nature = needed(
        forms.ChoiceField(
            label="What is it?",
            choices=Incident.Nature.choices,
            required=False,
            widget=HintedRadioSelect(hints=hints(list(Incident.Nature.values))),
        ),
        "to triage",
    )
    breach_status = needed(
        forms.ChoiceField(
            label="Breach status",
            choices=Incident.BreachStatus.choices,
            required=False,
            widget=HintedRadioSelect(hints=hints(list(Incident.BreachStatus.values))),
        ),
        "to triage",
    )
    personal_data_breach = needed(
        forms.ChoiceField(
            label="Is it a personal data breach?",
            choices=[
                (v, label) for v, label in Incident.PersonalDataBreach.choices if v != Incident.PersonalDataBreach.YES
            ],
            required=False,
            widget=forms.RadioSelect,
            help_text="A personal data breach is triaged one by one: its 72-hour clock needs its own time of "
            "awareness.",
        ),
        "to triage",
    )
    incident_type = forms.ModelChoiceField(
        label="Incident type", queryset=IncidentType.objects.none(), required=False, empty_label="Not decided yet"
    )
    investigator = needed(
        PersonChoiceField(label="Investigating officer", queryset=User.objects.none(), required=False),
        "to assign",
    )
    keep = ReferenceField(
        label="Reference of the incident to keep",
        required=False,
        max_length=20,
        help_text="Leave it empty to keep the first reported of those chosen. The others are closed as its "
        "duplicates; their evidence and reporters move to it.",
    )
    reason = forms.CharField(label="Anything to note on the record", required=False, max_length=500)
    tag = needed(forms.ModelChoiceField(label="Tag to add", queryset=Tag.objects.none(), required=False), "to tag")
    untag = needed(
        forms.ModelChoiceField(label="Tag to take off", queryset=Tag.objects.none(), required=False), "to untag"
    )

    NEEDS = {
        "triage": ("severity", "nature", "breach_status", "personal_data_breach"),
        "assign": ("investigator",),
        "tag": ("tag",),
        "untag": ("untag",),
    }

    def __init__(self, *args: Any, tags: Any, investigators: list[Any], incident_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].widget = HintedRadioSelect(
            choices=BULK_STEPS,
            reveals={
                "triage": ["severity", "nature", "breach_status", "personal_data_breach", "incident_type"],
                "assign": ["investigator"],
                "duplicate": ["keep", "reason"],
                "tag": ["tag"],
                "untag": ["untag"],
            },
        )
        for name, queryset in (
            ("tag", tags),
            ("untag", tags),
            ("incident_type", incident_types),
            ("investigator", User.objects.filter(pk__in=[u.pk for u in investigators]).order_by("full_name", "email")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.NEEDS.get(data.get("step", ""), ()):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, forms.ValidationError("", code="required"))
        return data
