"""Retention (issue 17, decision 0038): the schedule, legal hold, the monthly disposal lists, keep
and approve, and who may do each. The disposal itself: tests/test_retention_disposal.py."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import Event
from core.exceptions import StepRefused
from incidents.lifecycle.table import blockers
from incidents.models import Incident
from retention import disposal, holds
from retention.drafting import draft
from retention.models import Basis, Disposal, DisposalEntry, DisposalList, RetentionSchedule
from retention.schedule import DEFAULTS, counted_from, due, effective, effective_with_sources, kind_of
from retention.tasks import draft_disposal_lists

from .conftest import Cast
from .retention_helpers import closed_incident, day

pytestmark = pytest.mark.django_db


# ── The schedule ─────────────────────────────────────────────────────────────────────────


def test_schedule_defaults_are_the_schools_current_year_plus_six(cast: Cast) -> None:
    rules = effective(cast.school_a)
    assert rules == DEFAULTS
    assert (rules.basis, rules.breach_years, rules.incident_years, rules.messages_years) == (
        Basis.SCHOOL_YEAR,
        6,
        6,
        1,
    )


def test_schedule_is_inherited_down_the_tree_and_overridden_field_by_field(cast: Cast) -> None:
    RetentionSchedule.objects.create(organisation=cast.county, breach_years=10, basis=Basis.CLOSURE)
    RetentionSchedule.objects.create(organisation=cast.school_a, breach_years=8)
    rules_a, sources_a = effective_with_sources(cast.school_a)
    rules_b, sources_b = effective_with_sources(cast.school_b)
    assert (rules_a.breach_years, sources_a["breach_years"]) == (8, "this organisation")
    assert (rules_a.basis, sources_a["basis"]) == (Basis.CLOSURE, cast.county.name)
    assert (rules_b.breach_years, sources_b["breach_years"]) == (10, cast.county.name)
    assert (rules_b.incident_years, sources_b["incident_years"]) == (6, "default")


def test_school_year_counting_closure_in_july_and_in_september(cast: Cast) -> None:
    assert counted_from(day(2020, 7, 15), Basis.SCHOOL_YEAR) == date(2020, 8, 31)
    assert counted_from(day(2020, 9, 15), Basis.SCHOOL_YEAR) == date(2021, 8, 31)
    july = closed_incident(cast.school_a, day(2020, 7, 15))
    september = closed_incident(cast.school_a, day(2020, 9, 15))
    rules = effective(cast.school_a)
    assert due(july, rules).on == date(2026, 8, 31)  # type: ignore[union-attr]
    assert due(september, rules).on == date(2027, 8, 31)  # type: ignore[union-attr]
    # Counted from closure instead: six years to the day.
    RetentionSchedule.objects.create(organisation=cast.school_a, basis=Basis.CLOSURE)
    assert due(september, effective(cast.school_a)).on == date(2026, 9, 15)  # type: ignore[union-attr]


def test_each_kind_has_its_own_years(cast: Cast) -> None:
    RetentionSchedule.objects.create(
        organisation=cast.school_a, breach_years=7, near_miss_years=3, event_years=1, weakness_years=4
    )
    rules = effective(cast.school_a)
    closed = day(2020, 7, 1)
    cases = {
        "breach": ({"personal_data_breach": "yes"}, 2027),
        "near_miss": ({"breach_status": "near_miss"}, 2023),
        "event": ({"nature": "event"}, 2021),
        "weakness": ({"nature": "weakness"}, 2024),
        "incident": ({"nature": "unknown"}, 2026),
    }
    for kind, (fields, year) in cases.items():
        incident = closed_incident(cast.school_a, closed, **fields)
        assert kind_of(incident) == kind
        assert due(incident, rules).on == date(year, 8, 31), kind  # type: ignore[union-attr]


def test_an_open_incident_is_never_due(cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2001, 1, 1))
    Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.INVESTIGATING)
    incident.refresh_from_db()
    assert due(incident, effective(cast.school_a)) is None


def test_the_schedule_page_saves_an_override_with_an_event(client, cast: Cast) -> None:
    from organisations.models import Membership, Role

    Membership.objects.create(user=cast.bob, organisation=cast.school_a, role=Role.ADMIN)
    client.force_login(cast.bob)
    url = reverse("retention:schedule", args=[cast.school_a.uuid])
    page = client.get(url)
    assert page.status_code == 200 and "Retention schedule" in page.content.decode()
    saved = client.post(url, {"breach_years": "9", "basis": "closure"})
    assert saved.status_code == 302
    assert effective(cast.school_a).breach_years == 9
    assert Event.objects.filter(action="retention.schedule_changed").count() == 1
    settings_page = client.get(reverse("organisations:settings", args=[cast.school_a.uuid])).content.decode()
    assert "Retention and disposal" in settings_page and url in settings_page
    # The DPO above may change it too; an incident manager may not.
    client.force_login(cast.carol)
    assert client.get(url).status_code == 200
    client.force_login(cast.alice)
    assert client.get(url).status_code == 404


# ── Legal hold ───────────────────────────────────────────────────────────────────────────


def test_legal_hold_is_set_and_lifted_with_a_reason_and_an_event_each(cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    with pytest.raises(StepRefused):
        holds.set_hold(incident, by=cast.alice, reason=" ")
    with pytest.raises(StepRefused):
        holds.set_hold(incident, by=cast.bob, reason="A claim is expected.")
    holds.set_hold(incident, by=cast.alice, reason="A claim is expected.")
    assert incident.is_held and incident.legal_hold_reason == "A claim is expected."
    event = Event.objects.get(action="incident.legal_hold_set")
    assert event.reason == "A claim is expected."
    holds.lift_hold(incident, by=cast.carol, reason="The claim was settled.")
    assert not incident.is_held
    assert Event.objects.filter(action="incident.legal_hold_lifted").count() == 1


def test_legal_hold_stops_the_clock_it_is_never_drafted_nor_disposed_of(cast: Cast) -> None:
    held = closed_incident(cast.school_a, day(2015, 1, 1))
    free = closed_incident(cast.school_a, day(2015, 1, 1))
    holds.set_hold(held, by=cast.alice, reason="Tribunal.")
    draft(date(2025, 3, 1))
    listed = set(DisposalEntry.objects.values_list("incident_id", flat=True))
    assert listed == {free.pk}
    with pytest.raises(StepRefused, match="legal hold"):
        disposal.dispose(held, by=cast.alice, rule="test", approved_on=day(2025, 3, 1))


def test_a_hold_set_after_drafting_refuses_approval(cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    holds.set_hold(incident, by=cast.carol, reason="The ICO asked.")
    with pytest.raises(StepRefused, match="legal hold"):
        disposal.approve(DisposalEntry.objects.get(), by=cast.alice)
    incident.refresh_from_db()
    assert incident.disposed_on is None and incident.description


def test_the_incident_page_shows_the_hold_and_the_hold_page_sets_it(client, cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Put on legal hold" in page
    response = client.post(reverse("retention:hold", args=[incident.uuid]), {"reason": "Police asked us to keep it."})
    assert response.status_code == 302
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "On legal hold since" in page and "Police asked us to keep it." in page
    client.force_login(cast.dave)
    assert client.get(reverse("retention:hold", args=[incident.uuid])).status_code == 404


# ── The monthly disposal list ────────────────────────────────────────────────────────────


def test_drafting_twice_makes_one_list_per_organisation_per_month(cast: Cast) -> None:
    a = closed_incident(cast.school_a, day(2018, 7, 1))
    b = closed_incident(cast.school_b, day(2018, 7, 1))
    closed_incident(cast.school_a, day(2024, 7, 1))  # not yet due
    first = draft(date(2025, 9, 1))
    second = draft(date(2025, 9, 20))
    assert (first.lists, first.entries) == (2, 2)
    assert (second.lists, second.entries) == (0, 0)
    assert DisposalList.objects.count() == 2
    assert set(DisposalEntry.objects.values_list("incident_id", flat=True)) == {a.pk, b.pk}
    # The constraint is what holds with several workers.
    with pytest.raises(IntegrityError), transaction.atomic():
        DisposalList.objects.create(organisation=cast.school_a, month=date(2025, 9, 1), drafted_on=day(2025, 9, 1))


def test_the_job_drafts_on_the_first_of_the_month_and_runs_twice_harmlessly(cast: Cast) -> None:
    closed_incident(cast.school_a, day(2018, 7, 1))
    with time_machine.travel(day(2025, 9, 1), tick=False):
        assert draft_disposal_lists.call() == {"lists": 1, "entries": 1, "messages_removed": 0}
        assert draft_disposal_lists.call() == {"lists": 0, "entries": 0, "messages_removed": 0}
    assert DisposalList.objects.get().month == date(2025, 9, 1)


def test_due_on_31_august_is_on_the_september_list_not_august(cast: Cast) -> None:
    closed_incident(cast.school_a, day(2019, 7, 1))  # kept to 31 August 2025
    assert draft(date(2025, 8, 1)).entries == 0
    assert draft(date(2025, 9, 1)).entries == 1


def test_waiting_entries_are_not_drafted_again_and_kept_ones_come_back_later(cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    assert draft(date(2025, 4, 1)).entries == 0  # still waiting on March's list
    entry = DisposalEntry.objects.get()
    with pytest.raises(StepRefused):
        disposal.keep(entry, by=cast.alice, reason="", until=date(2026, 3, 1))
    disposal.keep(entry, by=cast.alice, reason="A claim may follow.", until=date(2026, 3, 1))
    assert Event.objects.filter(action="retention.kept").count() == 1
    assert draft(date(2025, 6, 1)).entries == 0
    assert draft(date(2026, 4, 1)).entries == 1
    assert DisposalEntry.objects.filter(incident=incident, decision="waiting").count() == 1


def test_messages_and_receipts_go_on_their_own_schedule(cast: Cast) -> None:
    from anonymous.models import Receipt
    from incidents.models.incident import ReporterMessage

    incident = closed_incident(cast.school_a, day(2022, 7, 1))
    ReporterMessage.objects.create(incident=incident, direction="from_reporter", body="Thanks", sent_on=day(2022, 6, 1))
    Receipt.objects.create(incident=incident, digest="0" * 64)
    result = draft(date(2023, 9, 1))  # one year from 31 August 2022
    assert result.messages_removed == 1 and result.entries == 0
    assert not ReporterMessage.objects.filter(incident=incident).exists()
    assert not Receipt.objects.filter(incident=incident).exists()
    incident.refresh_from_db()
    assert incident.description and incident.disposed_on is None


# ── Keep and approve: the page, and who may ──────────────────────────────────────────────


def test_the_list_page_keeps_and_approves(client, cast: Cast) -> None:
    kept = closed_incident(cast.school_a, day(2015, 1, 1))
    approved = closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    client.force_login(cast.alice)
    overview = client.get(reverse("retention:overview")).content.decode()
    url = reverse("retention:lists", args=[cast.school_a.uuid])
    assert url in overview and "2 incidents" in overview
    page = client.get(url).content.decode()
    assert kept.reference in page and approved.reference in page
    keep_url = reverse("retention:keep", args=[kept.uuid])
    assert client.get(keep_url).status_code == 200
    assert client.post(keep_url, {"reason": "Claim expected.", "months": "12"}).status_code == 302
    assert DisposalEntry.objects.get(incident=kept).kept_until == date(2026, 3, 1)
    assert client.post(reverse("retention:approve", args=[approved.uuid])).status_code == 302
    approved.refresh_from_db()
    assert approved.disposed_on is not None and approved.description == ""
    record = Disposal.objects.get()
    assert (record.reference, record.approved_by, record.organisation) == (
        approved.reference,
        cast.alice,
        cast.school_a,
    )
    # The incident page now says what happened instead of its content, and nothing can be done to it.
    page = client.get(reverse("incidents:detail", args=[approved.uuid])).content.decode()
    assert "Disposed of on" in page and record.rule in page
    assert blockers("reopen", approved, approved.powers_of(cast.alice)) == [
        "This incident was disposed of at the end of its retention: it cannot be changed."
    ]


def test_only_the_incident_manager_or_dpo_of_that_organisation_may_approve(client, cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    entry = DisposalEntry.objects.get()
    for outsider in (cast.bob, cast.dave):
        with pytest.raises(StepRefused):
            disposal.approve(entry, by=outsider)
        client.force_login(outsider)
        assert client.get(reverse("retention:lists", args=[cast.school_a.uuid])).status_code == 404
        assert client.post(reverse("retention:approve", args=[incident.uuid])).status_code == 404
        assert client.get(reverse("retention:keep", args=[incident.uuid])).status_code == 404
    # Dave's own list shows nothing of school A.
    client.force_login(cast.dave)
    own = client.get(reverse("retention:lists", args=[cast.school_b.uuid])).content.decode()
    assert incident.reference not in own
    incident.refresh_from_db()
    assert incident.disposed_on is None
    # The DPO above both schools may.
    client.force_login(cast.carol)
    assert client.get(reverse("retention:lists", args=[cast.school_a.uuid])).status_code == 200
    assert client.post(reverse("retention:approve", args=[incident.uuid])).status_code == 302
    incident.refresh_from_db()
    assert incident.disposed_on is not None


def test_an_approved_entry_is_not_approved_twice(cast: Cast) -> None:
    closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    entry = DisposalEntry.objects.get()
    disposal.approve(entry, by=cast.alice)
    with pytest.raises(StepRefused):
        disposal.approve(entry, by=cast.carol)
    assert Disposal.objects.count() == 1


def test_the_monitoring_log_shows_the_disposal(client, cast: Cast) -> None:
    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    disposal.approve(DisposalEntry.objects.get(), by=cast.alice)
    client.force_login(cast.carol)
    response = client.get(reverse("insights:export_csv"))
    csv = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    header, *lines = csv.splitlines()
    assert "Disposed of" in header and "Retention rule applied" in header
    row = next(line for line in lines if incident.reference in line)
    assert "incident: 6 years from the end of the school year of closure" in row


def test_nothing_is_added_to_a_disposed_incident(cast: Cast) -> None:
    from actions.services import create_action
    from evidence.services import add_evidence
    from incidents.lifecycle.work import add_note

    incident = closed_incident(cast.school_a, day(2015, 1, 1))
    draft(date(2025, 3, 1))
    disposal.approve(DisposalEntry.objects.get(), by=cast.alice)
    incident.refresh_from_db()
    refusal = "disposed of at the end of its retention"
    with pytest.raises(StepRefused, match=refusal):
        add_evidence(incident=incident, content=b"notes\n", original_name="a.txt", actor=cast.alice)
    with pytest.raises(StepRefused, match=refusal):
        create_action(by=cast.alice, incident=incident, title="Retrain", owner=None, due_on=None)
    with pytest.raises(StepRefused, match=refusal):
        add_note(incident, by=cast.alice, body="More")
    with pytest.raises(StepRefused, match="nothing left to hold"):
        holds.set_hold(incident, by=cast.alice, reason="Too late")
