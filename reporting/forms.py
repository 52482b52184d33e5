from typing import Any

from django import forms

from incidents.models import Incident
from organisations.models import Organisation


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ReportForm(forms.ModelForm):
    """The staff report form: only the description is required."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Which organisation is this about?",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields = list(Incident.REPORT_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "occurred_on": DateTimeInput(),
            "discovered_on": DateTimeInput(),
            "information_involved": forms.Textarea(attrs={"rows": 3}),
            "personal_data": forms.RadioSelect,
            "people_involved": forms.Textarea(attrs={"rows": 3}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
            "symptoms": forms.Textarea(attrs={"rows": 3}),
            "service_affected": forms.RadioSelect,
            "people_affected": forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
            "records_affected": forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        }
        labels = {
            "description": "What happened?",
            "occurred_on": "When did it happen?",
            "discovered_on": "When was it discovered?",
            "location": "Where did it happen?",
            "information_involved": "What information or equipment is involved?",
            "personal_data": "Is personal data involved?",
            "data_subjects": "Whose data is it?",
            "people_affected": "Roughly how many people are affected?",
            "records_affected": "Roughly how many records?",
            "people_involved": "Who was involved?",
            "action_taken": "What has been done about it so far?",
            "symptoms": "What did you see on screen?",
            "service_affected": "Is a service or system not working because of this?",
            "service_name": "Which service or system?",
        }
        help_texts = {
            "description": "A sentence or two is enough. You can report even if you are not sure it is an incident.",
            "occurred_on": "If you know. A rough time is fine.",
            "information_involved": "For example, a class list on paper, a laptop, a memory stick, an email.",
            "data_subjects": "For example, pupils, parents, staff.",
            "people_involved": "For example, who sent the email or who found the papers.",
            "symptoms": "Any error messages or unusual behaviour. Do not test or investigate it yourself.",
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].pk
        for name in ("personal_data", "service_affected"):
            choice = self.fields[name]
            assert isinstance(choice, forms.ChoiceField)
            choice.choices = [(value, label) for value, label in Incident.YesNoNotSure.choices]

    def report_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in Incident.REPORT_FIELDS}
