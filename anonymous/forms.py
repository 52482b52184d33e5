"""Forms of the public pages. They carry signed tokens instead of a CSRF cookie."""

import uuid
from typing import Any

from django import forms
from django.core import signing

from core.forms import HintedRadioSelect
from evidence.forms import FilesField
from incidents.forms import ReportFieldsForm
from incidents.models import Incident, ReporterRelationship

from .keys import token_salt

REPORT_TOKEN_AGE = 12 * 3600
FOLLOW_UP_TOKEN_AGE = 3600
MAX_TEXT = 10_000


def make_report_token(organisation_id: int) -> str:
    return signing.dumps({"o": organisation_id, "k": str(uuid.uuid4())}, salt=token_salt("report"))


def read_report_token(token: str, organisation_id: int) -> uuid.UUID | None:
    try:
        data = signing.loads(token, salt=token_salt("report"), max_age=REPORT_TOKEN_AGE)
    except signing.BadSignature:
        return None
    if data.get("o") != organisation_id:
        return None
    return uuid.UUID(data["k"])


def make_follow_up_token(incident: Incident) -> str:
    return signing.dumps({"i": str(incident.uuid)}, salt=token_salt("follow-up"))


def read_follow_up_token(token: str) -> str | None:
    try:
        data = signing.loads(token or "", salt=token_salt("follow-up"), max_age=FOLLOW_UP_TOKEN_AGE)
    except signing.BadSignature:
        return None
    return str(data.get("i") or "") or None


class PublicReportForm(ReportFieldsForm):
    """The staff form's fields, with files, a signed token and a honeypot."""

    token = forms.CharField(widget=forms.HiddenInput)
    # Hidden from people and screen readers (the `hidden` attribute); bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    attachments = FilesField(
        required=False,
        label="Photos or documents",
        help_text=(
            "Up to 5 files, each up to 10 MB: photos, PDFs, Word, Excel or PowerPoint files, or text. "
            "Before anything is stored we remove hidden details from them: where and when a photo was taken, "
            "which camera or phone took it, and a document's author and company."
        ),
    )

    # Someone outside the organisation (a parent, a supplier) may give their name instead.
    who = forms.ChoiceField(
        label="Do you want to give your name?",
        required=False,
        initial="anonymous",
        choices=[
            ("anonymous", "No, stay anonymous"),
            ("named", "Yes, so they can contact me and email me the reference"),
        ],
        widget=HintedRadioSelect(
            hints={"named": "For example if you are a parent or carer, a supplier, a pupil or a member of the public."},
            reveals={"named": ["reporter_name", "reporter_email", "reporter_relationship"]},
        ),
    )
    reporter_name = forms.CharField(label="Your name", required=False, max_length=200)
    reporter_email = forms.EmailField(label="Your email address", required=False)
    reporter_relationship = forms.ChoiceField(
        label="How are you connected to us?",
        required=False,
        choices=ReporterRelationship.choices,
        widget=forms.RadioSelect,
    )

    class Meta(ReportFieldsForm.Meta):
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_named:
            for name, words in (
                ("reporter_name", "Enter your name"),
                ("reporter_email", "Enter your email address"),
                ("reporter_relationship", "Select how you are connected to us"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, words)
        return data

    @property
    def is_named(self) -> bool:
        return self.data.get("who") == "named"

    def reporter(self) -> dict[str, str]:
        return {
            "name": self.cleaned_data["reporter_name"],
            "email": self.cleaned_data["reporter_email"],
            "relationship": self.cleaned_data["reporter_relationship"],
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = MAX_TEXT  # type: ignore[attr-defined]
        self.fields["description"].validators.append(_max_text)
        for name in ("information_involved", "people_involved", "action_taken", "symptoms"):
            self.fields[name].validators.append(_max_text)
        self.fields["attachments"].widget.attrs.update({"multiple": True})

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


def _max_text(value: str) -> None:
    if value and len(value) > MAX_TEXT:
        raise forms.ValidationError(f"Write at most {MAX_TEXT:,} characters.")


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label="Your receipt",
        max_length=200,
        help_text="The 40 numbers you were given when you sent your report. Spaces do not matter.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric", "class": "govuk-input"}
        ),
    )


class ReplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    body = forms.CharField(
        label="Your message or more information",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[_max_text],
        help_text="Do not include your name unless you want the people handling the report to know it.",
    )
    attachments = FilesField(
        required=False,
        label="Add photos or documents",
        help_text="Hidden details such as location, camera, author and company are removed before they are stored.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs.update({"multiple": True})
