from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from core import dates
from organisations.models import Membership

from .importer import FIELDS


class PackForm(forms.Form):
    start = dates.DateField(label="First day of the period", help_text="For example, 1/9/2025")
    end = dates.DateField(label="Last day of the period", help_text="For example, 28/2/2026")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", "The last day must be on or after the first day")
            elif (data["end"] - data["start"]).days > 3 * 366:
                self.add_error("end", "Choose a period of 3 years or less")
        return data


class ReviewActionForm(forms.Form):
    line = forms.ChoiceField(label="For which type", required=False)
    title = forms.CharField(label="What will be done", max_length=300)
    owner = forms.ModelChoiceField(label="Owner", queryset=get_user_model().objects.none())
    due_on = dates.DateField(label="Due by", help_text="For example, 31/3/2026")

    def __init__(self, *args: Any, review: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "The review as a whole")] + [  # type: ignore[attr-defined]
            (str(line.pk), line.type_name) for line in review.lines.all()
        ]
        people = Membership.objects.filter(organisation_id__in=review.organisation.ancestor_ids()).values("user_id")
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = get_user_model().objects.filter(pk__in=people, is_active=True).order_by("full_name", "email")
        owner.label_from_instance = lambda u: u.full_name or u.email  # type: ignore[method-assign,assignment]

    def clean_due_on(self) -> date:
        due: date = self.cleaned_data["due_on"]
        if due < date.today():
            raise forms.ValidationError("The due date must be today or later")
        return due


class CompleteReviewForm(forms.Form):
    notes = forms.CharField(label="What the review found and decided", widget=forms.Textarea(attrs={"rows": 4}))


class UploadForm(forms.Form):
    organisation = forms.ChoiceField(label="Import into")
    file = forms.FileField(label="Breach log (XLSX or CSV)", help_text="The first row must hold the column headings.")

    MAX_BYTES = 10 * 1024 * 1024

    def __init__(self, *args: Any, organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.uuid): org for org in organisations}
        self.fields["organisation"].choices = [(str(o.uuid), o.name) for o in organisations]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 10 MB")
        head = upload.read(4)
        upload.seek(0)
        name = upload.name.lower()
        if head == b"PK\x03\x04" and name.endswith(".xlsx"):
            return upload
        if name.endswith(".csv") and b"\x00" not in upload.read(4096):
            upload.seek(0)
            return upload
        raise forms.ValidationError("The file must be an XLSX or a CSV file")


class MappingForm(forms.Form):
    """One select per field: which of the file's columns holds it."""

    def __init__(self, *args: Any, headings: list[str], initial_mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this file")] + [(h, h) for h in headings if h]
        for f in FIELDS:
            self.fields[f.key] = forms.ChoiceField(
                label=f.label + (" (required)" if f.required else ""),
                choices=choices,
                required=f.required,
                initial=initial_mapping.get(f.key, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}
