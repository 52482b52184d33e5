"""An anonymous report's time never reaches anyone finer than its organisation allows.

Issue 12, finding 1: the triage queue ("22:12", "0 hours"), the monitoring log, its exports
and the notifications page showed the minute; alerts went out within seconds; the rows the
report created kept microseconds; `last_login` matched a person to the second.
"""

import io
import re
import zipfile
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from accounts.models import User
from anonymous.models import PublicReportPage
from anonymous.services import page_for, reporter_reply, set_exact_times
from audit.log import verify
from audit.models import Event
from deadlines.models import Deadline
from evidence.models import Evidence
from incidents.models import Incident, ReporterMessage
from lib import clock, sealed
from notifications.models import InformedNotice, Notification, Outbox
from webhooks import signing
from webhooks.events import TYPES
from webhooks.models import Delivery, Subscription

from .conftest import People
from .test_anonymous_reporting import receipt_in, send_report
from .test_permission_matrix import our_url_names
from .test_webhooks import Receiver

LONDON = ZoneInfo("Europe/London")
REPORTED = datetime(2026, 12, 3, 22, 12, 37, 123456, tzinfo=LONDON)  # a Thursday evening
LOOKED = datetime(2026, 12, 3, 23, 41, 5, tzinfo=LONDON)  # the same evening, by handlers on call
# What would give the report's moment away: its minute, its seconds, an age in hours.
# ("72 hours" is the law's deadline, written on many pages: not an age.)
GIVEAWAYS = re.compile(r"22:12|22\.12|T22:1|:37\b|\b(?!72 )\d+ hours?\b|\b00:00\b|12:00 ?am|midnight", re.IGNORECASE)

# Routes whose address needs an object this test does not make, and why that is safe.
NOT_WALKED = {
    "deadlines:timescales": "the organisation's timescales (\"4 hours\"): no incident's time",
    "parties:body_rules": "the organisation's rules of bodies told (\"within 24 hours\"): no incident's time",
    "parties:body_rules_type": "the organisation's rules of bodies told (\"within 24 hours\"): no incident's time",
    "parties:edit": 'a register entry ("tell them within 24 hours"): no incident\'s time',
    "incidents:checklist_item": "exists only after triage, a handler's step at a handler's time",
    "anonymous:ask_identity": "POST only; for confidential (named) reports",
    "anonymous:decide_identity": "POST only; for confidential (named) reports",
    "anonymous:reveal_identity": "POST only; for confidential (named) reports",
    "insights:review": "a six-month review counts incidents, it shows no incident's time",
    "insights:import_batch": "an imported old log, not a report",
    "breaches:version": "an assessment version: written by a handler at a handler's time",
    "learning:known_error": "a known error is raised by a handler: its words and the day it was raised",
    "learning:change_known_error": "a known error is raised by a handler: its words and the day it was raised",
    "actions:detail": "remedial actions are raised by handlers",
    "actions:edit": "remedial actions are raised by handlers",
    "actions:done": "remedial actions are raised by handlers",
    "actions:cancel": "remedial actions are raised by handlers",
    "actions:reopen": "remedial actions are raised by handlers",
    "organisations:remove_membership": "POST only; no incident",
    "organisations:remove_contact": "POST only; no incident",
    "organisations:decide_grant": "POST only; a role request, no incident",
    "api:revoke_my_token": "POST only; an API token, no incident",
    "api:revoke_service_token": "POST only; an API token, no incident",
    "api:service_account": "a service account and its tokens: no incident",
    "exceptions:detail": "an exception to a policy point: asked by staff, no incident's time",
    "proposals:detail": "a suggested change to a policy: no incident's time",
    "incidents:bulk_run": "a step on a selection, followed only by the handler who asked it: no report's time",
    "incidents:end_outside_help": "POST only; outside help to an incident, written by a handler",
    "incidents:accept_invitation": "an outside person's invitation: its link is signed, and says no incident's time",
    "policies:read": "a policy's version: no incident",
    "policies:pdf": "a policy's version: no incident",
    "policies:acknowledge": "POST only; a policy's version, no incident",
    "policies:edit": "a policy's draft: no incident",
    "policies:add_point": "a policy's draft: no incident",
    "policies:change_point": "a policy's draft: no incident",
    "policies:remove_point": "POST only; a policy's draft, no incident",
    "policies:move_point": "POST only; a policy's draft, no incident",
    "policies:approve": "a policy's draft: no incident",
    "policies:publish": "a policy's draft: no incident",
    "policies:new_version": "POST only; a policy, no incident",
    # The API's operations answer tokens, not sessions: test_the_api_gives_an_anonymous_report_only_its_day.
}


