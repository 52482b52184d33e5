"""The public report page's line on an organisation's settings page (`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import Links, add_setting

from .models import PublicReportPage


def public_page_line(organisation: Organisation) -> str:
    page = PublicReportPage.objects.filter(organisation=organisation).first()
    if page is None:
        return "Not set up: nobody can report anonymously to this organisation yet."
    if not page.is_active:
        return "Switched off: its address does not take reports."
    times = "to the minute" if page.exact_times else "to the day only"
    address = reverse("anonymous:public_report", args=[page.slug])
    return f"Open at {address}; staff see anonymous reports' times {times}."


def public_page_links(organisation: Organisation) -> Links:
    settings = reverse("anonymous:public_page_settings", args=[organisation.uuid])
    page = PublicReportPage.objects.filter(organisation=organisation).first()
    if page is None:
        return [(settings, "Set it up")]
    return [(settings, "Change"), (reverse("anonymous:poster", args=[page.slug]), "Download the poster (PDF)")]


def register() -> None:
    add_setting("Public report page and poster", order=80, state=public_page_line, links=public_page_links)
