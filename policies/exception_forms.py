"""Forms for exceptions, proposed changes and an incident's policy points. They validate input;
the rules live in `policies.exceptions` and `policies.proposals`."""

from typing import Any

from django import forms

from core import dates
from core.forms import HintedCheckboxSelectMultiple, HintedRadioSelect, needed

from .exceptions import point_label
from .models import PolicyException, PolicyPoint

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]


class PointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return point_label(obj)


class PointsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return point_label(obj)


class ExceptionRequestForm(forms.Form):
    organisation = forms.ChoiceField(label="Where does the exception apply?")
    point = PointChoiceField(
        label="Which point of the policy can you not follow?",
        queryset=PolicyPoint.objects.none(),
        empty_label="Choose a point",
    )
    reason = forms.CharField(
        label="Why can you not follow it?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    risk = forms.CharField(
        label="What is the risk of not following it?",
        help_text="What could go wrong, and for whose information.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    compensating_measure = forms.CharField(
        label="What will you do instead to reduce the risk?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    wanted_until = dates.DateField(
        label="Until when do you need it?",
        required=False,
        help_text="For example, 31/7/2027. The person who decides sets the end date.",
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, organisations: list[Any], points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.uuid): o for o in organisations}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, o.name) for key, o in self.organisations.items()]
        points_field = self.fields["point"]
        assert isinstance(points_field, forms.ModelChoiceField)
        points_field.queryset = points

    def clean_organisation(self) -> Any:
        return self.organisations[self.cleaned_data["organisation"]]


class ExceptionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve it until an end date"), ("refuse", "Refuse it")],
        widget=HintedRadioSelect(reveals={"approve": ["ends_on"], "refuse": ["reason"]}),
    )
    ends_on = needed(
        dates.DateField(
            label="Last day the exception applies",
            required=False,
            help_text="For example, 31/7/2027. At most a year from today; the holder and you are told 14 days before.",
            input_formats=DATE_FORMATS,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        ),
        "to approve",
    )
    reason = needed(
        forms.CharField(
            label="Why it is refused", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
        ),
        "to refuse",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "approve" and not data.get("ends_on"):
            self.add_error("ends_on", "Enter the last day the exception applies")
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why it is refused")
        return data


class ProposalForm(forms.Form):
    policy = forms.ChoiceField(label="Which policy?")
    point = PointChoiceField(
        label="Which point?",
        queryset=PolicyPoint.objects.none(),
        required=False,
        empty_label="A new point",
        help_text="Leave it as “A new point” to suggest something the policy does not yet say.",
    )
    change = forms.CharField(
        label="What change do you suggest?",
        help_text="The words you would like the policy to say, or what it should cover.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    reason = forms.CharField(
        label="Why should the policy change?", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args: Any, policies: list[Any], points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policies = {str(p.uuid): p for p in policies}
        field = self.fields["policy"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, f"{p.title} ({p.organisation.name})") for key, p in self.policies.items()]
        points_field = self.fields["point"]
        assert isinstance(points_field, forms.ModelChoiceField)
        points_field.queryset = points

    def clean_policy(self) -> Any:
        return self.policies[self.cleaned_data["policy"]]


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("accept", "Accept it for the next draft"),
            ("reject", "Reject it"),
            ("defer", "Defer it: decide later"),
        ],
        widget=HintedRadioSelect(),
    )
    reason = forms.CharField(
        label="Your reason",
        required=False,
        help_text="Needed to reject. The person who suggested it is told.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why it is rejected")
        return data


class IncidentPointsForm(forms.Form):
    points = PointsField(
        label="Which policy points did the incident break?",
        queryset=PolicyPoint.objects.none(),
        required=False,
        widget=HintedCheckboxSelectMultiple(),
        help_text="Select all that apply. Untick a point to remove it.",
    )

    def __init__(self, *args: Any, points: list[PolicyPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["points"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = PolicyPoint.objects.filter(pk__in=[p.pk for p in points])
        # In the policies' own order (a queryset orders by version, then section name).
        order = {p.pk: i for i, p in enumerate(points)}
        field.choices = [(p.pk, point_label(p)) for p in sorted(points, key=lambda p: order[p.pk])]


class ExceptionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{point_label(obj.point)} (until {obj.ends_on:%-d %B %Y})"


class NameExceptionForm(forms.Form):
    exception = ExceptionChoiceField(
        label="Which exception in force allowed what happened?",
        queryset=PolicyException.objects.none(),
        empty_label="Choose an exception",
    )

    def __init__(self, *args: Any, exceptions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["exception"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = exceptions
