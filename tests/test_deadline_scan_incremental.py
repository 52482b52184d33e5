"""The deadline scan reads only what fell due: its cost does not grow with the open incidents.

Each stored deadline carries the next moment the scan must look at it (`attention_at`, under a
partial index); a step that moves a deadline moves that moment in its own transaction.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from deadlines import store
from deadlines.models import Deadline, Escalation, Timescales
from deadlines.scan import due_rows, scan
from incidents import lifecycle
from incidents.models import Incident
from notifications.models import Outbox

from .factories import reported_incident
from .lifecycle_helpers import Team, classification, make_team
from .test_worker_faults import run_together

MONDAY = datetime(2026, 6, 1, 9, tzinfo=UTC)


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def open_incidents(team: Team, n: int, reported_on: datetime, prefix: str = "S") -> list[int]:
    """`n` open incidents with their deadlines stored, as the report step stores them."""
    Incident.objects.bulk_create(
        [
            Incident(
                organisation=team.school, description="Open", reported_on=reported_on, reference=f"INC-{prefix}-{i:05d}"
            )
            for i in range(n)
        ]
    )
    ids = list(Incident.objects.filter(reference__startswith=f"INC-{prefix}-").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        store.refresh_incidents(ids[start : start + 500])
    return ids


def scan_queries(when: datetime) -> list[str]:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
        result = scan()
    assert result.escalations == 0 and not result.errors
    return [q["sql"] for q in queries.captured_queries]


def plan(when: datetime) -> str:
    """The database's plan for the scan's read of the deadlines (seq scans off on PostgreSQL, so a
    plan that could only scan the table says so)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        return due_rows(when, 200).explain()


def test_the_scan_with_nothing_due_costs_the_same_at_200_and_2000_open_incidents(team: Team) -> None:
    quiet = MONDAY + timedelta(hours=2)  # nothing is due before the end of Tuesday
    open_incidents(team, 200, MONDAY)
    small = scan_queries(quiet)
    open_incidents(team, 1800, MONDAY, prefix="T")
    assert Incident.objects.filter(status__in=Incident.OPEN_STATUSES).count() == 2000
    assert Deadline.objects.filter(attention_at__isnull=False).count() >= 2 * 2000
    large = scan_queries(quiet)
    assert len(small) == len(large) <= 3
    # Its one query on the deadlines table is the due-rows read, and it goes through the index.
    reads = [sql for sql in large if "deadlines_deadline" in sql]
    assert len(reads) == 1 and "attention_at" in reads[0]
    explained = plan(quiet)
    assert "deadline_attention" in explained, explained
    if connection.vendor == "postgresql":
        assert "Seq Scan on deadlines_deadline" not in explained, explained
    else:
        assert "SCAN deadlines_deadline" not in explained.replace("SEARCH deadlines_deadline", ""), explained


def test_the_scan_of_due_deadlines_reads_only_those(team: Team) -> None:
    open_incidents(team, 300, MONDAY)
    late = reported_incident(team.school, team.reporter)
    Incident.objects.filter(pk=late.pk).update(reported_on=MONDAY - timedelta(days=7))
    store.refresh_incidents([late.pk])  # as a step stores it
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        result = scan()
    assert (result.incidents, result.escalations) == (1, 1)
    assert Escalation.objects.get().incident_id == late.pk


def test_a_deadline_moved_by_a_step_is_not_chased_on_its_old_moment(team: Team) -> None:
    with time_machine.travel(MONDAY, tick=False):
        incident = reported_incident(team.school, team.reporter)
    triage = Deadline.objects.get(incident=incident, kind=Deadline.Kind.TRIAGE)
    old = triage.due_at
    assert triage.attention_at == old  # the end of Tuesday 2 June
    # The school gives itself three working days to triage: the deadline moves to Thursday.
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        Timescales.objects.create(organisation=team.school, triage_days=3)
        store.refresh_under(team.school.path)
    triage.refresh_from_db()
    assert triage.due_at == old + timedelta(days=2) and triage.attention_at == triage.due_at
    with time_machine.travel(old + timedelta(minutes=1), tick=False):
        assert (scan().incidents, Escalation.objects.count()) == (0, 0)  # not even looked at
    with time_machine.travel(triage.due_at + timedelta(minutes=1), tick=False):
        assert scan().escalations == 1
    triage.refresh_from_db()
    assert triage.attention_at is None  # chased: owes nothing more


def test_a_deadline_met_or_stopped_by_a_step_is_never_chased(team: Team) -> None:
    with time_machine.travel(MONDAY, tick=False):
        triaged = reported_incident(team.school, team.reporter)
        lifecycle.triage(triaged, by=team.manager, **classification("minor"))
        closed = reported_incident(team.school, team.reporter)
        lifecycle.close_not_incident(closed, by=team.manager, reason="A test email, not an incident")
    rows = Deadline.objects.filter(incident_id__in=[triaged.pk, closed.pk], kind=Deadline.Kind.TRIAGE)
    assert [(r.is_open, r.attention_at) for r in rows] == [(False, None), (False, None)]
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        result = scan()
    # The triaged incident's outcome report is not due for weeks; nothing else is owed.
    assert (result.incidents, result.escalations) == (0, 0)


