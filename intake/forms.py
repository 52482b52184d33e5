from typing import Any

from django import forms

from evidence.forms import FilesField
from incidents.forms import ReportFieldsForm
from incidents.models import ReporterRelationship
from organisations.models import Organisation

from . import behalf


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

    attachments = FilesField(
        label="Photos or documents",
        required=False,
        help_text=(
            "Up to 5 files, each up to 10 MB: photos, PDFs, Word or Excel documents, emails or text. "
            "For example, a photo of where the papers were found, or the email sent to the wrong person."
        ),
    )

    class Meta(ReportFieldsForm.Meta):
        pass

    def clean_identity(self) -> str:
        return self.cleaned_data.get("identity") or self.NAMED

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs.update({"multiple": True})
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].pk


class AddToReportForm(forms.Form):
    """A reporter adds information or files to their own report after sending it."""

    text = forms.CharField(
        label="What do you want to add?",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "Write something, add a file, or both. "
            "For example, something you have found out since, or who else knows about it."
        ),
    )
    attachments = FilesField(
        label="Photos or documents",
        required=False,
        help_text="Up to 5 files, each up to 10 MB: photos, PDFs, Word or Excel documents, emails or text.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs.update({"multiple": True})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get("attachments") and not self.errors:
            self.add_error("text", "Write what you want to add, or choose a file.")
        return cleaned


class BehalfForm(ReportFieldsForm):
    """A handler takes down a report made by phone, in person, on paper, by letter or another system."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Which organisation is this about?",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label="How did the report reach you?",
        choices=[(c.value, c.label) for c in behalf.BEHALF_CHANNELS],
        widget=forms.RadioSelect,
    )
    identity = forms.ChoiceField(
        label="Who made the report?",
        choices=[
            (behalf.NAMED, "A named person"),
            (behalf.CONFIDENTIAL, "A named person who asked for their name to be kept confidential"),
            (behalf.ANONYMOUS, "Someone who did not give their name, or asked to stay anonymous"),
        ],
        initial=behalf.NAMED,
        widget=forms.RadioSelect,
        help_text="A confidential reporter's name is seen only by the DPO and the SIRO. "
        "For an anonymous report you get a receipt to pass on, so they can follow it up.",
    )
    reporter_name = forms.CharField(
        label="Their name",
        max_length=200,
        required=False,
        help_text="Needed unless the report is anonymous.",
    )
    reporter_contact = forms.CharField(
        label="How to contact them",
        max_length=300,
        required=False,
        help_text="A phone number, an email or a postal address.",
    )
    reporter_relationship = forms.ChoiceField(
        label="How are they connected to the organisation?",
        required=False,
        choices=ReporterRelationship.choices,
        widget=forms.RadioSelect,
        help_text="Leave this out for a member of staff. Not asked for an anonymous report.",
    )
    attachments = FilesField(
        label="Scans, photos or documents",
        required=False,
        help_text="Up to 5 files, each up to 10 MB. For example, a scan of a paper form or of a letter.",
    )

    class Meta(ReportFieldsForm.Meta):
        labels = ReportFieldsForm.Meta.labels | {
            "description": "What happened, as they told it?",
            "people_involved": "Who else was involved?",
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].widget.attrs.update({"multiple": True})
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].pk
        elif len(organisations) > 10:  # a county DPO's hundreds of schools: a list to choose from
            field.widget = forms.Select()
            field.widget.choices = field.choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        named = cleaned.get("identity") in (behalf.NAMED, behalf.CONFIDENTIAL)
        if named and not (cleaned.get("reporter_name") or "").strip():
            self.add_error("reporter_name", "Give the name of the person who made the report, or choose anonymous.")
        return cleaned