def texts_of(response: Any) -> str:
    """The words a person gets from a response: HTML, CSV, a spreadsheet, a PDF or a Word file."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if "spreadsheet" in kind:
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(" | ".join(cell_text(cell) for cell in row) for sheet in book for row in sheet.iter_rows())
    if "wordprocessing" in kind:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return " ".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    return content.decode("utf-8", "replace")


def cell_text(cell: Any) -> str:
    """A cell as a spreadsheet shows it: a date-formatted cell without its (zero) time."""
    value = cell.value
    if isinstance(value, datetime) and "h" not in str(cell.number_format).lower():
        return value.date().isoformat()
    return "" if value is None else str(value)


def leaks(text: str) -> list[str]:
    """Each giveaway with the words around it, so a failure says where it was."""
    flat = " ".join(text.split())
    return sorted({flat[max(0, m.start() - 40) : m.end() + 10] for m in GIVEAWAYS.finditer(flat)})


def anonymous_report(client: Any, page: PublicReportPage) -> tuple[Incident, str]:
    with time_machine.travel(REPORTED, tick=False):
        photo = SimpleUploadedFile("photo.png", b"notes from the reporter", content_type="text/plain")
        receipt = receipt_in(send_report(client, page, attachments=[photo], description="Registers left out"))
        incident = Incident.objects.get(reporter_anonymous=True)
        reporter_reply(incident=incident, body="One more thing: the cupboard was open too.")
        call_command("db_worker", batch=True, verbosity=0)  # the alerts (no delay in tests)
    return incident, receipt


@pytest.fixture
def webhook(people: People) -> Any:
    """A webhook of school A for every event type, to a receiver on this machine."""
    receiver = Receiver()
    secret = signing.new_secret()
    subscription = Subscription.objects.create(
        organisation=people.cast.school_a,
        name="Service desk",
        url=receiver.url,
        events=list(TYPES),
        secret_encrypted=sealed.seal(secret),
        created_by=people.admin,
        created_on=REPORTED - timedelta(days=30),
    )
    yield subscription, receiver, secret
    receiver.close()


def datetimes_of(row: models.Model) -> dict[str, datetime]:
    return {
        f.name: getattr(row, f.name)
        for f in row._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and getattr(row, f.name) is not None
    }


@pytest.mark.asvs("V14.2.4")
def test_every_stored_time_of_an_anonymous_report_is_the_day(
    client, transactional_db, people: People, webhook: Any
) -> None:
    page = page_for(people.cast.school_a)
    incident, _ = anonymous_report(client, page)
    midnight = datetime(2026, 12, 3, tzinfo=LONDON)
    rows: list[models.Model] = [
        incident,
        # Every event since the report (the page's own event was the admin's, before it).
        *Event.objects.filter(organisation_id=incident.organisation_id).exclude(action__startswith="public_page."),
        *Evidence.objects.filter(incident=incident),
        *ReporterMessage.objects.filter(incident=incident),
        *Notification.objects.filter(incident=incident),
        *Outbox.objects.filter(incident=incident),
        *InformedNotice.objects.filter(incident=incident),
        *Deadline.objects.filter(incident=incident),
        *Delivery.objects.filter(incident=incident),
    ]
    assert Delivery.objects.filter(incident=incident, status=Delivery.Status.DELIVERED).exists()
    assert {type(r).__name__ for r in rows} >= {"Incident", "Event", "Evidence", "ReporterMessage", "Notification"}
    assert Outbox.objects.filter(incident=incident).exists()
    # Sending, and when the deadline scan next looks (due_at or a reminder point before it).
    kept_exact = {"due_at", "attention_at", "starts_at", "next_attempt_on", "sent_on", "claimed_until", "delivered_on"}
    for row in rows:
        for name, value in datetimes_of(row).items():
            if name in kept_exact and not isinstance(row, ReporterMessage):
                continue
            assert value == midnight, f"{type(row).__name__}.{name} is {value}"
    for job in DBTaskResult.objects.all():
        assert job.enqueued_at == midnight, job.task_path
    assert verify() == (Event.objects.count(), None)  # the chain holds with the coarse stamps


def test_the_organisation_may_choose_exact_times(client, transactional_db, people: People) -> None:
    page = page_for(people.cast.school_a)
    set_exact_times(page, by=people.admin, exact=True)
    incident, _ = anonymous_report(client, page)
    assert incident.reported_on == REPORTED
    client.force_login(people.cast.alice)
    with time_machine.travel(LOOKED, tick=False):
        assert "22:12" in client.get(reverse("incidents:queue")).content.decode()


@pytest.mark.asvs("V14.2.4")
def test_no_page_or_download_shows_an_anonymous_report_to_the_minute(
    client, transactional_db, people: People, webhook: Any
) -> None:
    """Every page and export of the URLconf, as every person of the cast: no minute, no hours."""
    page = page_for(people.cast.school_a)
    incident, _ = anonymous_report(client, page)
    notification = Notification.objects.filter(incident=incident).first()
    assert notification is not None
    kwargs = {
        "incident_uuid": incident.uuid,
        "evidence_uuid": Evidence.objects.filter(incident=incident).first().uuid,  # type: ignore[union-attr]
        "notification_uuid": notification.uuid,
        "slug": page.slug,
        "org_uuid": people.cast.school_a.uuid,
        "subscription_uuid": webhook[0].uuid,  # its delivery log lists the report's deliveries
        "kind": "microsoft",
    }
    walked, found = 0, {}
    routes = dict(our_url_names())
    assert set(NOT_WALKED) <= set(routes), "NOT_WALKED names a view that no longer exists"
    with time_machine.travel(LOOKED, tick=False):
        for who, user in people.everyone().items():
            client.force_login(user)
            for name, route in sorted(routes.items()):
                if name in NOT_WALKED:
                    continue
                needed = re.findall(r"<(?:\w+:)?(\w+)>", route)
                assert set(needed) <= set(kwargs), f"{name} needs {needed}: give it an object or say why not"
                url = reverse(name, kwargs={k: kwargs[k] for k in needed})
                response = client.get(url, follow=False)
                if response.status_code != 200:
                    continue
                walked += 1
                bad = leaks(texts_of(response))
                if bad:
                    found[f"{who} {url}"] = bad
    assert walked > 100
    for message in mail.outbox:
        bad = leaks(f"{message.subject}\n{message.body}")
        if bad:
            found[f"email {message.subject}"] = bad
    assert not found, "\n".join(f"{k}: {v}" for k, v in sorted(found.items()))


@pytest.mark.asvs("V14.2.4")
def test_a_webhook_tells_of_an_anonymous_report_to_the_day(
    client, transactional_db, people: People, webhook: Any
) -> None:
    _, receiver, secret = webhook
    anonymous_report(client, page_for(people.cast.school_a))
    with time_machine.travel(REPORTED, tick=False):  # when the worker sent it (the signature is time-limited)
        [payload] = receiver.payloads(secret)  # delivered by the worker, signature verified
    assert payload["type"] == "incident.reported"
    assert payload["timestamp"] == "2026-12-03"
    assert payload["data"]["incident"]["reported_at"] == "2026-12-03"
    assert payload["data"]["incident"]["anonymous"] is True
    assert not leaks(receiver.received[0][1].decode())
    assert "Registers left out" not in receiver.received[0][1].decode()  # no report contents


def test_the_api_gives_an_anonymous_report_only_its_day(client, transactional_db, people: People) -> None:
    from .api_helpers import bearer, token_for

    page = page_for(people.cast.school_a)
    incident, _ = anonymous_report(client, page)
    secret = token_for(people.cast.alice)
    with time_machine.travel(LOOKED, tick=False):
        texts = [
            client.get(url, **bearer(secret)).content.decode()
            for url in (
                "/api/v1/incidents",
                f"/api/v1/incidents/{incident.uuid}",
                f"/api/v1/incidents/{incident.uuid}/classifications",
            )
        ]
    assert incident.reference in texts[1]
    assert [leaks(text) for text in texts] == [[], [], []]


def test_the_triage_queue_gives_an_anonymous_report_an_age_in_days(client, transactional_db, people: People) -> None:
    page = page_for(people.cast.school_a)
    anonymous_report(client, page)
    with time_machine.travel(LOOKED, tick=False):
        client.force_login(people.cast.alice)
        html = client.get(reverse("incidents:queue")).content.decode()
    assert "today" in html.lower() and not leaks(html)
    with time_machine.travel(LOOKED + timedelta(days=2), tick=False):
        client.force_login(people.cast.alice)
        html = client.get(reverse("incidents:queue")).content.decode()
    assert "2 days" in html and not leaks(html)


def test_clock_coarse_and_show() -> None:
    assert clock.coarse(REPORTED, clock.Precision.DAY) == datetime(2026, 12, 3, tzinfo=LONDON)
    assert clock.coarse(REPORTED, clock.Precision.EXACT) == REPORTED
    assert clock.show(REPORTED, clock.Precision.DAY) == "3 Dec 2026"
    assert clock.show(REPORTED, clock.Precision.EXACT, long=True) == "3 December 2026, 22:12"
    assert clock.export(REPORTED, clock.Precision.DAY) == "2026-12-03"
    assert clock.age(REPORTED, clock.Precision.DAY, LOOKED) == "today"
    assert clock.age(REPORTED, clock.Precision.EXACT, LOOKED) == "1 hour"
    # Summer time: the day is London's day, not UTC's.
    summer = datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)
    assert clock.coarse(summer, clock.Precision.DAY) == datetime(2026, 7, 1, tzinfo=LONDON)


@pytest.mark.asvs("V14.2.4")
def test_a_signed_in_reporter_cannot_be_matched_by_last_login(client, transactional_db, people: People) -> None:
    with time_machine.travel(REPORTED, tick=False):
        client.force_login(people.cast.bob)
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.send(sender=User, request=None, user=people.cast.bob)
    people.cast.bob.refresh_from_db()
    assert people.cast.bob.last_login == datetime(2026, 12, 3, tzinfo=LONDON)


# ── Alerts wait a random delay ─────────────────────────────────────────────────────────


@pytest.mark.asvs("V14.2.4")
def test_handlers_hear_of_an_anonymous_report_only_after_a_random_delay(client, transactional_db, people, settings):  # type: ignore[no-untyped-def]
    settings.ANONYMOUS_ALERT_DELAY_SECONDS = (5 * 60, 45 * 60)
    page = page_for(people.cast.school_a)
    with time_machine.travel(REPORTED, tick=False):
        for n in range(3):
            send_report(client, page, description=f"Report {n}")
        call_command("db_worker", batch=True, verbosity=0)
    assert not Notification.objects.exists() and not mail.outbox  # nobody told yet
    jobs = list(DBTaskResult.objects.filter(task_path__endswith="send_report_notifications"))
    assert len(jobs) == 3
    waits = [(job.run_after - REPORTED).total_seconds() for job in jobs]
    assert all(5 * 60 <= w <= 45 * 60 for w in waits), waits
    assert len(set(waits)) > 1, "the delay is random, not fixed"
    with time_machine.travel(REPORTED + timedelta(minutes=46), tick=False):
        call_command("db_worker", batch=True, verbosity=0)
    assert Notification.objects.filter(user=people.cast.alice).count() == 3
    assert mail.outbox


def test_a_reply_through_the_receipt_is_told_after_a_delay_too(client, transactional_db, people, settings):  # type: ignore[no-untyped-def]
    page = page_for(people.cast.school_a)
    incident, _ = anonymous_report(client, page)
    settings.ANONYMOUS_ALERT_DELAY_SECONDS = (600, 600)
    before = Notification.objects.count()
    with time_machine.travel(LOOKED, tick=False):
        reporter_reply(incident=incident, body="And the window was open.")
        call_command("db_worker", batch=True, verbosity=0)
    assert Notification.objects.count() == before
    with time_machine.travel(LOOKED + timedelta(minutes=11), tick=False):
        call_command("db_worker", batch=True, verbosity=0)
    assert Notification.objects.count() > before


def test_the_delay_window_comes_from_the_environment_in_minutes() -> None:
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.ANONYMOUS_ALERT_DELAY_SECONDS)"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "incidentdesk.settings"}
    for value, expected in ((None, "(300, 2700)"), ("0-0", "(0, 0)"), ("10-20", "(600, 1200)")):
        env.pop("ANONYMOUS_ALERT_DELAY_MINUTES", None)
        if value is not None:
            env["ANONYMOUS_ALERT_DELAY_MINUTES"] = value
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected
