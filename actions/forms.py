from typing import Any

from django import forms

from core import dates

from .models import RemedialAction


class ActionForm(forms.ModelForm):
    class Meta:
        model = RemedialAction
        fields = ["title", "details", "owner", "due_on", "source", "change_reference"]
        field_classes = {"due_on": dates.DateField}
        labels = {
            "title": "What needs to be done",
            "details": "Details",
            "owner": "Who will do it",
            "due_on": "Due by",
            "source": "Raised from",
            "change_reference": "Change-management reference",
        }
        help_texts = {
            "change_reference": "If the fix goes through change management, its change request number.",
        }
        widgets = {
            "details": forms.Textarea(attrs={"rows": 3}),
            "source": forms.RadioSelect,
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = owners  # type: ignore[attr-defined]
        owner.required = True
        owner.empty_label = "Choose a person"  # type: ignore[attr-defined]
        owner.label_from_instance = lambda user: f"{user.full_name} ({user.email})" if user.full_name else user.email  # type: ignore[attr-defined]
        self.fields["due_on"].required = True
        self.fields["source"].choices = [  # type: ignore[attr-defined]
            (RemedialAction.Source.INVESTIGATION, "The investigation"),
            (RemedialAction.Source.OUTCOME_REPORT, "The outcome report"),
        ]
        self.fields["due_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]  # type: ignore[attr-defined]
        self.fields["due_on"].help_text = "For example, 2027-03-27 or 27/03/2027."


class NoteForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ActionFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("open", "Open"),
        ("overdue", "Overdue"),
        ("done", "Done"),
        ("cancelled", "Cancelled"),
        ("all", "All"),
    ]
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)
