"""Forms for the lifecycle's pages. They validate input; the rules live in `lifecycle`."""

from typing import Any

from django import forms

from accounts.models import User
from core import dates
from core.forms import DateTimeInput, HintedCheckboxSelectMultiple, HintedRadioSelect, needed
from incidents.models import Incident, IncidentType
from organisations.glossary import define, hints

from ..models import ChecklistItem, ChecklistTemplateItem, OutcomeReport, severity_definitions


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class ClassificationForm(forms.Form):
    nature = forms.ChoiceField(
        label="What is it?",
        choices=Incident.Nature.choices,
        widget=HintedRadioSelect(hints=hints(list(Incident.Nature.values))),
        help_text="An event with no security significance can be closed as not an incident instead.",
    )
    breach_status = forms.ChoiceField(
        label="Breach status",
        choices=Incident.BreachStatus.choices,
        widget=HintedRadioSelect(hints=hints(list(Incident.BreachStatus.values))),
        help_text=define("breach_status"),
    )
    personal_data_breach = forms.ChoiceField(
        label="Is it a personal data breach?",
        choices=Incident.PersonalDataBreach.choices,
        widget=HintedRadioSelect(reveals={Incident.PersonalDataBreach.YES: ["aware_on"]}),
        help_text=define("personal_data_breach"),
    )
    breach_types = forms.MultipleChoiceField(
        label="Breach type",
        choices=Incident.BreachType.choices,
        widget=HintedCheckboxSelectMultiple(hints=hints(list(Incident.BreachType.values))),
        required=False,
        help_text="Select all that apply.",
    )
    incident_type: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Incident type", queryset=IncidentType.objects.none(), required=False
    )
    severity = forms.ChoiceField(label="Severity", choices=Incident.Severity.choices)
    aware_on = needed(
        dates.DateTimeField(
            label="When did the organisation become aware of the personal data breach?",
            required=False,
            widget=DateTimeInput(),
            help_text="When there was reasonable certainty that personal data had been compromised. The 72-hour "
            "clock for telling the ICO starts here, not at discovery.",
        ),
        "for a personal data breach",
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        from ..models import incident_types_for

        super().__init__(*args, **kwargs)
        self.incident = incident
        field = self.fields["incident_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = incident_types_for(incident.organisation)
        field.empty_label = "Not decided yet"
        self.fields["severity"].widget = HintedRadioSelect(
            choices=Incident.Severity.choices, hints=severity_definitions(incident.organisation)
        )
        self.fields["severity"].help_text = "Each severity's definition is shown under it."

    @staticmethod
    def initial_from(incident: Incident) -> dict[str, Any]:
        return {
            "nature": incident.nature,
            "breach_status": incident.breach_status,
            "personal_data_breach": incident.personal_data_breach,
            "breach_types": incident.breach_types,
            "incident_type": incident.incident_type_id,
            "severity": incident.severity,
            "aware_on": incident.aware_on,
        }

    def classification(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in ClassificationForm.base_fields}


class TriageForm(ClassificationForm):
    investigator = PersonChoiceField(
        label="Investigating officer",
        queryset=User.objects.none(),
        required=False,
        help_text="You can assign someone later.",
    )
    delegation_reason = needed(
        forms.CharField(
            label="Why you are delegating it",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
        "when the SIRO delegates a critical investigation",
    )

    def __init__(self, *args: Any, investigators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["investigator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in investigators]).order_by("full_name", "email")
        field.empty_label = "Nobody yet"


class ReclassifyForm(ClassificationForm):
    reason = forms.CharField(label="Why is the classification changing?", widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    investigator = PersonChoiceField(label="Investigating officer", queryset=User.objects.none())
    reason = needed(
        forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2})),
        "when the SIRO delegates a critical investigation",
    )

    def __init__(self, *args: Any, investigators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["investigator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in investigators]).order_by("full_name", "email")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    pass


class ChecklistItemForm(forms.Form):
    state = forms.ChoiceField(
        label="Status",
        choices=[
            (ChecklistItem.State.DONE, "Done"),
            (ChecklistItem.State.NOT_APPLICABLE, "Not applicable"),
            (ChecklistItem.State.PENDING, "To do"),
        ],
        widget=HintedRadioSelect(reveals={ChecklistItem.State.NOT_APPLICABLE: ["not_applicable_reason"]}),
    )
    note = forms.CharField(label="What was done", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    not_applicable_reason = needed(
        forms.CharField(label="Why it does not apply", required=False, widget=forms.Textarea(attrs={"rows": 2})),
        "when it does not apply",
    )
    evidence: forms.ModelChoiceField = forms.ModelChoiceField(label="Evidence", queryset=None, required=False)

    def __init__(self, *args: Any, item: ChecklistItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = item.incident.evidence.filter(withdrawn_on__isnull=True)
        field.empty_label = "None"


class DisciplinaryItemForm(forms.Form):
    state = forms.ChoiceField(
        label="Status",
        choices=[(ChecklistItem.State.DONE, "Decided"), (ChecklistItem.State.PENDING, "To do")],
        widget=forms.RadioSelect,
    )
    disciplinary_decision = forms.ChoiceField(
        label="Decision",
        choices=ChecklistItem.DisciplinaryDecision.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Notes: the decision, or why no disciplinary action is being taken",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the SIRO, the DPO and the incident manager can see these notes.",
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by the people handling the incident, never by the reporter.",
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the reporter",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The reporter reads this on their report page. Do not include confidential detail.",
    )


class OutcomeReportForm(forms.ModelForm):
    class Meta:
        model = OutcomeReport
        fields = [name for name, _ in OutcomeReport.SECTIONS]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name, _ in OutcomeReport.SECTIONS}
        labels = dict(OutcomeReport.SECTIONS)
        help_texts = {
            "summary": "What happened, in a few sentences.",
            "root_cause": "Why it happened.",
            "containment_and_recovery": "What was done to contain it and recover.",
            "notification_decisions": "Whether the ICO and the individuals were told, and why.",
            "disciplinary_outcome": "Restricted: only the SIRO, the DPO and the incident manager see this part.",
            "recommendations": "Remedial actions are listed from the incident's actions.",
        }

    def __init__(self, *args: Any, restricted: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in OutcomeReport.REQUIRED_SECTIONS:  # the sections submitting checks for
            needed(self.fields[name], "to submit")
        if not restricted:
            for name in OutcomeReport.RESTRICTED_SECTIONS:
                del self.fields[name]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your review",
        choices=[("accept", "Accept the report"), ("return", "Return it with comments")],
        widget=HintedRadioSelect(reveals={"return": ["comments"]}),
    )
    comments = needed(
        forms.CharField(label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 4})),
        "to return it",
    )


class SeverityDefinitionsForm(forms.Form):
    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = severity_definitions(organisation)
        for value, label in Incident.Severity.choices:
            self.fields[value] = forms.CharField(
                label=str(label), initial=current[value], widget=forms.Textarea(attrs={"rows": 2})
            )


class TemplateItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplateItem
        fields = ["text", "incident_type"]
        labels = {"text": "New checklist item", "incident_type": "For incidents of type"}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        from ..models import incident_types_for

        super().__init__(*args, **kwargs)
        field = self.fields["incident_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = incident_types_for(organisation)
        field.empty_label = "Every incident"


class IncidentTypeForm(forms.Form):
    name = forms.CharField(label="New incident type", max_length=150)
    description = forms.CharField(label="Description", max_length=300, required=False)
