"""Demo data for deadlines: a few incidents past their timescales, for `make run` to show.

Called from reporting/demo.py after the organisations, people and incidents exist. The
scan itself is left to the worker (queued here), so starting the demo shows the real
thing: escalations on the incidents' timelines and their emails in the console.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from actions.models import RemedialAction
from deadlines.compute import local_date
from deadlines.models import ReporterProgress, Timescales
from deadlines.workingdays import add_working_days, is_working_day
from incidents.models import Incident, report_incident
from notifications.models import InformedParty
from organisations.models import Organisation


def working_days_ago(days: int, nation: str = Organisation.Nation.ENGLAND) -> Any:
    now = timezone.localtime()
    day = local_date(now)
    count = 0
    while count < days:
        day -= timedelta(days=1)
        if is_working_day(day, nation):
            count += 1
    # On a weekend or bank holiday the deadline counted from that day may still lie ahead
    # (a report on Friday with one working day is due on Monday): step back until it has passed.
    while add_working_days(day, days, nation) > local_date(now):
        day -= timedelta(days=1)
    return now.replace(year=day.year, month=day.month, day=day.day, hour=9, minute=15)


@transaction.atomic
def load(orgs: dict[str, Organisation], users: dict[str, Any]) -> dict[str, Incident]:
    from deadlines.tasks import reconcile_deadlines

    now = timezone.now()
    # The loader set the older incidents' statuses directly; their reporters were "told" then.
    ReporterProgress.objects.bulk_create(
        [
            ReporterProgress(incident=incident, told_status=incident.status, told_on=incident.reported_on)
            for incident in Incident.objects.exclude(status=Incident.Status.REPORTED)
        ],
        ignore_conflicts=True,
    )
    Timescales.objects.create(organisation=orgs["trust"], outcome_major_days=8, outcome_critical_days=4)
    Timescales.objects.create(organisation=orgs["hillcrest"], triage_days=2)
    InformedParty.objects.create(
        organisation=orgs["council"],
        role=InformedParty.Role.SERVICE_MANAGER,
        name="Children's Services systems manager",
        email="systems@council.example.org",
    )
    teacher = users["teacher@brookside.example.org"]

    untriaged, _ = report_incident(
        organisation=orgs["brookside"],
        reported_by=teacher,
        submission_key=None,
        fields={
            "description": (
                "A box of pupil contact forms was left in an unlocked cupboard in the hall over the weekend."
            ),
            "personal_data": "yes",
            "location": "School hall",
        },
        reported_on=working_days_ago(3),
    )
    major, _ = report_incident(
        organisation=orgs["hillcrest"],
        reported_by=users["teacher@hillcrest.example.org"],
        submission_key=None,
        fields={
            "description": "Staff received a convincing email asking them to sign in to a fake payroll page.",
            "personal_data": "not_sure",
        },
        reported_on=now - timedelta(hours=5),
    )
    Incident.objects.filter(pk=major.pk).update(severity=Incident.Severity.MAJOR)
    breach, _ = report_incident(
        organisation=orgs["council"],
        reported_by=users["officer@council.example.org"],
        submission_key=None,
        fields={
            "description": "A case file was sent by email to the wrong family.",
            "personal_data": "yes",
            "service_affected": "yes",
            "service_name": "Case management",
        },
        reported_on=now - timedelta(hours=54),
    )
    # Through the real steps (triage, start), as the council's service desk, then the
    # milestone times moved back so the demo shows a breach whose ICO clock is nearly out.
    from incidents import lifecycle

    handler = users["servicedesk@council.example.org"]
    lifecycle.triage(
        breach,
        by=handler,
        severity=Incident.Severity.MAJOR,
        nature=Incident.Nature.INCIDENT,
        breach_status=Incident.BreachStatus.CONFIRMED,
        personal_data_breach=Incident.PersonalDataBreach.YES,
        breach_types=[Incident.BreachType.CONFIDENTIALITY],
        aware_on=now - timedelta(hours=52),
        investigator=handler,
    )
    lifecycle.start_investigation(breach, by=handler)
    Incident.objects.filter(pk=breach.pk).update(triaged_on=now - timedelta(hours=50))
    ReporterProgress.objects.create(incident=breach, told_status=Incident.Status.INVESTIGATING, told_on=now)
    RemedialAction.objects.create(
        organisation=orgs["council"],
        incident=breach,
        title="Turn on the email client's warning for external recipients",
        owner=users["servicedesk@council.example.org"],
        due_on=local_date(working_days_ago(2)),
    )
    # Much of the above was written directly, not through the steps: the worker starts with the
    # nightly full pass (which works every deadline out again); the scheduler then runs the scan.
    reconcile_deadlines.enqueue()
    return {"untriaged": untriaged, "major": major, "breach": breach}
