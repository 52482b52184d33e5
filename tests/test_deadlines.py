"""Time-travel tests of every timescale and escalation, bank holidays and clock changes included."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.models import RemedialAction
from audit.models import Event
from deadlines import attention, store
from deadlines.compute import incident_dues
from deadlines.models import Deadline, Escalation, ReporterProgress, Timescales, effective_timescales
from deadlines.scan import reconcile, scan
from incidents.models import Incident, ReporterMessage
from notifications.models import Notification, Outbox
from organisations.models import Contact, Membership, Organisation, Role

from .conftest import Cast
from .factories import UserFactory, incident_described, reported_incident


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


@pytest.fixture
def siro(cast: Cast):
    person = UserFactory(email="siro@example.org", full_name="Sam Siro")
    Membership.objects.create(user=person, organisation=cast.school_a, role=Role.SIRO)
    return person


def report_at(cast: Cast, when: datetime, **fields) -> Incident:
    with time_machine.travel(when, tick=False):
        return reported_incident(cast.school_a, cast.bob, **fields)


def scan_at(when: datetime):
    with time_machine.travel(when, tick=False):
        return scan()


def reconcile_at(when: datetime):
    """The nightly full pass: what the steps would have done for facts set here by hand."""
    with time_machine.travel(when, tick=False):
        return reconcile()


def update(incident: Incident, **fields) -> None:  # type: ignore[no-untyped-def]
    """Set an incident's facts, and store its deadlines as the step that changes them does."""
    Incident.objects.filter(pk=incident.pk).update(**fields)
    store.refresh_incidents([incident.pk], include_closed=True)


def escalations(kind: str) -> list[Escalation]:
    return list(Escalation.objects.filter(kind=kind))


def told(kind: str) -> list[str]:
    return sorted(
        Outbox.objects.filter(kind="escalation", subject__icontains=kind).values_list("to_address", flat=True)
    )


def test_untriaged_past_its_timescale_goes_to_the_siro_once(cast: Cast, siro) -> None:
    # Thursday 2 April 2026; Good Friday and Easter Monday are bank holidays in England.
    incident = report_at(cast, utc(2026, 4, 2, 10))
    assert scan_at(utc(2026, 4, 7, 22, 59)).escalations == 0  # still Tuesday 7th, 23:59 BST
    assert scan_at(utc(2026, 4, 7, 23, 1)).escalations == 1  # Wednesday has begun in London
    assert scan_at(utc(2026, 4, 8, 9)).escalations == 0  # once per threshold
    escalation = Escalation.objects.get()
    assert escalation.kind == Escalation.Kind.TRIAGE_OVERDUE and escalation.incident == incident
    assert escalation.threshold == "from:20260402T1100"  # the report, 10:00 UTC in London (BST)
    assert list(Outbox.objects.values_list("to_address", flat=True)) == ["siro@example.org"]
    assert Notification.objects.get().user == siro
    event = Event.objects.get(action="escalation.triage_overdue")
    assert event.record_id == str(incident.pk) and "Sam Siro" in event.reason


def test_scotland_has_no_easter_monday_so_triage_is_due_a_day_earlier(cast: Cast, siro) -> None:
    Organisation.objects.filter(pk=cast.school_a.pk).update(nation=Organisation.Nation.SCOTLAND)
    report_at(cast, utc(2026, 4, 2, 10))
    assert scan_at(utc(2026, 4, 6, 22, 59)).escalations == 0
    assert scan_at(utc(2026, 4, 6, 23, 1)).escalations == 1


def test_triage_deadline_across_the_spring_clock_change(cast: Cast, siro) -> None:
    # Friday 27 March 2026 16:00 GMT; the clocks go forward on Sunday 29th.
    incident = report_at(cast, utc(2026, 3, 27, 16))
    triage = incident_dues(incident, effective_timescales(cast.school_a))[0]
    assert triage.due_date == date(2026, 3, 30)
    assert triage.due == utc(2026, 3, 30, 23)  # midnight BST
    assert scan_at(utc(2026, 3, 30, 22, 59)).escalations == 0
    assert scan_at(utc(2026, 3, 30, 23, 0)).escalations == 1


