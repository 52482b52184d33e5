from typing import Any

from django import forms

from incidents.models import Incident
from organisations.models import Organisation


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ReportFieldsForm(forms.ModelForm):
    """The fields of a report, shared by the staff form and the public report page."""

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("personal_data", "service_affected"):
            choice = self.fields[name]
            assert isinstance(choice, forms.ChoiceField)
            choice.choices = [(value, label) for value, label in Incident.YesNoNotSure.choices]

    def report_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in Incident.REPORT_FIELDS}


class ReportForm(ReportFieldsForm):
    """The staff report form: only the description is required."""

    NAMED = "named"
    CONFIDENTIAL = "confidential"
    ANONYMOUS = "anonymous"

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Which organisation is this about?",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    identity = forms.ChoiceField(
        label="Who can see that you made this report?",
        choices=[
            (NAMED, "Report with my name"),
            (CONFIDENTIAL, "Keep my name confidential: only the DPO and the SIRO will see it"),
            (ANONYMOUS, "Report anonymously: your name is not recorded and you get a receipt to follow it up"),
        ],
        initial=NAMED,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "If you report anonymously, nobody, not even the DPO, can find out it was you. "
            "You will not get emails about it: keep the receipt to see replies."
        ),
    )

    class Meta(ReportFieldsForm.Meta):
        pass

    def clean_identity(self) -> str:
        return self.cleaned_data.get("identity") or self.NAMED

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].pk
