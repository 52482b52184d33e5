from typing import Any

from django import forms

from core import dates

from .models import KnownError, SearchEntry


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for", max_length=200, help_text="Words from a report, a lesson or a known error, or a reference."
    )
    kind = forms.ChoiceField(
        label="Look in",
        required=False,
        choices=[("", "Everything"), *((k.value, k.label) for k in SearchEntry.SEARCHED)],
        widget=forms.RadioSelect,
    )


class KnownErrorForm(forms.ModelForm):
    class Meta:
        model = KnownError
        fields = ["title", "symptom", "cause", "workaround", "fix", "status"]
        labels = {
            "title": "A short name for it",
            "symptom": "What people see",
            "cause": "What causes it",
            "workaround": "How to work around it",
            "fix": "The fix",
            "status": "Where it stands",
        }
        help_texts = {
            "title": "For example, “Printer sends scans to the wrong folder”.",
            "symptom": "The error message or what goes wrong, as a handler would recognise it.",
            "fix": "If there is a permanent fix, what it is and when it was made.",
        }
        widgets = {
            "symptom": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 3}),
            "workaround": forms.Textarea(attrs={"rows": 3}),
            "fix": forms.Textarea(attrs={"rows": 3}),
            "status": forms.RadioSelect,
        }


class LessonFilterForm(forms.Form):
    q = forms.CharField(label="Search the lessons", max_length=200, required=False)
    incident_type: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Incident type", queryset=None, required=False, empty_label="Any type"
    )

    def __init__(self, *args: Any, types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident_type"].queryset = types  # type: ignore[attr-defined]


class TrainingForm(forms.Form):
    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Who completed it", queryset=None, empty_label="Choose a person"
    )
    course = forms.CharField(
        label="Course", max_length=200, help_text="For example, “Data protection for school staff”."
    )
    completed_on = dates.DateField(
        label="Date completed",
        help_text="For example, 2026-09-14 or 14/09/2026.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        person.queryset = people  # type: ignore[attr-defined]
        person.label_from_instance = lambda user: f"{user.full_name} ({user.email})" if user.full_name else user.email  # type: ignore[attr-defined]
        self.fields["completed_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]  # type: ignore[attr-defined]


class TrainingImportForm(forms.Form):
    file = forms.FileField(
        label="Training file",
        help_text="A CSV or Excel (.xlsx) file with columns for the email address, the course and the date completed.",
    )


class FindPersonForm(forms.Form):
    q = forms.CharField(
        label="Name, email address or other identifier",
        max_length=200,
        help_text="For example, a pupil’s name, a parent’s email address or a pupil number. Every word must be found.",
        error_messages={"required": "Enter a name, an email address or another identifier"},
    )
