"""Forms validate and build engine facts or call model methods; the rules stay in the engine and models."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from core import dates
from core.forms import HintedRadioSelect, needed
from incidents.models import Incident

from . import engine
from .models import Assessment, IndividualsNotice, ReportDetails, severity_clash
from .precedents import Precedent, departure


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]


def _choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, label[:1].upper() + label[1:]) for key, label in vocabulary.items()]


class AssessmentForm(forms.Form):
    """The facts the risk turns on (docs/assessment.md describes each)."""

    data_categories = forms.MultipleChoiceField(
        label="What kinds of personal data are involved?",
        help_text="Select all that apply.",
        choices=_choices(engine.DATA_CATEGORIES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    data_subjects = forms.MultipleChoiceField(
        label="Whose data is it?",
        help_text="Select all that apply.",
        choices=_choices(engine.DATA_SUBJECTS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    children_involved = forms.ChoiceField(
        label="Are children's data involved?", choices=YES_NO, widget=forms.RadioSelect
    )
    people_count = forms.IntegerField(
        label="Roughly how many people?",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )
    records_count = forms.IntegerField(
        label="Roughly how many records?",
        help_text="Leave blank if not known: a blank is taken as not known, never as the worst case.",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )
    data_extent = forms.ChoiceField(
        label="How much of the most sensitive kind of data is there?",
        help_text="A passing mention is a word or a line with no detail, such as a dietary note or 'off sick'.",
        choices=list(reversed(_choices(engine.DATA_EXTENTS))),
        widget=forms.RadioSelect,
        initial="record",
        required=False,
    )
    document_kinds = forms.MultipleChoiceField(
        label="What kinds of document are involved?",
        help_text="Select all that apply. Leave blank if it was not a document, or none of these.",
        choices=_choices(engine.DOCUMENT_KINDS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    volume_per_person = forms.ChoiceField(
        label="How much is there about each person?",
        choices=[*_choices(engine.VOLUMES), ("", "Not known")],
        widget=forms.RadioSelect,
        initial="",
        required=False,
    )
    profiling = forms.ChoiceField(
        label="Does the data let someone build a profile of the people (habits, movements, preferences)?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        required=False,
    )
    publicly_available = forms.ChoiceField(
        label="Was all of this data already publicly available?",
        help_text="For example, names and roles already on the school website.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        required=False,
    )
    breach_types = forms.MultipleChoiceField(
        label="What kind of breach is it?",
        help_text="Select all that apply.",
        choices=_choices(engine.BREACH_TYPES),
        widget=forms.CheckboxSelectMultiple,
    )
    recipient = forms.ChoiceField(
        label="Who received the data, or could reach it?",
        choices=[*_choices(engine.RECIPIENTS), ("", "Not known yet, or not a disclosure")],
        widget=forms.RadioSelect,
        required=False,
    )
    recipient_reliability = forms.ChoiceField(
        label="If a person received it: can they be relied on to return or delete it?",
        help_text="Leave unanswered if the data reached the public, an attacker or a colleague allowed to see it.",
        choices=[*_choices(engine.RELIABILITY), ("", "Does not apply")],
        widget=forms.RadioSelect,
        initial="",
        required=False,
    )
    encrypted_key_safe = forms.ChoiceField(
        label="Was the data encrypted to current standards, with the key kept safe?",
        help_text=(
            "Yes only if the whole of the data was encrypted (for example a BitLocker laptop) and the key or password "
            "was not lost or taken with it. Hashed passwords and pseudonymous usernames are the next two questions."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    hashed_strong = forms.ChoiceField(
        label="Were the passwords or other secrets stored only as strong hashes?",
        help_text=(
            "Yes if they were hashed with a strong, salted algorithm (such as bcrypt or Argon2) and the salt or key "
            "was not taken. This is not encryption: the rest of the data can still be read."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        required=False,
    )
    pseudonymised = forms.ChoiceField(
        label="Were the people identified only by codes or pseudonymous usernames?",
        help_text=(
            "Yes if names were replaced by codes or usernames that do not reveal who the person is, and the list "
            "linking the codes to people was not taken. This is not encryption: the data itself can be read."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        required=False,
    )
    recovered_or_deleted = forms.ChoiceField(
        label="Has the data been recovered, or its deletion confirmed?", choices=YES_NO, widget=forms.RadioSelect
    )
    exfiltration = forms.ChoiceField(
        label="Is there evidence the data was copied or taken?",
        choices=[("none", "No evidence"), ("suspected", "Suspected"), ("confirmed", "Confirmed")],
        widget=forms.RadioSelect,
    )
    backup_available = forms.ChoiceField(
        label="For lost or unavailable data: did a working backup exist?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        initial="unknown",
    )
    restoration_hours = forms.FloatField(
        label="How many hours did restoring from the backup take, or will it take?",
        help_text="Leave blank if not known.",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "any"}),
    )
    unavailable_hours = forms.FloatField(
        label="For lost or unavailable data: for how many hours was it out of reach, or will it be?",
        help_text="Count from when it was lost until people could use it again. Leave blank if not known.",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "any"}),
    )
    service_effect = forms.ChoiceField(
        label="What did the loss do to the services people rely on?",
        choices=[*_choices(engine.SERVICE_EFFECTS), ("", "Not known, or no loss of availability")],
        widget=forms.RadioSelect,
        initial="",
        required=False,
    )
    malicious = forms.ChoiceField(
        label="Was it deliberate (theft, an attack, misuse) rather than an accident?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    contained = forms.ChoiceField(label="Has the breach been contained?", choices=YES_NO, widget=forms.RadioSelect)
    consequences = forms.MultipleChoiceField(
        label="What are the likely consequences for the people affected?",
        help_text="Select all that apply.",
        choices=_choices(engine.CONSEQUENCES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consequences_notes = forms.CharField(
        label="Anything more about the consequences", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    harm_materialised = forms.MultipleChoiceField(
        label="Has any harm already happened to the people affected?",
        help_text="Select only what has happened, not what might. Leave blank if none is known.",
        choices=_choices(engine.HARMS),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    harm_notes = forms.CharField(
        label="What happened to them?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    later_measures_remove_high_risk = forms.ChoiceField(
        label="Have measures taken since made any high risk unlikely to happen?",
        help_text="For example, a stolen password was changed before it could be used.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
    )
    later_measures_notes = forms.CharField(
        label="What were those measures?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_disproportionate = forms.ChoiceField(
        label="Would contacting each person take disproportionate effort?",
        help_text="For example, there are no contact details for most of them.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
    )

    BOOLEANS = (
        "children_involved",
        "encrypted_key_safe",
        "recovered_or_deleted",
        "malicious",
        "contained",
        "later_measures_remove_high_risk",
        "contact_disproportionate",
        "hashed_strong",
        "pseudonymised",
        "profiling",
        "publicly_available",
    )
    # Radios whose "not known" or "does not apply" is stored as null.
    OPTIONAL_CHOICES = ("recipient", "recipient_reliability", "service_effect", "volume_per_person")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("later_measures_remove_high_risk") == "yes"
            and not (data.get("later_measures_notes") or "").strip()
        ):
            self.add_error("later_measures_notes", "Say what the measures were.")
        return data

    def facts(self) -> engine.Facts:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "data_categories": data["data_categories"],
            "data_subjects": data["data_subjects"],
            "people_count": data.get("people_count"),
            "records_count": data.get("records_count"),
            "breach_types": data["breach_types"],
            "exfiltration": data["exfiltration"],
            "backup_available": {"yes": True, "no": False}.get(data["backup_available"]),
            "restoration_hours": data.get("restoration_hours"),
            "unavailable_hours": data.get("unavailable_hours"),
            "consequences": data["consequences"],
            "consequences_notes": data.get("consequences_notes", ""),
            "later_measures_notes": data.get("later_measures_notes", ""),
            "harm_materialised": data.get("harm_materialised") or [],
            "harm_notes": data.get("harm_notes", ""),
            "document_kinds": data.get("document_kinds") or [],
            # "A record" is what the engine assumes when nothing is said, so it is stored as not said.
            "data_extent": "incidental" if data.get("data_extent") == "incidental" else None,
        }
        for name in self.OPTIONAL_CHOICES:
            values[name] = data.get(name) or None
        for name in self.BOOLEANS:
            values[name] = data[name] == "yes"
        return engine.Facts.from_dict(values)

    @classmethod
    def initial_from(cls, facts: dict[str, Any] | None, incident: Incident) -> dict[str, Any]:
        """Start from the latest assessment's facts, or from what the report and triage say."""
        if facts:
            initial = dict(facts)
            for name in cls.BOOLEANS:
                initial[name] = "yes" if facts.get(name) else "no"
            backup = facts.get("backup_available")
            initial["backup_available"] = "unknown" if backup is None else "yes" if backup else "no"
            for name in cls.OPTIONAL_CHOICES:
                initial[name] = facts.get(name) or ""
            initial["data_extent"] = facts.get("data_extent") or "record"
            return initial
        return {
            "people_count": incident.people_affected,
            "records_count": incident.records_affected,
            "breach_types": list(incident.breach_types or []) or ["confidentiality"],
            "exfiltration": "none",
            "backup_available": "unknown",
            "later_measures_remove_high_risk": "no",
            "contact_disproportionate": "no",
        }


