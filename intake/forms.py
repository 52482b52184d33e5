from typing import Any

from django import forms

from incidents.forms import ReportFieldsForm
from organisations.models import Organisation


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

    class Meta(ReportFieldsForm.Meta):
        pass

    def clean_identity(self) -> str:
        return self.cleaned_data.get("identity") or self.NAMED

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].pk
