"""Email sent by the worker, never on the request path.

Tasks are enqueued inside the transaction that makes the change: with the database task
backend the queued job is a row in that transaction, so it exists if and only if the
change committed, and the worker only sees it after commit.

Bodies carry the reference, what is needed and a link, never the report's contents.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from incidents.models import Incident
from organisations.models import Role


def _send(template: str, to: list[str], context: dict[str, object]) -> None:
    if not to:
        return
    subject = render_to_string(f"notifications/email/{template}_subject.txt", context).strip()
    text = render_to_string(f"notifications/email/{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.send()


@task()
def send_report_notifications(incident_id: int) -> None:
    """Acknowledge a report to its reporter; tell the incident managers, SIRO and DPO."""
    incident = Incident.objects.select_related("organisation", "reported_by").get(pk=incident_id)
    organisation = incident.organisation
    titles = organisation.role_titles()
    base = {"incident": incident, "organisation": organisation, "site_url": settings.SITE_URL}
    if incident.reported_by is not None:
        _send(
            "report_acknowledged",
            [incident.reported_by.email],
            base | {"link": settings.SITE_URL + reverse("reporting:my_report", args=[incident.uuid])},
        )
    link = settings.SITE_URL + reverse("incidents:detail", args=[incident.uuid])
    told: set[str] = set()
    for role in (Role.INCIDENT_MANAGER, Role.SIRO, Role.DPO):
        emails = sorted({u.email for u in organisation.holders(role)} - told)
        told.update(emails)
        for email in emails:
            _send("report_received", [email], base | {"link": link, "role_title": titles[role]})


@task()
def send_notification(
    *,
    user_ids: list[int],
    kind: str,
    incident_id: int | None,
    organisation_id: int | None,
    link: str,
    context: dict[str, object],
    mandatory: bool,
) -> None:
    """Send one kind of notification to each person (see notifications.api.notify)."""
    from accounts.models import User
    from organisations.models import Organisation

    incident = Incident.objects.select_related("organisation").get(pk=incident_id) if incident_id is not None else None
    organisation = (
        incident.organisation
        if incident is not None
        else Organisation.objects.get(pk=organisation_id)
        if organisation_id is not None
        else None
    )
    if not link and incident is not None:
        link = settings.SITE_URL + reverse("incidents:detail", args=[incident.uuid])
    elif link.startswith("/"):
        link = settings.SITE_URL + link
    base = {"incident": incident, "organisation": organisation, "site_url": settings.SITE_URL, "link": link}
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        _send(kind, [user.email], base | context | {"recipient": user})
