from typing import Any

from django import forms

from insights.forms import UploadForm


class FileForm(forms.Form):
    """A CSV or XLSX file of people or organisations (checked as the breach-log import checks it)."""

    file = forms.FileField(label="File (XLSX or CSV)", help_text="The first row must hold the column headings.")

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self) -> Any:
        return UploadForm.clean_file(self)  # type: ignore[arg-type]
