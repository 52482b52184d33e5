from django import forms

from core.forms import HintedRadioSelect

from .models import ROLE_DESCRIPTIONS, Contact, Role, RoleTitle


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=HintedRadioSelect(hints={role.value: text for role, text in ROLE_DESCRIPTIONS.items()}),
    )


class DecideGrantForm(forms.Form):
    """Approve or refuse a request to give someone a role."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")])
    reason = forms.CharField(label="Reason (optional)", max_length=500, required=False)


class RoleTitlesForm(forms.Form):
    """One text box per role: what this organisation calls it. Blank means the inherited name."""

    def __init__(self, *args: object, inherited: dict[str, str], own: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for role in Role:
            self.fields[role.value] = forms.CharField(
                label=str(role.label),
                required=False,
                max_length=100,
                initial=own.get(role.value, ""),
                help_text=f"Leave blank to use “{inherited[role.value]}”.",
            )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["kind", "name", "email", "phone", "notes"]
        labels = {"kind": "Who they are", "notes": "Notes"}


__all__ = ["ContactForm", "DecideGrantForm", "InviteForm", "RoleTitle", "RoleTitlesForm"]
