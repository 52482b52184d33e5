from typing import Any

from django import forms
from django.conf import settings

from .models import Evidence
from .services import Upload


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one field: at most REPORT_ATTACHMENT_MAX_FILES, each at most
    REPORT_ATTACHMENT_MAX_BYTES (the report forms, the reporter's additions)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        limit = settings.REPORT_ATTACHMENT_MAX_FILES
        if len(files) > limit:
            raise forms.ValidationError(f"Send at most {limit} files at a time.")
        max_bytes = settings.REPORT_ATTACHMENT_MAX_BYTES
        for file in files:
            if file.size > max_bytes:
                raise forms.ValidationError(f"Each file must be smaller than {max_bytes // (1024 * 1024)} MB.")
            if file.size == 0:
                raise forms.ValidationError("One of the files is empty.")
        return [super(FilesField, self).clean(file) for file in files]


def uploads_from(files: list[Any]) -> list[Upload]:
    return [Upload(name=f.name or "file", content=f.read()) for f in files]
