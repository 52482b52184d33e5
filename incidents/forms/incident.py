from typing import Any

from django import forms

from core import dates
from core.forms import DateTimeInput, QuickModelChoiceField
from organisations.models import Organisation

from ..models import Incident, Tag, tags_visible_to


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="A reference, or words from the report.")
    status = forms.ChoiceField(label="Status", required=False)
    organisation = QuickModelChoiceField(  # a county's hundreds of schools
        label="Organisation", queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )
    tag = forms.ModelChoiceField(label="Tag", queryset=Tag.objects.none(), required=False, empty_label="Any tag")

    def __init__(self, *args: Any, organisations: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tag = self.fields["tag"]
        assert isinstance(tag, forms.ModelChoiceField)
        tag.queryset = tags_visible_to(user)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", "Any status"), ("open", "Any open status"), *Incident.Status.choices]
        organisation = self.fields["organisation"]
        assert isinstance(organisation, QuickModelChoiceField)
        organisation.queryset = organisations

    def filter(self, queryset: Any) -> Any:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("status") == "open":
            queryset = queryset.filter(status__in=Incident.OPEN_STATUSES)
        elif data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("organisation"):
            queryset = queryset.filter(organisation__path__startswith=data["organisation"].path)
        if data.get("tag"):
            queryset = queryset.filter(taggings__tag=data["tag"])
        q = (data.get("q") or "").strip()
        if q:
            # The one search, through the index (learning/search.py), registered in the registry.
            from ..registry import text_search

            queryset = text_search(queryset, q)
        return queryset


class ReportFieldsForm(forms.ModelForm):
    """The fields of a report, shared by the staff form and the public report page."""

    class Meta:
        model = Incident
        fields = list(Incident.REPORT_FIELDS)
        field_classes = {"occurred_on": dates.DateTimeField, "discovered_on": dates.DateTimeField}
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
