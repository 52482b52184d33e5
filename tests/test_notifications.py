"""Email through a real SMTP server (aiosmtpd), the outbox's retries, preferences and the in-app list."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.api import notify
from notifications.delivery import deliver, send_digests
from notifications.models import MAX_ATTEMPTS, Notification, Outbox, Preference
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import UserFactory, reported_incident
from .smtp import SmtpServer, running_server
from .test_reporting import run_worker


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    yield from running_server(settings)


def escalate_to(users, incident) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        notify(
            users=users,
            kind="escalation",
            incident=incident,
            context={
                "reference": incident.reference,
                "what": "Triage",
                "due": "end of Monday 1 June 2026",
                "phrase": "overdue by 1 working day",
                "needed": "triage it today.",
                "role_title": "Senior Information Risk Owner",
                "overdue": True,
            },
        )


def test_email_reaches_a_real_smtp_server_with_text_and_html(transactional_db, cast: Cast, smtp: SmtpServer) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    escalate_to([cast.alice, cast.carol], incident)
    run_worker()
    assert smtp.inbox.recipients() == ["alice@example.org", "carol@example.org"]
    message = smtp.inbox.messages[0]
    assert message["Subject"] == f"Overdue: Triage for {incident.reference}"
    assert message["Message-ID"].startswith("<") and message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    link = f"/incidents/{incident.uuid}/"
    for body in (text, html):
        assert incident.reference in body and link in body
        assert "wrong parent" not in body  # the report's contents never leave the building
    assert "What is needed: triage it today." in text
    assert set(Outbox.objects.values_list("status", flat=True)) == {Outbox.Status.SENT}


def test_report_acknowledgement_goes_through_the_outbox(transactional_db, cast: Cast, smtp: SmtpServer) -> None:
    from intake.services import submit_report

    with transaction.atomic():
        incident, _ = submit_report(
            organisation=cast.school_a, reported_by=cast.bob, submission_key=None, fields={"description": "Lost laptop"}
        )
    run_worker()
    run_worker()  # a second run sends nothing twice
    # The handler at once; the DPO, who oversees, in the morning's summary (the usual for the role).
    assert smtp.inbox.recipients() == ["alice@example.org", "bob@example.org"]
    assert Outbox.objects.filter(kind="report_acknowledged", to_address="bob@example.org").count() == 1
    assert Notification.objects.filter(user=cast.alice, incident=incident).count() == 1
    assert Notification.objects.get(user=cast.carol, incident=incident).digest_pending
    # The reporter's acknowledgement is their receipt: emailed, and not news on their list.
    assert Notification.objects.get(user=cast.bob, incident=incident).read_on is not None


def test_failed_delivery_is_retried_with_backoff_then_shown_to_admins(
    transactional_db, client, cast: Cast, smtp: SmtpServer
) -> None:
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    incident = reported_incident(cast.school_a, cast.bob)
    escalate_to([cast.alice], incident)
    smtp.inbox.refuse = 100
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert deliver() == {
                "sent": 0,
                "retrying": int(attempt < MAX_ATTEMPTS),
                "failed": int(attempt == MAX_ATTEMPTS),
            }
            row = Outbox.objects.get()
            assert row.attempts == attempt and "451" in row.last_error
            if attempt < MAX_ATTEMPTS:
                waits.append(row.next_attempt_on - timezone.now())
                assert deliver() == {"sent": 0, "retrying": 0, "failed": 0}  # not due yet
                clock.shift(row.next_attempt_on - timezone.now())
    assert waits == [timedelta(minutes=2**n) for n in range(MAX_ATTEMPTS - 1)]
    assert Outbox.objects.get().status == Outbox.Status.FAILED
    assert smtp.inbox.messages == []

    client.force_login(admin)
    page = client.get(reverse("notifications:deliveries"))
    assert "alice@example.org" in page.content.decode() and "451" in page.content.decode()
    client.force_login(cast.dave)  # not an admin: not even the page
    assert client.get(reverse("notifications:deliveries")).status_code == 404
    client.force_login(admin)
    smtp.inbox.refuse = 0
    response = client.post(reverse("notifications:deliveries"), {"retry": str(Outbox.objects.get().uuid)})
    assert response.status_code == 302
    run_worker()
    assert smtp.inbox.recipients() == ["alice@example.org"]
    assert Outbox.objects.get().status == Outbox.Status.SENT


def test_mail_server_down_keeps_everything_for_later(transactional_db, cast: Cast, smtp: SmtpServer, settings) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    escalate_to([cast.alice, cast.carol], incident)
    settings.MAILERS = SmtpServer().mailers()  # a port nobody listens on
    assert deliver() == {"sent": 0, "retrying": 2, "failed": 0}
    settings.MAILERS = smtp.mailers()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert deliver()["sent"] == 2
    assert smtp.inbox.recipients() == ["alice@example.org", "carol@example.org"]


def test_digest_preference_holds_optional_notifications_but_never_escalations(
    transactional_db, cast: Cast, smtp: SmtpServer
) -> None:
    Preference.objects.create(user=cast.alice, kind="report_received", mode=Preference.Mode.DIGEST)
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        notify(users=[cast.alice, cast.carol], kind="report_received", incident=incident, mandatory=False)
    escalate_to([cast.alice], incident)
    run_worker()
    assert smtp.inbox.recipients() == ["alice@example.org", "carol@example.org"]
    assert "Overdue" in str(smtp.inbox.messages[0]["Subject"]) or "Overdue" in str(smtp.inbox.messages[1]["Subject"])
    assert Notification.objects.filter(user=cast.alice, digest_pending=True).count() == 1
    assert send_digests() == 1
    assert send_digests() == 0
    run_worker()
    digest = [m for m in smtp.inbox.messages if "notifications" in str(m["Subject"])]
    assert len(digest) == 1 and str(digest[0]["To"]) == "alice@example.org"
    assert incident.reference in digest[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_in_app_list_with_unread_count(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        notify(users=[cast.alice], kind="report_received", incident=incident, mandatory=False)
        notify(users=[cast.dave], kind="report_received", incident=incident, mandatory=False)
    client.force_login(cast.alice)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Notifications, 1 unread" in page  # in the header's navigation, on every page
    assert "You have 1 unread notification." in page and incident.reference in page
    client.post(reverse("notifications:read_all"))
    page = client.get(reverse("notifications:list")).content.decode()
    assert "You have no unread notifications." in page and "Notifications, 1 unread" not in page
    assert Notification.objects.get(user=cast.dave).read_on is None  # someone else's are untouched


def test_preferences_page_saves_choices(client, cast: Cast) -> None:
    client.force_login(cast.alice)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    data = {
        "report_received": "digest",
        "reporter_progress": "immediate",
        "informed_major": "digest",
        "other": "digest",
    }
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert dict(Preference.objects.filter(user=cast.alice).values_list("kind", "mode")) == {
        "report_received": "digest",
        "reporter_progress": "immediate",
        "informed_major": "digest",
        "*": "digest",
    }


def test_opening_a_notification_follows_its_link_and_only_a_post_marks_it_read(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        notify(users=[cast.alice], kind="report_received", incident=incident, mandatory=False)
    item = Notification.objects.get()
    client.force_login(cast.dave)
    assert client.get(reverse("notifications:open", args=[item.uuid])).status_code == 404  # not theirs
    assert client.post(reverse("notifications:open", args=[item.uuid])).status_code == 404
    client.force_login(cast.alice)
    # Following the link (a GET) goes there and changes nothing; the list's button (a POST) marks it read.
    response = client.get(reverse("notifications:open", args=[item.uuid]))
    assert response.status_code == 302 and response.url.endswith(f"/incidents/{incident.uuid}/")
    item.refresh_from_db()
    assert item.read_on is None
    response = client.post(reverse("notifications:open", args=[item.uuid]))
    assert response.status_code == 302 and response.url.endswith(f"/incidents/{incident.uuid}/")
    item.refresh_from_db()
    assert item.read_on is not None
