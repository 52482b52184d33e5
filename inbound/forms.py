from typing import Any

from django import forms

from core.forms import HintedRadioSelect

from .models import IntakeAddress, Mailbox

SIGN_IN_HINTS: dict[str, str] = {
    Mailbox.SignIn.PASSWORD: "For a mail server that still takes passwords.",
    Mailbox.SignIn.CLIENT_CREDENTIALS: "Microsoft 365: an app registration allowed to read this mailbox.",
    Mailbox.SignIn.REFRESH_TOKEN: "Google, or Microsoft 365 with a person's consent given once.",
}
OAUTH_FIELDS = ["token_url", "client_id", "client_secret", "scope"]


class IntakeAddressForm(forms.Form):
    address = forms.EmailField(
        label="Intake address",
        max_length=254,
        help_text="Mail sent to this address becomes a report, for example incidents@your-school.example.",
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_address(self) -> str:
        address = self.cleaned_data["address"].strip().lower()
        if IntakeAddress.objects.filter(address=address).exclude(organisation=self.organisation).exists():
            raise forms.ValidationError("Another organisation already takes reports at this address.")
        return address


class MailboxForm(forms.Form):
    """Where the organisation's intake mail waits, when another mail service receives it.

    Secrets are never shown again: left empty, the saved one is kept.
    """

    host = forms.CharField(
        label="Mail server", max_length=200, help_text="For example outlook.office365.com or imap.gmail.com."
    )
    port = forms.IntegerField(label="Port", min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(
        label="Connection security", choices=Mailbox.Security.choices, widget=HintedRadioSelect
    )
    username = forms.CharField(label="Mailbox user name", max_length=200, help_text="Usually the mailbox's address.")
    sign_in = forms.ChoiceField(
        label="How to sign in",
        choices=Mailbox.SignIn.choices,
        widget=HintedRadioSelect(
            hints=SIGN_IN_HINTS,
            reveals={
                Mailbox.SignIn.PASSWORD: ["password"],
                Mailbox.SignIn.CLIENT_CREDENTIALS: OAUTH_FIELDS,
                Mailbox.SignIn.REFRESH_TOKEN: [*OAUTH_FIELDS, "refresh_token"],
            },
        ),
    )
    password = forms.CharField(label="Password", required=False, widget=forms.PasswordInput(render_value=False))
    token_url = forms.URLField(
        label="Token address",
        required=False,
        help_text="Microsoft 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
    )
    client_id = forms.CharField(label="Client ID", max_length=200, required=False)
    client_secret = forms.CharField(
        label="Client secret", required=False, widget=forms.PasswordInput(render_value=False)
    )
    refresh_token = forms.CharField(
        label="Refresh token", required=False, widget=forms.PasswordInput(render_value=False)
    )
    scope = forms.CharField(
        label="Scope", max_length=300, required=False, help_text="Microsoft 365: https://outlook.office365.com/.default"
    )
    folder = forms.CharField(label="Folder to fetch from", max_length=200, initial="INBOX")
    done_folder = forms.CharField(
        label="Folder to move handled mail to",
        max_length=200,
        required=False,
        help_text="Leave empty to leave handled mail where it is, marked as handled.",
    )
    enabled = forms.BooleanField(label="Fetch reports from this mailbox every minute", required=False, initial=True)

    def __init__(self, *args: Any, mailbox: Mailbox | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        saved = self.mailbox
        sign_in = data.get("sign_in")
        if sign_in == Mailbox.SignIn.PASSWORD:
            if not data.get("password") and not (saved and saved.password_sealed):
                self.add_error("password", "Enter the mailbox's password.")
        elif sign_in:
            for name, label in (("token_url", "token address"), ("client_id", "client ID")):
                if not data.get(name):
                    self.add_error(name, f"Enter the {label}.")
            if not data.get("client_secret") and not (saved and saved.client_secret_sealed):
                self.add_error("client_secret", "Enter the client secret.")
            if (
                sign_in == Mailbox.SignIn.REFRESH_TOKEN
                and not data.get("refresh_token")
                and not (saved and saved.refresh_token_sealed)
            ):
                self.add_error("refresh_token", "Enter the refresh token.")
        return data
