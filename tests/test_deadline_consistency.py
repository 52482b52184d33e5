"""One rule, counted the same everywhere: the dashboard, the log it links to, the CSV export,
the ICO clocks page and the deadline scan all read the stored deadlines, so they agree.

Generated data (`insights.sample`) plus incidents walked through the real steps at chosen
moments, on a frozen clock: Easter's bank holidays, a school's own 8 working days for a major
investigation against the default 10, and every state of the ICO clock.
"""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.models import RemedialAction
from breaches.models import Decision, IcoSubmission
from deadlines.models import Deadline, Escalation
from deadlines.scan import scan
from incidents import lifecycle
from incidents.models import Incident, IncidentType
from insights.sample import generate, generate_actions
from organisations.models import Membership, Organisation, Role

from .conftest import Cast
from .factories import UserFactory, reported_incident
from .lifecycle_helpers import assess_breach, classification
from .mfa import SecondFactorClient
from .test_reports import python_flags

# Tuesday 7 April 2026, 10:30 BST: the first working day after Good Friday (3rd) and Easter Monday (6th).
NOW = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
FLAG_COLUMNS = {
    "triage": "Triage overdue",
    "investigation": "Investigation overdue",
    "action": "Action overdue",
    "ico": "ICO clock overdue",
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


def admin_of(organisation: Organisation) -> User:
    person = UserFactory()
    Membership.objects.create(user=person, organisation=organisation, role=Role.ADMIN)
    return person


def set_timescales(organisation: Organisation, **values: int) -> None:
    """As an organisation admin does, through the timescales page."""
    client = SecondFactorClient()
    client.force_login(admin_of(organisation))
    response = client.post(
        reverse("deadlines:timescales", args=[organisation.uuid]), {k: str(v) for k, v in values.items()}
    )
    assert response.status_code == 302


def report(cast: Cast, organisation: Organisation, when: datetime, **fields: Any) -> Incident:
    with time_machine.travel(when, tick=False):
        return reported_incident(organisation, cast.bob, **fields)


def triage(incident: Incident, by: User, when: datetime, **values: Any) -> None:
    with time_machine.travel(when, tick=False):
        lifecycle.triage(incident, by=by, **classification(**values))


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    """Generated incidents and actions over two schools, and named incidents reached through the steps."""
    siro = UserFactory(full_name="Sam Siro")
    Membership.objects.create(user=siro, organisation=cast.school_a, role=Role.SIRO)
    # School B runs major investigations to its own 8 working days; School A keeps the default 10.
    set_timescales(cast.school_b, outcome_major_days=8)
    named: dict[str, Incident] = {}
    # Thursday 2 April 10:00: one working day is Tuesday 7th (Good Friday, Easter Monday skipped).
    named["easter"] = report(cast, cast.school_a, utc(2026, 4, 2, 9))
    named["before_easter"] = report(cast, cast.school_a, utc(2026, 4, 1, 9))  # due Thursday 2nd: overdue
    # Both triaged major on Monday 23 March: 8 working days end on Thursday 2 April, 10 on Wednesday 8th.
    for key, school, manager in [("major_b", cast.school_b, cast.dave), ("major_a", cast.school_a, cast.alice)]:
        named[key] = report(cast, school, utc(2026, 3, 23, 9))
        triage(named[key], manager, utc(2026, 3, 23, 10), severity="major")
    # The ICO clock in each state.
    named["ico_running"] = report(cast, cast.school_a, NOW - timedelta(hours=10), personal_data="yes")
    named["ico_overdue"] = report(cast, cast.school_a, NOW - timedelta(hours=80), personal_data="yes")
    named["ico_reported"] = report(cast, cast.school_a, NOW - timedelta(hours=50), personal_data="yes")
    triage(
        named["ico_reported"],
        cast.alice,
        NOW - timedelta(hours=49),
        personal_data_breach="yes",
        aware_on=NOW - timedelta(hours=50),
    )
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        IcoSubmission.record_submission(
            incident=named["ico_reported"], by=cast.alice, submitted_on=NOW - timedelta(hours=3)
        )
    named["ico_record_only"] = report(cast, cast.school_a, NOW - timedelta(hours=100), personal_data="yes")
    triage(
        named["ico_record_only"],
        cast.alice,
        NOW - timedelta(hours=99),
        personal_data_breach="yes",
        aware_on=NOW - timedelta(hours=100),
    )
    with time_machine.travel(NOW - timedelta(hours=98), tick=False):
        Decision.decide(
            assessment=assess_breach(named["ico_record_only"], cast.carol),
            by=cast.carol,
            agrees=False,
            decision="record_only",
            reason="Unlikely to be a risk.",
        )
    named["ico_closed"] = report(cast, cast.school_a, NOW - timedelta(hours=90), personal_data="yes")
    with time_machine.travel(NOW - timedelta(hours=89), tick=False):
        lifecycle.close_not_incident(named["ico_closed"], by=cast.alice, reason="A test email, nothing was sent.")
    types: list[IncidentType | None] = [
        IncidentType.objects.get_or_create(organisation=None, name=n)[0] for n in ("Phishing", "Lost device")
    ]
    types.append(None)
    with time_machine.travel(NOW, tick=False):
        generate([cast.school_a, cast.school_b], types, 240, now=NOW)
        generate_actions([cast.school_a, cast.school_b], 60, now=NOW, owner=cast.alice)
        # Undated, raised Monday 9 March: 20 weekdays would end on Easter Monday; 20 working days on 8 April.
        with time_machine.travel(utc(2026, 3, 9, 10), tick=False):
            RemedialAction.objects.create(organisation=cast.school_a, incident=named["easter"], title="Shred forms")
    return named


def csv_rows(client: Client, params: dict[str, str]) -> list[dict[str, str]]:
    response = client.get(reverse("insights:export_csv"), params)
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_every_count_agrees_with_the_log_the_export_the_clocks_page_and_the_scan(
    client: Client, cast: Cast, world: dict[str, Any]
) -> None:
    with time_machine.travel(NOW, tick=False):
        client.force_login(cast.carol)
        figures = client.get(reverse("insights:dashboard")).context["figures"]
        counts = {bar.query.get("overdue") or "ico_running": bar.value for bar in figures.clocks + figures.overdue}
        # The rule, stated independently (calendar walk with England's bank holidays), agrees.
        incidents = list(Incident.objects.prefetch_related("remedial_actions"))
        own = {cast.school_b.pk: {"major": 8}}
        expected = {i.reference: python_flags(i, NOW, own.get(i.organisation_id)) for i in incidents}
        flagged = {key: {ref for ref, f in expected.items() if f[key]} for key in [*FLAG_COLUMNS, "ico_running"]}
        assert counts == {key: len(refs) for key, refs in flagged.items()}
        assert all(counts.values()), counts

        # Each figure's link opens that many log rows; the same filter's CSV holds those incidents.
        for bar in figures.clocks + figures.overdue:
            page = client.get(reverse("insights:log"), bar.query)
            assert page.context["tally"].number == bar.value, bar.label
            key = bar.query.get("overdue") or "ico_running"
            assert {r["Reference"] for r in csv_rows(client, bar.query)} == flagged[key], bar.label

        # The whole log, page and export, flags the same incidents.
        everything = csv_rows(client, {})
        assert len(everything) == client.get(reverse("insights:log")).context["tally"].number
        for flag, column in FLAG_COLUMNS.items():
            assert {r["Reference"] for r in everything if r[column] == "Yes"} == flagged[flag], flag
        page_rows = client.get(reverse("insights:log")).context["rows"]
        assert page_rows
        for row in page_rows:
            assert {f: row[f"overdue_{f}"] for f in FLAG_COLUMNS} == {
                f: expected[row["reference"]][f] for f in FLAG_COLUMNS
            }

        # The ICO clocks page lists exactly the running clocks the dashboard counts.
        clocks = client.get(reverse("deadlines:ico_clocks")).context["clocks"]
        assert {i.reference for i, _ in clocks} == flagged["ico_running"]
        assert {i.reference for i, due in clocks if due.state() == "overdue"} == flagged["ico"]

        # The scan chases the same incidents, and found the stored deadlines already current.
        result = scan()
    assert result.refreshed == 0 and not result.errors
    refs: dict[Any, Any] = dict(Incident.objects.values_list("pk", "reference"))

    def escalated(kind: str, suffix: str = "") -> set[str]:
        rows = Escalation.objects.filter(kind=kind, incident__isnull=False, threshold__endswith=suffix)
        return {refs[pk] for pk in rows.values_list("incident_id", flat=True)}

    assert escalated(Escalation.Kind.TRIAGE_OVERDUE) == flagged["triage"]
    assert escalated(Escalation.Kind.INVESTIGATION_OVERDUE) == flagged["investigation"]
    assert escalated(Escalation.Kind.ICO_CLOCK, ":overdue") == flagged["ico"]
    # Reminders start 48 hours before the end (ICO_REMINDER_HOURS): the clocks nearer than that.
    assert (
        escalated(Escalation.Kind.ICO_CLOCK)
        == {i.reference for i, due in clocks if due.due_at - NOW <= timedelta(hours=48)}
        != set()
    )
    assert escalated(Escalation.Kind.ACTION_OVERDUE) == flagged["action"]
    overdue_actions = set(
        Escalation.objects.filter(kind=Escalation.Kind.ACTION_OVERDUE).values_list("action", flat=True)
    )
    assert len(overdue_actions) == figures.actions_overdue > 0


def test_bank_holidays_and_an_organisations_own_timescale_decide_what_is_overdue(
    client: Client, cast: Cast, world: dict[str, Any]
) -> None:
    with time_machine.travel(NOW, tick=False):
        client.force_login(cast.carol)
        flagged = {
            flag: {r["Reference"] for r in csv_rows(client, {"overdue": flag})} for flag in ("triage", "investigation")
        }
        action = {r["Reference"] for r in csv_rows(client, {"overdue": "action"})}
    # Easter: a Thursday report is due at the end of Tuesday, not Friday (weekdays alone would say overdue).
    assert world["easter"].reference not in flagged["triage"]
    assert world["before_easter"].reference in flagged["triage"]
    # School B's own 8 working days have passed; School A's default 10 have not.
    assert world["major_b"].reference in flagged["investigation"]
    assert world["major_a"].reference not in flagged["investigation"]
    # An undated action raised on 9 March: 20 working days skip Good Friday and Easter Monday: due 8 April.
    shred = Deadline.objects.get(action__title="Shred forms")
    assert shred.due_date is not None and shred.due_date.isoformat() == "2026-04-08"
    assert world["easter"].reference not in action


def test_every_state_of_the_ico_clock_is_stored_by_the_steps_themselves(
    client: Client, cast: Cast, world: dict[str, Any]
) -> None:
    def ico(key: str) -> Deadline:
        return Deadline.objects.get(incident=world[key], kind=Deadline.Kind.ICO)

    with time_machine.travel(NOW, tick=False):
        assert ico("ico_running").state() == "due"
        assert ico("ico_overdue").state() == "overdue"
        assert ico("ico_reported").met_at == NOW - timedelta(hours=3)
        assert ico("ico_record_only").stopped == Deadline.Stopped.RECORD_ONLY
        assert ico("ico_closed").stopped == Deadline.Stopped.CLOSED
        client.force_login(cast.carol)
        listed = {i.reference for i, _ in client.get(reverse("deadlines:ico_clocks")).context["clocks"]}
        assert {world[k].reference for k in ("ico_running", "ico_overdue")} <= listed
        assert not {world[k].reference for k in ("ico_reported", "ico_record_only", "ico_closed")} & listed
        # The incident page's panel says the same.
        client.force_login(cast.alice)
        page = client.get(reverse("incidents:detail", args=[world["ico_record_only"].uuid])).content.decode()
        assert "Not needed: decided unlikely to result in a risk" in page
        page = client.get(reverse("incidents:detail", args=[world["ico_overdue"].uuid])).content.decode()
        assert "Overdue by 8 hours" in page


def test_a_closed_incidents_deadlines_do_not_move_when_timescales_change(cast: Cast) -> None:
    open_ = report(cast, cast.school_a, utc(2026, 6, 1, 9))
    closed = report(cast, cast.school_a, utc(2026, 6, 1, 9))
    triage(open_, cast.alice, utc(2026, 6, 1, 10), severity="moderate")
    triage(closed, cast.alice, utc(2026, 6, 1, 10), severity="moderate")
    with time_machine.travel(utc(2026, 6, 2, 10), tick=False):
        lifecycle.close_not_incident(closed, by=cast.alice, reason="Not a security incident after all.")

    def due(incident: Incident) -> dict[str, tuple[datetime, str]]:
        return {d.kind: (d.due_at, d.stopped) for d in Deadline.objects.filter(incident=incident)}

    open_before, closed_before = due(open_), due(closed)
    assert open_before["outcome"][0] == utc(2026, 6, 22, 23)  # 15 working days from Monday 1 June
    with time_machine.travel(utc(2026, 6, 3, 10), tick=False):
        set_timescales(cast.county, triage_days=3, outcome_moderate_days=5, reporter_update_days=2)
    assert due(closed) == closed_before
    assert due(open_)["outcome"][0] == utc(2026, 6, 8, 23)  # 5 working days: the end of Monday 8 June
    assert due(open_)["reporter_update"] != open_before["reporter_update"]
    # Reopened, it is worked out again with the timescales of today.
    siro = UserFactory()
    Membership.objects.create(user=siro, organisation=cast.school_a, role=Role.SIRO)
    with time_machine.travel(utc(2026, 6, 4, 10), tick=False):
        lifecycle.reopen(closed, by=siro, reason="More came to light.")
    assert due(closed)["outcome"] == (utc(2026, 6, 8, 23), "")


def test_steps_keep_the_stored_deadlines_current_without_a_scan(cast: Cast) -> None:
    incident = report(cast, cast.school_a, utc(2026, 6, 1, 9))
    triage_row = Deadline.objects.get(incident=incident, kind=Deadline.Kind.TRIAGE)
    assert triage_row.is_open and triage_row.due_at == utc(2026, 6, 2, 23)
    assert not Deadline.objects.filter(incident=incident, kind=Deadline.Kind.OUTCOME).exists()
    triage(incident, cast.alice, utc(2026, 6, 1, 11), severity="critical")
    triage_row.refresh_from_db()
    assert triage_row.met_at == utc(2026, 6, 1, 11)
    assert Deadline.objects.get(incident=incident, kind=Deadline.Kind.OUTCOME).due_at == utc(2026, 6, 8, 23)
    update = Deadline.objects.get(incident=incident, kind=Deadline.Kind.REPORTER_UPDATE)
    with time_machine.travel(utc(2026, 6, 5, 10), tick=False):
        lifecycle.message_reporter(incident, by=cast.alice, body="We are looking into it.")
    moved = Deadline.objects.get(incident=incident, kind=Deadline.Kind.REPORTER_UPDATE)
    assert moved.due_at > update.due_at and moved.starts_at == utc(2026, 6, 5, 10)
    # An action's own deadline follows the action.
    with time_machine.travel(utc(2026, 6, 5, 10), tick=False):
        action = RemedialAction.objects.create(organisation=cast.school_a, incident=incident, title="Lock the cabinet")
    assert Deadline.objects.get(action=action).due_date.isoformat() == "2026-07-03"  # type: ignore[union-attr]
    action.status = RemedialAction.Status.CANCELLED
    action.save()
    assert Deadline.objects.get(action=action).stopped == Deadline.Stopped.CANCELLED


def test_the_data_migration_stores_what_the_steps_stored_and_running_it_again_changes_nothing(
    world: dict[str, Any],
) -> None:
    from importlib import import_module

    from django.apps import apps

    fill = import_module("deadlines.migrations.0004_fill_deadlines").fill
    fields = (
        *("organisation_id", "incident_id", "action_id", "kind", "label", "basis", "nation", "starts_at"),
        *("due_at", "due_date", "met_at", "stopped"),
    )

    def snapshot() -> set[tuple[Any, ...]]:
        return set(Deadline.objects.values_list(*fields))

    with time_machine.travel(NOW, tick=False):
        stored = snapshot()
        assert len(stored) > 300
        Deadline.objects.all().delete()
        fill(apps, None)
        assert snapshot() == stored
        before = dict(Deadline.objects.values_list("pk", "updated_on"))
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        fill(apps, None)
    assert dict(Deadline.objects.values_list("pk", "updated_on")) == before


def test_assigned_to_me_shows_the_stored_outcome_and_ico_deadlines(client: Client, db: None) -> None:
    from .lifecycle_helpers import make_team

    team = make_team()
    with time_machine.travel(utc(2026, 6, 1, 8), tick=False):
        incident = reported_incident(team.school, team.reporter, personal_data="yes")
    with time_machine.travel(utc(2026, 6, 1, 9), tick=False):
        lifecycle.triage(
            incident,
            by=team.manager,
            investigator=team.investigator,
            **classification("major", personal_data_breach="yes", aware_on=utc(2026, 6, 1, 8)),
        )
    client.force_login(team.investigator)
    with time_machine.travel(utc(2026, 6, 2, 9), tick=False):
        page = client.get(reverse("incidents:mine")).content.decode()
    assert "Outcome report due by the end of Monday 15 June 2026" in page  # 10 working days from triage
    assert "Tell the ICO by 4 Jun 2026, 09:00" in page  # 72 clock hours from 09:00 BST on 1 June
