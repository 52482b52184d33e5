"""Notifications people read (issue 13): never of one's own action, one per occasion whatever is
changed after, links that work on any host and port, plain-text subjects, grouped and markable."""

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from deadlines import store
from deadlines.models import Escalation, Timescales
from deadlines.scan import scan
from incidents import lifecycle
from incidents.models import Incident
from notifications.api import notify
from notifications.audiences import usual_mode
from notifications.delivery import deliver, send_digests
from notifications.models import Notification, Outbox, Preference
from notifications.tasks import send_report_notifications
from organisations.models import Role

from .factories import reported_incident
from .lifecycle_helpers import Team, classification, make_team


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


def kinds(user, incident: Incident | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    rows = Notification.objects.filter(user=user)
    if incident is not None:
        rows = rows.filter(incident=incident)
    return list(rows.order_by("id").values_list("kind", flat=True))


# ── Never of one's own action ────────────────────────────────────────────────────────────


def test_a_handler_who_reports_is_not_told_of_their_own_report_but_keeps_a_read_receipt(team: Team) -> None:
    incident = reported_incident(team.school, team.manager)
    with transaction.atomic():
        send_report_notifications.call(incident.pk)
    assert kinds(team.manager, incident) == ["report_acknowledged"]
    receipt = Notification.objects.get(user=team.manager, incident=incident)
    assert receipt.read_on is not None  # a record, not news
    assert Outbox.objects.filter(kind="report_acknowledged", to_address=team.manager.email).count() == 1
    assert not Outbox.objects.filter(kind="report_received", to_address=team.manager.email).exists()
    # The others who handle reports are told as before.
    assert kinds(team.siro, incident) == ["report_received"]
    assert kinds(team.dpo, incident) == ["report_received"]


def test_the_siro_who_triages_a_critical_incident_is_not_asked_to_undertake_it(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.siro, investigator=team.siro, **classification("critical"))
    assert kinds(team.siro, incident) == []
    assert kinds(team.dpo, incident) == ["incident_serious"]


def test_nobody_is_told_of_a_step_they_took_themselves_on_any_occasion(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.manager, **classification("major"))
    lifecycle.reclassify(incident, by=team.manager, reason="Worse", **classification("critical"))
    assert kinds(team.manager) == []


# ── Acknowledgements are not escalations ─────────────────────────────────────────────────


def test_the_list_says_deadline_only_of_escalations(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    with transaction.atomic():
        send_report_notifications.call(incident.pk)
    Notification.objects.filter(user=team.reporter).update(read_on=None)
    client.force_login(team.reporter)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "We have your report" in page
    assert "Deadline" not in page and "escalation" not in page.lower()
    with time_machine.travel(utc(2027, 6, 1, 9), tick=False):
        scan()
    client.force_login(team.siro)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "A deadline: always emailed at once." in page


# ── Defaults by role ─────────────────────────────────────────────────────────────────────


def test_a_new_report_is_immediate_for_the_incident_manager_and_a_summary_for_those_who_oversee() -> None:
    assert usual_mode("report_received", {Role.INCIDENT_MANAGER}) == Preference.Mode.IMMEDIATE
    assert usual_mode("report_received", {Role.DPO}) == Preference.Mode.DIGEST
    assert usual_mode("report_received", {Role.SIRO}) == Preference.Mode.DIGEST
    # Whoever also handles reports gets them at once.
    assert usual_mode("report_received", {Role.SIRO, Role.INCIDENT_MANAGER}) == Preference.Mode.IMMEDIATE


def test_a_persons_own_choice_wins_over_the_usual_for_their_role(team: Team) -> None:
    Preference.objects.create(user=team.dpo, kind="report_received", mode=Preference.Mode.IMMEDIATE)
    Preference.objects.create(user=team.manager, kind="*", mode=Preference.Mode.DIGEST)
    incident = reported_incident(team.school, team.reporter)
    with transaction.atomic():
        send_report_notifications.call(incident.pk)
    assert not Notification.objects.get(user=team.dpo, incident=incident).digest_pending
    assert Notification.objects.get(user=team.manager, incident=incident).digest_pending
    assert Notification.objects.get(user=team.siro, incident=incident).digest_pending  # the usual


# ── One per occasion ─────────────────────────────────────────────────────────────────────


def test_timescale_edits_do_not_chase_an_overdue_triage_again(team: Team) -> None:
    with time_machine.travel(utc(2026, 11, 2, 9), tick=False):
        incident = reported_incident(team.school, team.reporter)
    with time_machine.travel(utc(2026, 11, 20, 9), tick=False):
        first = scan().escalations
        assert first == 2  # triage (to the SIRO) and the reporter's update (to the incident manager)
        for days in (2, 3, 5, 1, 4):
            with transaction.atomic():
                Timescales.objects.update_or_create(organisation=team.school, defaults={"triage_days": days})
                store.refresh_under(team.school.path)
            scan()
    rows = Escalation.objects.filter(incident=incident, kind=Escalation.Kind.TRIAGE_OVERDUE)
    assert rows.count() == 1
    assert Escalation.objects.filter(incident=incident).count() == first
    assert kinds(team.siro, incident) == ["escalation"]
    assert kinds(team.manager, incident) == ["escalation"]
    assert Outbox.objects.filter(kind="escalation", subject__contains="Triage", incident=incident).count() == 1


def test_reclassifying_an_incident_with_an_overdue_outcome_report_does_not_chase_it_again(team: Team) -> None:
    with time_machine.travel(utc(2026, 9, 1, 9), tick=False):
        incident = reported_incident(team.school, team.reporter)
        lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    with time_machine.travel(utc(2026, 11, 20, 9), tick=False):
        scan()
        for severity in ("moderate", "major", "minor", "moderate"):
            incident.refresh_from_db()
            lifecycle.reclassify(incident, by=team.manager, reason="Reassessed", **classification(severity))
            scan()
    assert Escalation.objects.filter(incident=incident, kind=Escalation.Kind.INVESTIGATION_OVERDUE).count() == 1


def test_escalations_sent_before_the_upgrade_count_as_told(team: Team) -> None:
    """The data migration keys existing rows by their occasion, so upgrading re-sends nothing."""
    with time_machine.travel(utc(2026, 11, 2, 9), tick=False):
        incident = reported_incident(team.school, team.reporter)
    with time_machine.travel(utc(2026, 11, 20, 9), tick=False):
        scan()
        # What the previous release stored: the due date passed.
        Escalation.objects.filter(incident=incident, kind=Escalation.Kind.TRIAGE_OVERDUE).update(threshold="2026-11-03")
        migration = importlib.import_module("deadlines.migrations.0005_escalation_occasions")
        migration.rekey(apps, None)
        migration.rekey(apps, None)  # twice changes nothing
        assert scan().escalations == 0
    assert Escalation.objects.filter(incident=incident, kind=Escalation.Kind.TRIAGE_OVERDUE).count() == 1


# ── Links and subjects ───────────────────────────────────────────────────────────────────


@override_settings(SITE_URL="https://desk.example.test:8443", ALLOWED_HOSTS=["other.example.test", "testserver"])
def test_links_are_relative_in_the_app_and_use_the_configured_address_in_emails(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    item = Notification.objects.get(user=team.investigator, kind="investigator_assigned")
    path = reverse("incidents:detail", args=[incident.uuid])
    assert item.link == path
    email = Outbox.objects.get(to_address=team.investigator.email, kind="investigator_assigned")
    assert f"https://desk.example.test:8443{path}" in email.text
    assert "127.0.0.1" not in email.text + email.html
    # Served on another host and port, the notification leads to the same host's page.
    client.force_login(team.investigator)
    response = client.get(reverse("notifications:open", args=[item.uuid]), HTTP_HOST="other.example.test:9000")
    assert response.status_code == 302 and response["Location"] == path


def test_digest_links_use_the_configured_address(team: Team, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "http://localhost:8123"
    incident = reported_incident(team.school, team.reporter)
    with transaction.atomic():
        send_report_notifications.call(incident.pk)
    assert send_digests() == 2  # the SIRO and the DPO
    digest = Outbox.objects.get(kind="digest", to_address=team.dpo.email)
    assert f"http://localhost:8123{reverse('incidents:detail', args=[incident.uuid])}" in digest.text


def test_subjects_and_titles_are_plain_text(team: Team) -> None:
    team.school.name = "Children's Services & Schools"
    team.school.save()
    incident = reported_incident(team.school, team.reporter)
    with transaction.atomic():
        notify(users=[team.manager], kind="report_received", incident=incident)
    item = Notification.objects.get(user=team.manager)
    email = Outbox.objects.get(to_address=team.manager.email)
    for text in (item.title, email.subject, email.text):
        assert "&#x27;" not in text and "&amp;" not in text
    assert "Children's Services & Schools" in email.text
    deliver()
    [sent] = mail.outbox
    assert "&#x27;" not in sent.subject


# ── The list ─────────────────────────────────────────────────────────────────────────────


def test_the_list_groups_by_incident_and_mark_all_read_is_a_post(client, team: Team) -> None:
    first = reported_incident(team.school, team.reporter)
    second = reported_incident(team.school, team.reporter)
    with transaction.atomic():
        for incident in (first, second, first):
            notify(users=[team.manager], kind="report_received", incident=incident)
    client.force_login(team.manager)
    response = client.get(reverse("notifications:list"))
    groups = response.context["groups"]
    assert [g["incident"] for g in groups] == [first, second]
    assert [len(g["items"]) for g in groups] == [2, 1]
    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(user=team.manager, read_on__isnull=True).exists()
