from typing import Any

from django import forms

from core.forms import HintedCheckboxSelectMultiple, HintedRadioSelect

from . import net
from .events import CHOICES
from .models import Subscription

FORMAT_HINTS: dict[str, str] = {
    Subscription.Format.STANDARD: "For your own systems: JSON signed with the secret shown once, when you add it.",
    Subscription.Format.TEAMS: "Paste the address of a Teams channel's incoming webhook or workflow.",
    Subscription.Format.SLACK: "Paste the address of a Slack app's incoming webhook.",
}


class SubscriptionForm(forms.ModelForm):
    """Add or change a webhook. `may_include_details`: the admin may read report contents here."""

    events = forms.MultipleChoiceField(
        label="Which events",
        choices=CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="For incidents of this organisation and every organisation beneath it.",
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "format", "events", "include_details"]
        labels = {"include_details": "Include what the report says"}
        help_texts = {
            "name": "So you can tell your webhooks apart, for example “IT service desk”.",
            "url": "It must start with https://",
            "include_details": "Only if the receiving system may hold personal data. Without this, each message "
            "has the reference, the event, times and a link, never what the report says.",
        }

    def __init__(self, *args: Any, may_include_details: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].widget = HintedRadioSelect(choices=Subscription.Format.choices, hints=FORMAT_HINTS)
        self.fields["events"].widget = HintedCheckboxSelectMultiple(choices=CHOICES)
        if not may_include_details:
            del self.fields["include_details"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            net.check_url(url)
        except net.Refused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
