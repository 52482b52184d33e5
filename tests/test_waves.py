"""Waves and duplicates (issue 16): related incidents, merging duplicates, steps on a selection, tags.

The cast: alice (incident manager, school A), bob (reporter, school A), carol (DPO over both
schools), dave (incident manager, school B). Every step here is the lifecycle's own, taken
through its page or the bulk page, and each incident touched has one event on its record.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from evidence.models import Evidence
from evidence.services import add_evidence
from incidents import lifecycle
from incidents.models import Incident, IncidentTag, KeptReporter, RelatedLink, ReporterMessage, Tag
from intake.services import add_to_report
from lib import clock
from organisations.models import Membership, Role

from .factories import UserFactory, reported_incident
from .lifecycle_helpers import queued_reporter_progress
from .test_contract import PNG


def events_of(incident: Incident, action: str) -> list[Event]:
    return list(Event.objects.filter(record_id=str(incident.pk), record_type="incidents.incident", action=action))


def wave(cast, count: int, reporters: list | None = None) -> list[Incident]:
    reporters = reporters or [None]
    return [
        reported_incident(
            cast.school_a, reporters[i % len(reporters)], description=f"Email asking to reset my password ({i})"
        )
        for i in range(count)
    ]


def tag(organisation, name: str) -> Tag:
    return Tag.objects.create(organisation=organisation, name=name, created_on=clock.now())


def choose_and_apply(client, incidents: list[Incident], **step) -> str:
    """Tick the incidents on the list, then take the step on the bulk page: as a person would."""
    page = client.post(reverse("incidents:bulk"), {"choose": "chosen", "incident": [str(i.uuid) for i in incidents]})
    assert page.status_code == 200
    chosen = ",".join(str(i.uuid) for i in incidents)
    done = client.post(reverse("incidents:bulk"), {"incidents": chosen, **step})
    assert done.status_code == 200
    return done.content.decode()


def test_merging_closes_the_duplicates_into_one_keeping_reporters_evidence_and_messages(cast, client) -> None:
    erin = UserFactory(email="erin@example.org", full_name="Erin Teacher")
    Membership.objects.create(user=erin, organisation=cast.school_a, role=Role.REPORTER)
    survivor, first, second = wave(cast, 3, [cast.bob, erin, cast.bob])
    add_to_report(incident=first, by=erin, text="It came from a lookalike address.")
    with transaction.atomic():
        photo = add_evidence(incident=first, content=PNG, original_name="screenshot.png", actor=erin)
    queued_before = len(queued_reporter_progress())

    client.force_login(cast.alice)
    page = choose_and_apply(client, [survivor, first, second], step="duplicate", reason="One phishing email")

    assert "2 done, 0 not" in page
    for duplicate in (first, second):
        duplicate.refresh_from_db()
        assert duplicate.status == Incident.Status.CLOSED_DUPLICATE
        assert duplicate.duplicate_of == survivor
        assert len(events_of(duplicate, "incident.closed_duplicate")) == 1
    # One event on the survivor for the merge, naming both duplicates and the evidence that moved.
    merged = events_of(survivor, "incident.duplicates_merged")
    assert len(merged) == 1
    assert {d["reference"] for d in merged[0].after["duplicates"]} == {first.reference, second.reference}  # type: ignore[index]
    assert merged[0].after["evidence"] == {str(photo.uuid): first.reference}  # type: ignore[index]
    # The reporters are kept (bob reported the survivor himself) and told of the closure.
    assert list(KeptReporter.objects.filter(incident=survivor).values_list("person__email", flat=True)) == [
        "erin@example.org"
    ]
    assert set(queued_reporter_progress()[queued_before:]) == {first.pk, second.pk}
    # The evidence is the survivor's now, its custody log kept and saying where it came from.
    assert Evidence.objects.get(pk=photo.pk).incident == survivor
    detail = client.get(reverse("incidents:detail", args=[survivor.uuid])).content.decode()
    assert f"Moved here from {first.reference}, closed as its duplicate" in detail
    assert "Evidence added by" in detail
    # The duplicates' reporter messages are readable from the survivor.
    assert "It came from a lookalike address." in detail
    assert "Duplicates merged in" in detail and "2 reports" in detail

    # Erin follows the survivor in "My reports" and may still add to it; she does not read bob's report.
    client.force_login(erin)
    mine = client.get(reverse("intake:my_reports")).content.decode()
    assert survivor.reference in mine and first.reference in mine
    followed = client.get(reverse("intake:my_report", args=[survivor.uuid])).content.decode()
    assert f"Your report {first.reference} was about the same thing" in followed
    assert "Email asking to reset my password (0)" not in followed
    added = client.post(reverse("intake:add_to_my_report", args=[survivor.uuid]), {"text": "Another one came today."})
    assert added.status_code == 302
    assert "Another one came today." in [m.body for m in ReporterMessage.objects.filter(incident=survivor)]


def test_a_merge_refuses_each_incident_with_its_own_blockers_and_reports_them(cast, client) -> None:
    survivor, open_one, closed_one = wave(cast, 3)
    lifecycle.close_not_incident(closed_one, by=cast.alice, reason="A test email from IT")
    elsewhere = reported_incident(cast.school_b, None, description="Phishing at school B")

    # carol (DPO over both) sees all four, but a closure is the incident manager's or the SIRO's.
    client.force_login(cast.carol)
    page = choose_and_apply(client, [survivor, open_one, closed_one, elsewhere], step="duplicate")
    assert "0 done, 2 not" not in page  # the survivor's own "who" refuses the whole merge
    assert "Only the incident manager or the SIRO can merge duplicates into an incident." in page

    dave_school_b = cast.dave
    Membership.objects.create(user=dave_school_b, organisation=cast.school_a, role=Role.INCIDENT_MANAGER)
    client.force_login(dave_school_b)
    page = choose_and_apply(client, [survivor, open_one, closed_one, elsewhere], step="duplicate")
    assert "1 done, 2 not" in page
    assert "Only an open incident can be closed as a duplicate." in page
    assert "only reports of one organisation are merged" in page
    closed_one.refresh_from_db()
    elsewhere.refresh_from_db()
    assert closed_one.status == Incident.Status.CLOSED_NOT_INCIDENT and elsewhere.status == Incident.Status.REPORTED
    assert events_of(elsewhere, "incident.closed_duplicate") == []


def test_a_duplicate_cannot_be_reopened_or_take_duplicates_itself(cast) -> None:
    survivor, duplicate, late = wave(cast, 3)
    lifecycle.close_as_duplicate(duplicate, by=cast.alice, survivor=survivor)
    powers = duplicate.powers_of(cast.alice)
    assert lifecycle.blockers("reopen", duplicate, powers) == [
        "This incident was merged into another as a duplicate: it is handled there, so reopen that one."
    ]
    with pytest.raises(Exception, match="itself closed as a duplicate"):
        lifecycle.close_as_duplicate(late, by=cast.alice, survivor=duplicate)


def test_a_chosen_survivor_by_reference_and_the_incident_page_step(cast, client) -> None:
    first, second, third = wave(cast, 3)
    client.force_login(cast.alice)
    page = choose_and_apply(client, [first, second], step="duplicate", keep=third.reference.lower())
    assert f"2 incidents closed as duplicates of {third.reference}" in page
    fourth = reported_incident(cast.school_a, None, description="One more")
    response = client.post(reverse("incidents:duplicate", args=[fourth.uuid]), {"reference": third.reference})
    assert response.status_code == 302
    fourth.refresh_from_db()
    assert fourth.duplicate_of == third
    assert len(events_of(third, "incident.duplicates_merged")) == 2


def test_related_incidents_are_shown_both_ways_with_an_event_on_each(cast, client) -> None:
    here, there = wave(cast, 2)
    client.force_login(cast.alice)
    url = reverse("incidents:link", args=[here.uuid])
    refused = client.post(url, {"reference": "INC-1999-99999", "reason": "Same sender"})
    assert "No incident you can see has that reference." in refused.content.decode()
    assert client.post(url, {"reference": there.reference, "reason": "Same sender"}).status_code == 302
    again = client.post(url, {"reference": there.reference, "reason": "Again"}).content.decode()
    assert "are already linked" in again
    for incident, other in ((here, there), (there, here)):
        page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
        assert other.reference in page and "Same sender" in page
        assert [e.after["related"] for e in events_of(incident, "related.linked")] == [other.reference]  # type: ignore[index]
    # dave (school B) cannot link to school A's incident, nor see it to link.
    elsewhere = reported_incident(cast.school_b, None)
    client.force_login(cast.dave)
    response = client.post(
        reverse("incidents:link", args=[elsewhere.uuid]), {"reference": here.reference, "reason": "Guess"}
    )
    assert "No incident you can see has that reference." in response.content.decode()
    assert RelatedLink.objects.count() == 1


def test_bulk_triage_assign_and_tags_take_each_step_once_per_incident(cast, client, people) -> None:
    incidents = wave(cast, 4)
    lifecycle.triage(
        incidents[0],
        by=cast.alice,
        severity="minor",
        nature="incident",
        breach_status="near_miss",
        personal_data_breach="no",
    )
    client.force_login(cast.alice)
    triage = {
        "step": "triage",
        "severity": "minor",
        "nature": "incident",
        "breach_status": "near_miss",
        "personal_data_breach": "no",
    }
    page = choose_and_apply(client, incidents, **triage)
    assert "3 done, 1 not" in page and "This report has already been triaged." in page
    assert all(len(events_of(i, "incident.triaged")) == 1 for i in incidents)

    page = choose_and_apply(client, incidents, step="assign", investigator=str(people.investigator.pk))
    assert "4 done, 0 not" in page
    assert Incident.objects.filter(investigator=people.investigator).count() == 4

    phishing = tag(cast.county, "Phishing wave")  # a tag of the county reaches its schools
    page = choose_and_apply(client, incidents[:2], step="tag", tag=str(phishing.pk))
    assert "2 done, 0 not" in page
    page = choose_and_apply(client, incidents, step="tag", tag=str(phishing.pk))
    assert "2 done, 2 not" in page and "It already has this tag." in page
    page = choose_and_apply(client, incidents[:1], step="untag", untag=str(phishing.pk))
    assert "1 done, 0 not" in page
    assert IncidentTag.objects.filter(tag=phishing).count() == 3
    assert [len(events_of(i, "tags.changed")) for i in incidents] == [2, 1, 1, 1]

    # The list filters by tag; the choosing form's "all matching" takes what the filter shows.
    listed = client.get(reverse("incidents:list"), {"tag": phishing.pk}).content.decode()
    assert "3 incidents" in listed
    page = client.post(reverse("incidents:bulk"), {"choose": "matching", "query": f"tag={phishing.pk}"})
    assert "Act on 3 incidents" in page.content.decode()


def test_a_bulk_step_says_what_each_step_needs_and_chooses_nothing_unseen(cast, client) -> None:
    mine = wave(cast, 2)
    theirs = reported_incident(cast.school_b, None)
    client.force_login(cast.alice)
    chosen = ",".join(str(i.uuid) for i in [*mine, theirs])
    page = client.post(reverse("incidents:bulk"), {"incidents": chosen, "step": "triage"}).content.decode()
    assert "Select the severity" in page
    assert "Act on 2 incidents" in page  # school B's incident is not alice's to choose
    nothing = client.post(reverse("incidents:bulk"), {"choose": "chosen"})
    assert nothing.status_code == 302


def test_tags_are_set_in_the_settings_and_counted_on_the_monitoring_log(cast, client, people) -> None:
    client.force_login(people.admin)
    url = reverse("incidents:tag_settings", args=[cast.school_a.uuid])
    assert client.post(url, {"action": "add", "name": "Lost  devices"}).status_code == 302
    assert (
        "There is already a tag called Lost devices."
        in client.post(url, {"action": "add", "name": "lost devices"}).content.decode()
    )
    settings_page = client.get(reverse("organisations:settings", args=[cast.school_a.uuid])).content.decode()
    assert "1 tag: 1 added here." in settings_page
    lost = Tag.objects.get(name="Lost devices")
    incident = reported_incident(cast.school_a, None)
    lifecycle.change_tags(incident, by=cast.alice, add=[lost])
    client.force_login(cast.carol)
    log = client.get(reverse("insights:log"), {"tag": lost.pk}).content.decode()
    assert incident.reference in log
    assert "Lost devices" in log


def test_bulk_steps_cost_a_bounded_number_of_queries_per_incident(cast, client) -> None:
    """Measured, not timed: the queries of a merge grow with the incidents, by a fixed amount each."""
    counts = {}
    for size in (5, 10):
        incidents = wave(cast, size, [cast.bob])
        client.force_login(cast.alice)
        chosen = ",".join(str(i.uuid) for i in incidents)
        with CaptureQueriesContext(connection) as queries:
            client.post(reverse("incidents:bulk"), {"incidents": chosen, "step": "duplicate"})
        counts[size] = len(queries)
    per_incident = (counts[10] - counts[5]) / 5
    print(f"\nmerge: {counts[5]} queries for 5, {counts[10]} for 10: {per_incident:.0f} per duplicate")
    assert per_incident <= 26  # 25, and one for the search index's entry of each closed duplicate


def test_the_demo_wave_is_twelve_reports_from_five_members_of_staff_and_the_trusts_tag(cast) -> None:
    from demo import waves as demo_waves

    wave = demo_waves.load(
        {"brookside": cast.school_a, "trust": cast.county},
        {"teacher@brookside.example.org": cast.bob, "sbm@brookside.example.org": cast.alice},
    )
    statuses = [Incident.objects.get(pk=i.pk).status for i in wave]
    assert (
        statuses == [Incident.Status.REPORTED] + [Incident.Status.CLOSED_DUPLICATE] * 2 + [Incident.Status.REPORTED] * 9
    )
    assert len({i.reported_by_id for i in wave}) == 5
    assert (wave[-1].reported_on - wave[0].reported_on).total_seconds() < 15 * 60
    assert Tag.objects.get(organisation=cast.county).name == "Phishing wave"
    assert all(len(events_of(i, "incident.reported")) == 1 for i in wave)


def test_a_large_selection_is_taken_by_the_worker_a_batch_at_a_time(
    cast, client, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """More than IN_REQUEST incidents: the bulk page queues the step and shows its progress;
    the worker takes BATCH at a time, each incident once, however often the job runs."""
    from django_tasks_db.models import DBTaskResult

    from incidents.lifecycle import bulk
    from incidents.models import BulkRun
    from incidents.tasks import take_bulk_run

    monkeypatch.setattr(bulk, "IN_REQUEST", 3)
    monkeypatch.setattr(bulk, "BATCH", 2)
    monkeypatch.setattr("incidents.views.waves.IN_REQUEST", 3)
    incidents = wave(cast, 7, [cast.bob])
    client.force_login(cast.alice)
    chosen = ",".join(str(i.uuid) for i in incidents)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("incidents:bulk"), {"incidents": chosen, "step": "duplicate", "reason": "Wave"})
    bulk_run = BulkRun.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("incidents:bulk_run", args=[bulk_run.uuid])
    assert bulk_run.chosen == [i.pk for i in incidents[1:]]  # the first reported is kept
    assert DBTaskResult.objects.filter(task_path__endswith="take_bulk_run", args_kwargs__args=[bulk_run.pk]).exists()
    assert not Incident.objects.filter(duplicate_of__isnull=False).exists()  # nothing taken yet

    page = client.get(asked["Location"]).content.decode()
    assert "Working on 6 incidents" in page and "0 of 6" in page and "Check again" in page

    assert bulk.take_batch(bulk_run.pk) is True
    assert Incident.objects.filter(duplicate_of=incidents[0]).count() == 2
    assert "2 of 6" in client.get(asked["Location"]).content.decode()

    take_bulk_run.call(bulk_run.pk)
    take_bulk_run.call(bulk_run.pk)  # run again (a second worker, a retry): nothing taken twice
    bulk_run.refresh_from_db()
    assert bulk_run.state == BulkRun.State.FINISHED and bulk_run.finished_on is not None
    assert sorted(bulk_run.done) == sorted(i.pk for i in incidents[1:]) and bulk_run.refused == []
    assert Incident.objects.filter(duplicate_of=incidents[0]).count() == 6
    for duplicate in incidents[1:]:
        assert len(events_of(duplicate, "incident.closed_duplicate")) == 1
    merged = events_of(incidents[0], "incident.duplicates_merged")
    assert sorted(d["reference"] for e in merged for d in (e.after or {})["duplicates"]) == sorted(
        str(i.reference) for i in incidents[1:]
    )
    done = client.get(asked["Location"]).content.decode()
    assert "6 done, 0 not" in done and f"of {incidents[0].reference}" in done

    client.force_login(cast.dave)  # another handler: the run is not theirs to follow
    assert client.get(asked["Location"]).status_code == 404


def test_a_queued_step_keeps_the_steps_refusals_with_their_words(
    cast, client, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from incidents.lifecycle import bulk
    from incidents.models import BulkRun
    from incidents.tasks import take_bulk_run

    monkeypatch.setattr(bulk, "IN_REQUEST", 2)
    monkeypatch.setattr("incidents.views.waves.IN_REQUEST", 2)
    incidents = wave(cast, 4, [cast.bob])
    triage = {"severity": "minor", "nature": "incident", "breach_status": "near_miss", "personal_data_breach": "no"}
    lifecycle.triage(incidents[0], by=cast.alice, **triage)  # type: ignore[arg-type]
    client.force_login(cast.alice)
    chosen = ",".join(str(i.uuid) for i in incidents)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:bulk"), {"incidents": chosen, "step": "triage", **triage})
    bulk_run = BulkRun.objects.get()
    take_bulk_run.call(bulk_run.pk)
    bulk_run.refresh_from_db()
    assert sorted(bulk_run.done) == sorted(i.pk for i in incidents[1:])
    assert [pk for pk, _ in bulk_run.refused] == [incidents[0].pk]
    page = client.get(reverse("incidents:bulk_run", args=[bulk_run.uuid])).content.decode()
    assert "3 done, 1 not" in page and "This report has already been triaged." in page
    assert all(len(events_of(i, "incident.triaged")) == 1 for i in incidents)
