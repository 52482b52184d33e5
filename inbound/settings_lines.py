"""Reports by email's line on an organisation's settings page (`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import Links, add_setting

from .models import IntakeAddress, Mailbox


def mail_line(organisation: Organisation) -> str:
    intake = IntakeAddress.objects.filter(organisation=organisation).first()
    if intake is None:
        return "Not set up: reports cannot be sent to this organisation by email."
    mailbox = Mailbox.objects.filter(organisation=organisation).first()
    if mailbox is None:
        return f"Mail to {intake.address} becomes a report."
    if mailbox.last_error:
        return (
            f"Mail to {intake.address} becomes a report. The mailbox could not be read last time: {mailbox.last_error}"
        )
    fetched = "fetched every minute" if mailbox.enabled else "not fetched (switched off)"
    return f"Mail to {intake.address} becomes a report; its mailbox on {mailbox.host} is {fetched}."


def mail_links(organisation: Organisation) -> Links:
    settings = reverse("inbound:settings", args=[organisation.uuid])
    if not IntakeAddress.objects.filter(organisation=organisation).exists():
        return [(settings, "Set it up")]
    return [(settings, "Change")]


def register() -> None:
    add_setting("Reports by email", order=85, state=mail_line, links=mail_links)
