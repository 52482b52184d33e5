"""The token and service account forms, in the house's form style (core.forms)."""

from typing import Any

from django import forms

from core.forms import HintedCheckboxSelectMultiple, HintedRadioSelect
from organisations.models import ROLE_DESCRIPTIONS, Role

from .models import Scope

SCOPE_HINTS = {
    Scope.READ.value: "See incidents and what belongs to them, as you see them on the pages.",
    Scope.REPORT.value: "Report incidents, as the report form does.",
    Scope.HANDLE.value: "Take the steps you may take on the pages: triage, assign, close, add evidence and actions.",
}
LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year")]

# Roles a service account may be given: enough to report and to handle, never a role that
# reaches confidential reporters' names, the ICO decision or the organisation's people.
SERVICE_ACCOUNT_ROLES = (Role.REPORTER, Role.INCIDENT_MANAGER, Role.INVESTIGATOR)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you recognise it later. For example, “Service desk tickets”.",
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=[(s.value, s.label) for s in Scope],
        widget=HintedCheckboxSelectMultiple(hints=SCOPE_HINTS),
        help_text="Never more than the roles allow.",
        error_messages={"required": "Select at least one thing the token may do"},
    )
    lifetime = forms.ChoiceField(
        label="How long should it work?",
        choices=LIFETIMES,
        initial="90",
        widget=HintedRadioSelect,
        help_text="After this it stops working and you make a new one.",
    )


class ServiceAccountForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="The program that will use it. For example, “IT service desk” or “Security monitoring”.",
    )
    roles = forms.MultipleChoiceField(
        label="Which roles does it hold here?",
        widget=HintedCheckboxSelectMultiple,
        help_text="It can do what these roles allow on this organisation and everything beneath it.",
        error_messages={"required": "Select at least one role"},
    )

    def __init__(self, *args: Any, titles: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["roles"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(role.value, titles[role.value]) for role in SERVICE_ACCOUNT_ROLES]
        field.widget.hints = {role.value: ROLE_DESCRIPTIONS[role] for role in SERVICE_ACCOUNT_ROLES}  # type: ignore[attr-defined]
