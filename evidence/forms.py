from django import forms
from django.conf import settings

from .models import Evidence


class UploadForm(forms.Form):
    file = forms.FileField(label="File", allow_empty_file=False)
    source = forms.ChoiceField(
        label="Where it came from",
        choices=[
            (Evidence.Source.STAFF, "Collected by staff"),
            (Evidence.Source.REPORTER, "Sent by the person who reported the incident"),
        ],
        initial=Evidence.Source.STAFF,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="What it is and how it was obtained",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “Screenshot of the sent email, taken by the class teacher on 3 March”.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text = (
            f"Photos, PDFs, Word or Excel documents, emails or text files, up to {limit} MB. "
            "Web pages and SVG images cannot be added."
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The file is kept and stays on the record, marked as withdrawn.",
    )