def test_two_scans_at_once_send_each_notice_once(transactional_db: None) -> None:
    team = make_team()
    open_incidents(team, 40, MONDAY - timedelta(days=7))  # each past its triage timescale

    def job() -> object:
        with time_machine.travel(MONDAY, tick=False):
            return scan(batch_size=5)

    results = run_together(job)  # two threads, each with its own connection
    assert len(results) == 2 and all(not r.errors for r in results)
    assert sum(r.escalations for r in results) == 40
    triage = Escalation.objects.filter(kind=Escalation.Kind.TRIAGE_OVERDUE)
    assert Counter(triage.values_list("incident_id", flat=True)).most_common(1)[0][1] == 1
    assert triage.count() == 40
    emails = Outbox.objects.filter(kind="escalation")
    assert emails.count() == 40 and len(set(emails.values_list("incident_id", flat=True))) == 40
    # And nothing is left for a third scan.
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        assert scan().escalations == 0


def test_an_escalation_already_sent_is_refused_and_what_the_second_try_told_is_undone(team: Team) -> None:
    """Two scans can reach one occasion (the nightly pass beside the 5-minute scan): the second
    insert of the escalation row is refused by the database, and the notifications, emails and
    event the second try wrote before it are rolled back with it."""
    from audit.models import Event
    from deadlines.scan import escalate, incident_needs
    from notifications.audiences import Directory
    from notifications.models import Notification

    [incident_id] = open_incidents(team, 1, MONDAY)
    incident = Incident.objects.select_related("organisation").get(pk=incident_id)
    late = MONDAY + timedelta(days=10)
    [need, *_] = incident_needs(list(Deadline.objects.filter(incident=incident, action__isnull=True)), late)

    def written() -> tuple[int, int, int, int]:
        return (
            Escalation.objects.filter(incident=incident).count(),
            Notification.objects.filter(incident=incident).count(),
            Outbox.objects.filter(incident=incident).count(),
            Event.objects.filter(record_id=str(incident.pk), action__startswith="escalation.").count(),
        )

    with time_machine.travel(late, tick=False):
        assert escalate(need, organisation=incident.organisation, incident=incident, now=late, directory=Directory())
        first = written()
        assert first[0] == 1 and first[1] >= 1 and first[2] >= 1 and first[3] == 1
        # The same occasion again, as a scan that read its rows before the first committed would.
        with transaction.atomic():
            assert not escalate(need, organisation=incident.organisation, incident=incident, now=late)
            assert written() == first
    assert written() == first
    sent = Escalation.objects.get(incident=incident)
    assert sent.told and all("(" in name for name in sent.told)  # written once, with the people told


def test_a_batch_s_directory_read_at_once_names_the_same_people_and_titles_as_asking_each(team: Team) -> None:
    """`Directory.preload` reads a batch's memberships and titles in two queries; who holds a
    role (the nearest node that has someone, active people only) and what each node calls it
    are still `Organisation.holders` and `role_titles`, so both ways give the same answer."""
    from notifications.audiences import Directory
    from organisations.models import Membership, Organisation, Role, RoleTitle

    RoleTitle.objects.create(organisation=team.county, role=Role.INCIDENT_MANAGER, title="Data Lead")
    RoleTitle.objects.create(organisation=team.school, role=Role.SIRO, title="Headteacher")
    Membership.objects.create(user=team.elsewhere, organisation=team.county, role=Role.INCIDENT_MANAGER)
    Membership.objects.create(user=team.governor, organisation=team.school, role=Role.SIRO)
    team.governor.is_active = False  # a leaver is nobody's holder
    team.governor.save()
    organisations = list(Organisation.objects.all())
    directory = Directory()
    with CaptureQueriesContext(connection) as queries:
        directory.preload(organisations)
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        found = {(o.pk, role): [p.pk for p in directory.holders(o, role)] for o in organisations for role in Role}
        titles = {o.pk: {role: directory.title(o, role) for role in Role} for o in organisations}
    assert len(queries) == 0
    assert found == {(o.pk, role): [p.pk for p in o.holders(role)] for o in organisations for role in Role}
    assert titles == {o.pk: o.role_titles() for o in organisations}
    assert found[(team.school.pk, Role.SIRO)] == [team.siro.pk]
    assert found[(team.sibling.pk, Role.INCIDENT_MANAGER)] == [team.elsewhere.pk]  # from the node above
    assert titles[team.sibling.pk][Role.INCIDENT_MANAGER] == "Data Lead"
    assert titles[team.school.pk][Role.SIRO] == "Headteacher"