class DecisionForm(forms.Form):
    agrees = forms.ChoiceField(
        label="Do you agree with the assessment's outcome?",
        choices=[("yes", "Yes, agree"), ("no", "No, I am deciding differently")],
        widget=HintedRadioSelect(reveals={"no": ["decision"]}),
    )
    decision = needed(
        forms.ChoiceField(
            label="What is your decision instead?",
            choices=[("", "Choose a decision"), *Incident.IcoDecision.choices],
            required=False,
        ),
        "when you decide differently",
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed when you decide differently; it goes on the record.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self,
        *args: Any,
        incident: Incident,
        assessment: Assessment | None,
        precedents: list[Precedent] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.assessment = assessment
        self.precedents = precedents or []
        severity = incident.get_severity_display().lower() if incident.severity else ""
        if incident.severity in Incident.SERIOUS_SEVERITIES:
            self.fields["reason"].help_text = (
                f"Needed when you decide differently. This is a {severity} incident: a decision not to report "
                "it to the ICO (record only) also needs the reason. It goes on the record."
            )
        elif severity == "minor":
            self.fields["reason"].help_text = (
                "Needed when you decide differently. This is a minor incident: a decision to report it to the "
                "ICO also needs the reason. It goes on the record."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = (data.get("reason") or "").strip()
        if data.get("agrees") == "no":
            if not data.get("decision"):
                self.add_error("decision", "Choose the decision you are making instead.")
            if not reason:
                self.add_error("reason", "Give the reason for not following the assessment.")
        elif data.get("agrees") == "yes" and self.assessment is not None and not reason:
            clash = severity_clash(self.assessment.engine_decision, self.incident.severity)
            if clash:
                self.add_error("reason", clash)
        deciding = data.get("decision") if data.get("agrees") == "no" else None
        if self.assessment is not None and data.get("agrees") == "yes":
            deciding = self.assessment.engine_decision
        if deciding and not reason and "reason" not in self.errors:
            why = departure(deciding, self.precedents)
            if why:
                self.add_error("reason", why)
        return data


class ReportDetailsForm(forms.ModelForm):
    class Meta:
        model = ReportDetails
        fields = list(ReportDetails.EDITABLE)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ReportDetails.EDITABLE
            if name not in ("cyber_incident", "recovery_time", "ico_registration_number")
        }


class SubmissionForm(forms.Form):
    submitted_on = dates.DateTimeField(label="When was the report submitted to the ICO?", widget=DateTimeInput())
    ico_reference = forms.CharField(label="ICO case reference", required=False, max_length=60)
    delay_reason = forms.CharField(
        label="If this is after the 72 hours: the reasons for the delay",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ico_response = forms.CharField(
        label="The ICO's response, if any", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_submitted_on(self) -> Any:
        value = self.cleaned_data["submitted_on"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("The submission date cannot be in the future.")
        return value


class NoticeForm(forms.Form):
    told_on = dates.DateTimeField(label="When were they told?", widget=DateTimeInput())
    audience = forms.ChoiceField(
        label="Who was told?", choices=IndividualsNotice.Audience.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(label="How?", choices=IndividualsNotice.Method.choices, widget=forms.RadioSelect)
    how_many = forms.IntegerField(
        label="How many people were told?",
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_told_on(self) -> Any:
        value = self.cleaned_data["told_on"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("The date cannot be in the future.")
        return value


class NotABreachForm(forms.Form):
    reason = forms.CharField(
        label="Why was no personal data compromised?",
        help_text="For example: the email was recalled before it was opened, and the recipient's IT team confirmed it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResponseForm(forms.Form):
    received_on = dates.DateTimeField(label="When did the ICO respond?", widget=DateTimeInput())
    response = forms.CharField(label="What did the ICO say?", widget=forms.Textarea(attrs={"rows": 4}))

    def clean_received_on(self) -> Any:
        value = self.cleaned_data["received_on"]
        if value > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("The date cannot be in the future.")
        return value
