"""Demo data for anonymous and confidential reporting (fictional people and texts).

Every demo organisation gets a public report page; Brookside gets one anonymous report
with a message each way, followed with the fixed demo receipt printed by `load_demo`,
and Hillcrest one confidential report.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from anonymous.keys import format_receipt, receipt_digest
from anonymous.models import PublicReportPage, Receipt
from anonymous.services import page_for, reporter_reply, submit_anonymous_report, submit_confidential_report
from audit.log import record
from incidents.models import Incident, ReporterMessage
from organisations.models import Organisation

# Demo only: a known receipt so the demo can be followed from the printed sign-ins.
DEMO_RECEIPT = "2026111520261115202611152026111520261115"


def load(organisations: dict[str, Organisation], users: dict[str, Any]) -> str:
    """Public pages for every demo organisation, the demo reports; returns the demo receipt."""
    with transaction.atomic():
        for organisation in organisations.values():
            page_for(organisation)
        brookside = organisations["brookside"]
        incident, _ = submit_anonymous_report(
            organisation=brookside,
            submission_key=None,
            fields={
                "description": (
                    "A colleague keeps the SEN register on a personal memory stick and takes it home every night."
                ),
                "personal_data": "yes",
                "data_subjects": "Pupils with special educational needs",
            },
        )
        Receipt.objects.filter(incident=incident).update(digest=receipt_digest(DEMO_RECEIPT))
        manager = users["sbm@brookside.example.org"]
        sent_on = timezone.now() - timedelta(hours=3)
        message = ReporterMessage.objects.create(
            incident=incident,
            direction=ReporterMessage.Direction.TO_REPORTER,
            body="Thank you for telling us. Do you know whether the memory stick is encrypted?",
            author=manager,
            sent_on=sent_on,
        )
        record(
            organisation_id=brookside.pk,
            action="reporter_message.sent",
            actor=manager,
            record=incident,
            target=message,
            after={"direction": message.direction},
            at=sent_on,
        )
    reporter_reply(incident=incident, body="I do not think so: it is a plain one from the stationery cupboard.")
    submit_confidential_report(
        organisation=organisations["hillcrest"],
        reported_by=users["teacher@hillcrest.example.org"],
        submission_key=None,
        fields={"description": "Our head of year shares their MIS password with the office so they can print reports."},
    )
    return format_receipt(DEMO_RECEIPT)


def public_pages() -> list[tuple[str, str]]:
    """(organisation name, public page path) for printing."""
    return [
        (page.organisation.name, f"/r/{page.slug}/")
        for page in PublicReportPage.objects.select_related("organisation").order_by("organisation__path")
    ]


def demo_receipt() -> str:
    return format_receipt(DEMO_RECEIPT)


def has_demo_report() -> bool:
    return Incident.objects.filter(anonymous_receipt__digest=receipt_digest(DEMO_RECEIPT)).exists()