def test_major_untriaged_for_four_hours_goes_to_the_dpo(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    update(incident, severity=Incident.Severity.MAJOR)
    assert scan_at(utc(2026, 6, 1, 12, 59)).escalations == 0
    assert scan_at(utc(2026, 6, 1, 13, 1)).escalations == 1
    assert [e.kind for e in Escalation.objects.all()] == [Escalation.Kind.URGENT_UNTRIAGED]
    assert list(Outbox.objects.values_list("to_address", flat=True)) == ["carol@example.org"]


def test_investigation_overdue_by_severity_goes_to_the_siro(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    update(incident, status=Incident.Status.INVESTIGATING, severity="critical", triaged_on=utc(2026, 6, 1, 11))
    # Critical: 5 working days from Monday 1 June -> end of Monday 8 June.
    assert scan_at(utc(2026, 6, 8, 22, 59)).escalations == 0
    result = scan_at(utc(2026, 6, 8, 23, 1))
    assert [e.kind for e in Escalation.objects.all()] == [Escalation.Kind.INVESTIGATION_OVERDUE]
    assert result.escalations == 1
    assert list(Outbox.objects.filter(kind="escalation").values_list("to_address", flat=True)) == ["siro@example.org"]


def test_organisation_timescales_are_inherited_and_overridable(cast: Cast, siro) -> None:
    Timescales.objects.create(organisation=cast.county, outcome_minor_days=30, triage_days=2)
    Timescales.objects.create(organisation=cast.school_a, triage_days=3)
    school = effective_timescales(cast.school_a)
    assert (school.triage_days, school.outcome_minor_days, school.outcome_major_days) == (3, 30, 10)
    assert effective_timescales(cast.school_b).triage_days == 2
    report_at(cast, utc(2026, 6, 1, 9))  # Monday: 3 working days -> end of Thursday 4 June
    assert scan_at(utc(2026, 6, 3, 23, 1)).escalations == 0
    assert scan_at(utc(2026, 6, 4, 23, 1)).escalations == 1


def test_ico_reminder_points_are_configurable(cast: Cast, siro, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ICO_REMINDER_HOURS = [12]
    incident = report_at(cast, utc(2026, 6, 1, 9))
    update(
        incident,
        status=Incident.Status.INVESTIGATING,
        triaged_on=utc(2026, 6, 1, 10),
        aware_on=utc(2026, 6, 1, 12),
        personal_data_breach="yes",
    )
    assert scan_at(utc(2026, 6, 3, 12, 30)).escalations == 0  # 23.5 hours left: no 24-hour point now
    assert scan_at(utc(2026, 6, 4, 0, 30)).escalations == 1  # under 12 hours left
    thresholds = [e.threshold.split(":")[1] for e in escalations(Escalation.Kind.ICO_CLOCK)]
    assert thresholds == ["12h"]


def test_ico_clock_counts_clock_hours_across_the_clock_change(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 3, 27, 9))
    aware = utc(2026, 3, 28, 12)  # noon GMT; the clocks go forward on the 29th
    update(
        incident,
        status=Incident.Status.INVESTIGATING,
        triaged_on=utc(2026, 3, 27, 10),
        aware_on=aware,
        personal_data_breach="yes",
    )
    incident.refresh_from_db()
    ico = next(d for d in incident_dues(incident, effective_timescales(cast.school_a)) if d.key == "ico")
    assert ico.due == utc(2026, 3, 31, 12)  # 72 real hours: 13:00 BST
    assert ico.phrase(utc(2026, 3, 31, 10, 30)) == "due in 1 hour 30 minutes"
    assert scan_at(utc(2026, 3, 29, 11, 59)).escalations == 0  # just over 48 hours left
    assert scan_at(utc(2026, 3, 29, 12, 30)).escalations == 1  # under 48 hours left
    assert scan_at(utc(2026, 3, 30, 12, 30)).escalations == 1  # under 24 hours left
    assert scan_at(utc(2026, 3, 31, 6, 30)).escalations == 1  # under 6 hours left
    assert scan_at(utc(2026, 3, 31, 12, 1)).escalations == 1  # overdue
    assert scan_at(utc(2026, 3, 31, 13)).escalations == 0
    thresholds = [e.threshold.split(":")[1] for e in escalations(Escalation.Kind.ICO_CLOCK)]
    assert thresholds == ["48h", "24h", "6h", "overdue"]
    for escalation in escalations(Escalation.Kind.ICO_CLOCK):
        assert sorted(escalation.told) == [
            "Carol DPO (Data Protection Officer)",
            "Sam Siro (Senior Information Risk Owner)",
        ]
    assert sorted(set(Outbox.objects.filter(kind="escalation").values_list("to_address", flat=True))) == [
        "carol@example.org",
        "siro@example.org",
    ]


def test_no_ico_escalation_once_reported_or_decided_not_needed(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    update(
        incident,
        status=Incident.Status.INVESTIGATING,
        triaged_on=utc(2026, 6, 1, 10),
        aware_on=utc(2026, 6, 1, 10),
        personal_data_breach="yes",
        ico_decision=Incident.IcoDecision.RECORD_ONLY,
    )
    scan_at(utc(2026, 6, 5, 10))
    assert not escalations(Escalation.Kind.ICO_CLOCK)


def test_remedial_action_overdue_goes_to_its_owner_then_the_incident_manager(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    owner = UserFactory(email="owner@example.org", full_name="Olive Owner")
    update(incident, status=Incident.Status.INVESTIGATING, triaged_on=utc(2026, 6, 1, 10))
    RemedialAction.objects.create(
        organisation=cast.school_a, incident=incident, title="Turn on encryption", owner=owner, due_on=date(2026, 6, 10)
    )
    assert scan_at(utc(2026, 6, 10, 12)).escalations == 0
    scan_at(utc(2026, 6, 11, 9))
    assert [e.kind for e in Escalation.objects.filter(action__isnull=False)] == [Escalation.Kind.ACTION_OVERDUE]
    assert "owner@example.org" in Outbox.objects.values_list("to_address", flat=True)
    # Five working days after the due date: the incident manager.
    scan_at(utc(2026, 6, 16, 9))
    assert not escalations(Escalation.Kind.ACTION_STILL_OVERDUE)
    scan_at(utc(2026, 6, 17, 9))
    still = escalations(Escalation.Kind.ACTION_STILL_OVERDUE)
    assert len(still) == 1 and still[0].told == ["Alice Handler (Incident manager)"]
    assert Event.objects.filter(action="escalation.action_overdue", record_id=str(incident.pk)).count() == 1


def test_reporter_not_updated_reminds_the_incident_manager_and_a_message_resets_it(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    update(incident, status=Incident.Status.TRIAGED, triaged_on=utc(2026, 6, 1, 10))
    reconcile_at(utc(2026, 6, 1, 11))  # tells the reporter it was triaged: that is an update
    assert ReporterMessage.objects.filter(incident=incident).count() == 1
    # 10 working days from Monday 1 June -> end of Monday 15 June.
    assert not escalations(Escalation.Kind.REPORTER_UPDATE_DUE)
    scan_at(utc(2026, 6, 15, 22))
    assert not escalations(Escalation.Kind.REPORTER_UPDATE_DUE)
    scan_at(utc(2026, 6, 15, 23, 1))
    assert escalations(Escalation.Kind.REPORTER_UPDATE_DUE)[0].told == ["Alice Handler (Incident manager)"]
    ReporterMessage.objects.create(
        incident=incident, direction="to_reporter", body="Still looking", sent_on=utc(2026, 6, 16, 9), author=cast.alice
    )
    store.refresh_incidents([incident.pk])  # as the message step does
    scan_at(utc(2026, 6, 29, 9))
    assert len(escalations(Escalation.Kind.REPORTER_UPDATE_DUE)) == 1
    scan_at(utc(2026, 6, 30, 23, 1))
    assert len(escalations(Escalation.Kind.REPORTER_UPDATE_DUE)) == 2


def test_named_reporter_told_of_progress_by_email_in_plain_words(cast: Cast) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    update(incident, status=Incident.Status.INVESTIGATING)
    reconcile_at(utc(2026, 6, 1, 10))
    reconcile_at(utc(2026, 6, 1, 10, 5))
    message = ReporterMessage.objects.get(incident=incident)
    assert message.body == "The incident is being investigated."
    row = Outbox.objects.get(kind="reporter_progress")
    assert row.to_address == "bob@example.org" and incident.reference in row.subject
    assert "The incident is being investigated." in row.text
    assert "wrong parent" not in row.text and "wrong parent" not in row.html
    update(incident, status=Incident.Status.CLOSED, closed_on=utc(2026, 6, 2, 9))
    reconcile_at(utc(2026, 6, 2, 10))
    assert Outbox.objects.filter(kind="reporter_progress").count() == 2


def test_anonymous_reporter_is_told_through_the_receipt_page_only(cast: Cast) -> None:
    with time_machine.travel(utc(2026, 6, 1, 9), tick=False):
        incident = reported_incident(cast.school_a, None)
    update(incident, reporter_anonymous=True, status=Incident.Status.TRIAGED)
    reconcile_at(utc(2026, 6, 1, 10))
    assert ReporterMessage.objects.get(incident=incident).direction == "to_reporter"
    assert not Outbox.objects.filter(kind="reporter_progress").exists()
    told = Event.objects.filter(action="reporter.progress_told")  # content sealed: read, not filtered in SQL
    assert [(e.after or {}).get("how") for e in told] == ["receipt page"]


def test_informed_parties_each_told_once_by_rule(cast: Cast, siro) -> None:
    from notifications.models import InformedParty

    governor = UserFactory(email="governor@example.org")
    Membership.objects.create(user=governor, organisation=cast.school_a, role=Role.GOVERNANCE)
    Contact.objects.create(
        organisation=cast.county, kind=Contact.Kind.INTERNAL_AUDIT, name="Audit", email="audit@example.org"
    )
    Contact.objects.create(organisation=cast.school_a, kind=Contact.Kind.CALDICOTT, name="CG", email="cg@example.org")
    InformedParty.objects.create(organisation=cast.county, role="service_manager", name="SM", email="sm@example.org")
    InformedParty.objects.create(
        organisation=cast.school_a, role="system_owner", name="SO", email="so@example.org", service_name="Payments"
    )
    InformedParty.objects.create(
        organisation=cast.school_a, role="system_owner", name="Other", email="other@example.org", service_name="Email"
    )
    incident = report_at(cast, utc(2026, 6, 1, 9), service_affected="yes", service_name="payments", personal_data="yes")
    update(incident, severity="major")
    reconcile_at(utc(2026, 6, 1, 9, 5))
    reconcile_at(utc(2026, 6, 1, 9, 10))
    kinds = dict(Outbox.objects.exclude(kind="escalation").values_list("to_address", "kind"))
    assert kinds == {
        "sm@example.org": "informed_service",
        "so@example.org": "informed_service",
        "audit@example.org": "informed_audit",
        "cg@example.org": "informed_caldicott",
        "governor@example.org": "informed_major",
    }
    governance = Outbox.objects.get(kind="informed_major")
    assert (
        incident.reference in governance.text and "Open major or critical incidents at School A: 1" in governance.text
    )
    assert "wrong parent" not in governance.text


def test_escalation_is_shown_on_the_incident(client, cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    scan_at(utc(2026, 6, 3, 9))
    client.force_login(cast.alice)
    with time_machine.travel(utc(2026, 6, 3, 9, 5), tick=False):
        page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Escalated: not triaged in time" in page
    assert "overdue by 1 working day" in page
    assert "Deadlines" in page and "Triage" in page


def test_a_failing_incident_does_not_stop_the_scan(cast: Cast, siro) -> None:
    first = report_at(cast, utc(2026, 6, 1, 9))
    report_at(cast, utc(2026, 6, 1, 9))
    Organisation.objects.filter(pk=cast.school_a.pk).update(nation="atlantis")  # unknown: England's holidays
    with transaction.atomic():
        pass
    result = scan_at(utc(2026, 6, 3, 9))
    assert result.escalations == 2 and not result.errors
    assert Escalation.objects.filter(incident=first).count() == 1


def test_due_phrases_are_plain_words(cast: Cast) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    triage = incident_dues(incident, effective_timescales(cast.school_a))[0]
    assert triage.phrase(utc(2026, 6, 1, 10)) == "due in 1 working day"
    assert triage.phrase(utc(2026, 6, 2, 10)) == "due today"
    assert triage.phrase(utc(2026, 6, 4, 10)) == "overdue by 2 working days"
    assert triage.when() == "end of Tuesday 2 June 2026"
    assert timedelta(0) < triage.due - incident.reported_on


def test_triage_deadline_across_the_autumn_clock_change(cast: Cast, siro) -> None:
    # Friday 23 October 2026 16:00 BST; the clocks go back on Sunday 25th.
    incident = report_at(cast, utc(2026, 10, 23, 15))
    triage = incident_dues(incident, effective_timescales(cast.school_a))[0]
    assert triage.due == utc(2026, 10, 27, 0)  # the end of Monday 26th is midnight GMT
    assert scan_at(utc(2026, 10, 26, 23, 59)).escalations == 0
    assert scan_at(utc(2026, 10, 27, 0, 0)).escalations == 1


def test_demo_shows_an_escalation_on_the_timeline_and_its_email(transactional_db, mailoutbox) -> None:
    from demo import load as demo

    from .test_reporting import run_worker

    loaded = demo.load()
    run_worker()  # runs the scan the demo queued, then the outbox drain
    untriaged = incident_described("A box of pupil contact forms", starts=True)
    event = Event.objects.get(action="escalation.triage_overdue", record_id=str(untriaged.pk))
    assert "Daniel Ashworth (Headteacher)" in event.reason
    subjects = {(m.to[0], m.subject) for m in mailoutbox}
    assert ("head@brookside.example.org", f"Overdue: Triage for {untriaged.reference}") in subjects
    assert loaded["users"]["dpo@example.org"].email in {m.to[0] for m in mailoutbox}


def test_remedial_action_without_a_due_date_gets_the_organisations_timescale(cast: Cast, siro) -> None:
    incident = report_at(cast, utc(2026, 6, 1, 9))
    Timescales.objects.create(organisation=cast.county, action_days=3)
    with time_machine.travel(utc(2026, 6, 5, 10), tick=False):  # Friday
        RemedialAction.objects.create(organisation=cast.school_a, incident=incident, title="Shred old forms")
    due = next(
        d
        for d in incident_dues(
            incident, effective_timescales(cast.school_a), actions=list(RemedialAction.objects.all())
        )
        if d.key.startswith("action:")
    )
    assert due.due_date == date(2026, 6, 10)  # three working days from Friday: Wednesday
    assert due.basis == "3 working days from when it was raised"
    scan_at(utc(2026, 6, 10, 22, 59))
    assert not escalations(Escalation.Kind.ACTION_OVERDUE)
    scan_at(utc(2026, 6, 10, 23, 1))
    # No owner: the incident manager is told instead.
    assert escalations(Escalation.Kind.ACTION_OVERDUE)[0].told == [
        "Alice Handler (Incident manager: the action has no owner)"
    ]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=60 * 24 * 40), min_size=1, max_size=6),
    severity=st.sampled_from(["", "minor", "major", "critical"]),
    status=st.sampled_from([Incident.Status.REPORTED, Incident.Status.TRIAGED, Incident.Status.INVESTIGATING]),
)
def test_scanning_at_any_moments_escalates_as_one_scan_at_the_last(cast: Cast, siro, minutes, severity, status) -> None:
    """However often (and in whatever order) the scan runs, the result is what one scan at the end gives."""
    start = utc(2026, 3, 20, 15)  # before the spring clock change and Easter
    with transaction.atomic():
        incident = report_at(cast, start)
        update(
            incident,
            severity=severity,
            status=status,
            triaged_on=None if status == "reported" else start + timedelta(hours=1),
        )
        ReporterProgress.objects.create(incident=incident, told_status=status, told_on=start)
        for offset in minutes:
            scan_at(start + timedelta(minutes=offset))
        many = sorted(Escalation.objects.values_list("kind", "threshold"))
        assert len(many) == len(set(many))
        told = sum(len(e.told) for e in Escalation.objects.all())
        assert Outbox.objects.filter(kind="escalation").count() == told
        Escalation.objects.all().delete()
        for row in Deadline.objects.all():  # as freshly stored: each row from its first moment
            Deadline.objects.filter(pk=row.pk).update(attention_at=attention.first(row))
        scan_at(start + timedelta(minutes=max(minutes)))
        once = sorted(Escalation.objects.values_list("kind", "threshold"))
        assert many == once
        transaction.set_rollback(True)
