"""Reports by email (docs/channels.md, "By email"): the SMTP listener over a real socket, the
mailbox fetched from a real Dovecot (password and XOAUTH2 sign-in), threading of replies, and
each refusal (loop, automatic reply, bounce, too big) leaving no incident and an event."""

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.core.management import call_command

from audit.models import Event
from evidence.models import Evidence
from inbound import fetching, receiving
from inbound.listener import listener
from inbound.models import InboundMail, IntakeAddress, Mailbox
from incidents.models import Channel, Incident, ReporterMessage
from lib import clock, sealed
from notifications.delivery import message_for
from notifications.models import Outbox

from .clamd import EICAR
from .conftest import Cast
from .dovecot import Dovecot
from .smtp import free_port

INTAKE = "report@school-a.example"
STRANGER = "pat.parent@home.example"


@pytest.fixture
def intake(cast: Cast) -> IntakeAddress:
    return IntakeAddress.objects.create(organisation=cast.school_a, address=INTAKE, updated_on=clock.now())


def message(
    subject: str = "A USB stick found in the car park",
    body: str = "It has the school's crest on it. I handed it to reception.",
    sender: str = f"Pat Parent <{STRANGER}>",
    to: str = INTAKE,
    files: tuple[tuple[str, bytes], ...] = (),
    **headers: str,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="home.example")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    for name, content in files:
        mail.add_attachment(content, maintype="text", subtype="plain", filename=name)
    return mail


def events(action: str) -> list[dict[str, Any]]:
    """What each event of `action` recorded (its `after`)."""
    return [event.after or {} for event in Event.objects.filter(action=action).order_by("pk")]


# ── The SMTP listener, over a real socket ────────────────────────────────────────────────


@pytest.fixture
def smtp_port(intake: IntakeAddress) -> Iterator[int]:
    port = free_port()
    server = listener("127.0.0.1", port)
    server.start()
    yield port
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_mail_to_the_intake_address_becomes_a_report_and_the_stranger_who_sent_it_is_told_its_reference(
    smtp_port: int, cast: Cast
) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        mail = message(files=(("what-it-said.txt", b"Pupil names and dates of birth."),))
        smtp.send_message(mail)
    incident = Incident.objects.get()
    assert incident.organisation == cast.school_a
    assert incident.channel == Channel.EMAIL
    assert incident.reported_by is None
    assert (incident.reporter_name, incident.reporter_contact) == ("Pat Parent", STRANGER)
    assert "USB stick" in incident.description and "handed it to reception" in incident.description
    assert Evidence.objects.get(incident=incident).original_name == "what-it-said.txt"
    [event] = events("mail.reported")
    assert event["reference"] == incident.reference and event["via"] == "smtp"
    call_command("db_worker", batch=True, verbosity=0)  # the report's notifications job
    ack = Outbox.objects.get(to_address=STRANGER)
    assert ack.kind == "report_acknowledged_by_email" and incident.reference in ack.subject
    assert ack.incident == incident


@pytest.mark.django_db(transaction=True)
def test_a_reply_to_the_acknowledgement_is_added_to_the_same_incident_not_a_new_one(
    smtp_port: int, cast: Cast, settings
) -> None:  # type: ignore[no-untyped-def]
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.send_message(message())
    call_command("db_worker", batch=True, verbosity=0)
    incident = Incident.objects.get()
    ack = Outbox.objects.get(to_address=STRANGER)
    domain = settings.SITE_URL.split("://")[1].split(":")[0]
    reply = message(
        subject=f"Re: {ack.subject}",
        body="I forgot: it was found at 8am.\n\nOn Thu, 3 Dec 2026, Incident Desk wrote:\n> Thank you",
        to="incidents@example.org",  # the address the acknowledgement came from
        In_Reply_To=f"<{ack.uuid}@{domain}>",
        files=(("photo-notes.txt", b"Found by the bike shed."),),
    )
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.send_message(reply)
    assert Incident.objects.count() == 1
    [said] = ReporterMessage.objects.filter(incident=incident)
    assert said.body == "I forgot: it was found at 8am."
    assert Evidence.objects.filter(incident=incident).count() == 1
    assert events("mail.replied")[0]["reference"] == incident.reference


@pytest.mark.django_db(transaction=True)
def test_the_listener_refuses_other_addresses_and_oversized_mail_and_drops_automatic_replies_unanswered(
    smtp_port: int, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.INBOUND_MAX_BYTES = 4000
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.esmtp_features["size"] == "4000"  # the limit, advertised
        with pytest.raises(smtplib.SMTPRecipientsRefused) as not_ours:
            smtp.send_message(message(to="someone-else@school-a.example"))
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as too_big:
            smtp.send_message(message(body="A long account of it. " * 400))
        smtp.send_message(message(subject="Automatic reply: Your report", Auto_Submitted="auto-replied"))
    assert not_ours.value.recipients["someone-else@school-a.example"][0] == 550
    assert too_big.value.smtp_code == 552
    assert not Incident.objects.exists()
    mail = InboundMail.objects.get()  # only the automatic reply reached the receiving code
    assert (mail.outcome, mail.refusal) == (InboundMail.Outcome.REFUSED, InboundMail.Refusal.AUTO_REPLY)
    assert events("mail.refused")[0]["refused"] == InboundMail.Refusal.AUTO_REPLY.label
    assert not Outbox.objects.exists()  # never answered


# ── Each refusal, through the one receiving function ─────────────────────────────────────

REFUSED = [
    ("loop", {"X_Loop": "incidents@example.org"}, None),
    ("loop", {"sender": "Incident Desk <incidents@example.org>"}, None),
    ("loop", {"sender": f"Someone <{INTAKE}>"}, None),
    ("auto_reply", {"Auto_Submitted": "auto-generated"}, None),
    ("auto_reply", {"X_Autoreply": "yes"}, None),
    ("auto_reply", {"Precedence": "bulk"}, None),
    ("auto_reply", {"subject": "Out of Office: back on Monday"}, None),
    ("bounce", {}, ""),  # the null sender
    ("bounce", {"sender": "MAILER-DAEMON@mx.home.example"}, None),
]


@pytest.mark.parametrize(("why", "changes", "mail_from"), REFUSED)
def test_loops_automatic_replies_and_bounces_are_refused_without_an_incident(
    intake: IntakeAddress, why: str, changes: dict[str, Any], mail_from: str | None
) -> None:
    result = receiving.receive(message(**changes).as_bytes(), recipients=[INTAKE], via="smtp", mail_from=mail_from)
    assert (result.outcome, result.refusal) == ("refused", why)
    assert not Incident.objects.exists()
    assert events("mail.refused")[0]["from"]


DSN = b"""From: Mail Delivery System <mx@home.example>\r
To: report@school-a.example\r
Subject: Undelivered Mail Returned to Sender\r
Message-ID: <dsn-1@mx.home.example>\r
MIME-Version: 1.0\r
Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
\r
--b\r
Content-Type: text/plain\r
\r
It could not be delivered.\r
--b\r
Content-Type: message/delivery-status\r
\r
Reporting-MTA: dns; mx.home.example\r
\r
Final-Recipient: rfc822; someone@home.example\r
Action: failed\r
Status: 5.1.1\r
--b--\r
"""


def test_a_delivery_status_report_is_a_bounce(intake: IntakeAddress) -> None:
    result = receiving.receive(DSN, recipients=[INTAKE], via="smtp", mail_from="mx@home.example")
    assert result.refusal == "bounce" and not Incident.objects.exists()


def test_a_member_of_staff_who_emails_is_the_reporter_by_their_account(intake: IntakeAddress, cast: Cast) -> None:
    result = receiving.receive(
        message(sender="Bob <BOB@example.org>").as_bytes(), recipients=[INTAKE], via="smtp", mail_from="bob@example.org"
    )
    assert result.incident is not None
    assert result.incident.reported_by == cast.bob and result.incident.reporter_name == ""


def test_the_same_message_twice_is_one_report(intake: IntakeAddress) -> None:
    raw = message().as_bytes()
    first = receiving.receive(raw, recipients=[INTAKE], via="smtp", mail_from=STRANGER)
    second = receiving.receive(raw, recipients=[INTAKE], via="imap")
    assert first.outcome == "reported" and second.outcome == "duplicate"
    assert Incident.objects.count() == 1


def test_a_reference_in_the_subject_from_someone_else_is_a_new_report_not_a_message_on_that_one(
    intake: IntakeAddress,
) -> None:
    first = receiving.receive(message().as_bytes(), recipients=[INTAKE], via="smtp", mail_from=STRANGER)
    assert first.incident is not None
    reference = first.incident.reference
    same = receiving.receive(
        message(subject=f"Re: {reference}", body="Also: it was blue.").as_bytes(), recipients=[INTAKE], via="smtp"
    )
    other = receiving.receive(
        message(subject=f"Re: {reference}", sender="mallory@else.example").as_bytes(), recipients=[INTAKE], via="smtp"
    )
    assert same.outcome == "replied" and same.incident == first.incident
    assert other.outcome == "reported" and other.incident != first.incident
    assert ReporterMessage.objects.get().body == "Also: it was blue."


def test_an_infected_attachment_is_left_out_and_the_report_kept(intake: IntakeAddress, scanner: str) -> None:
    raw = message(files=(("invoice.txt", EICAR), ("notes.txt", b"Plain notes."))).as_bytes()
    result = receiving.receive(raw, recipients=[INTAKE], via="smtp", mail_from=STRANGER)
    assert result.incident is not None
    assert [e.original_name for e in Evidence.objects.filter(incident=result.incident)] == ["notes.txt"]
    assert result.files_not_added[0].startswith("invoice.txt: This file contains a virus")
    assert events("mail.reported")[0]["files_not_added"] == result.files_not_added


def test_nothing_is_stored_while_the_virus_scanner_cannot_answer(intake: IntakeAddress, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")
    with pytest.raises(receiving.TryLater):
        receiving.receive(message(files=(("a.txt", b"x"),)).as_bytes(), recipients=[INTAKE], via="smtp")
    assert not Incident.objects.exists() and not InboundMail.objects.exists()


# ── The mailbox, fetched from a real Dovecot ─────────────────────────────────────────────


def mailbox_for(cast: Cast, server: Dovecot, **fields: object) -> Mailbox:
    values: dict[str, object] = {
        "organisation": cast.school_a,
        "host": "127.0.0.1",
        "port": server.port,
        "security": Mailbox.Security.NONE,
        "username": server.user,
        "password_sealed": sealed.seal(server.password),
    }
    return Mailbox.objects.create(**(values | fields))


def test_mail_fetched_from_the_mailbox_becomes_reports_once_however_often_it_is_fetched(
    intake: IntakeAddress, cast: Cast, dovecot: Dovecot
) -> None:
    mailbox_for(cast, dovecot)
    dovecot.deliver(message().as_bytes())
    dovecot.deliver(message(subject="A phishing email", sender="Bob <bob@example.org>").as_bytes())
    assert fetching.fetch_all() == {"reported": 2}
    assert fetching.fetch_all() == {}
    assert Incident.objects.count() == 2
    assert Incident.objects.get(reported_by=cast.bob).channel == Channel.EMAIL
    assert all("$IncidentDesk" in flags for _, flags in dovecot.messages())
    assert {e["via"] for e in events("mail.reported")} == {"imap"}


def test_handled_mail_is_moved_to_the_done_folder(intake: IntakeAddress, cast: Cast, dovecot: Dovecot) -> None:
    mailbox_for(cast, dovecot, done_folder="Processed")
    dovecot.deliver(message().as_bytes())
    assert fetching.fetch_all() == {"reported": 1}
    assert dovecot.messages("INBOX") == [] and len(dovecot.messages("Processed")) == 1


def test_a_mailbox_being_fetched_by_one_worker_is_not_fetched_by_another(cast: Cast, dovecot: Dovecot) -> None:
    mailbox = mailbox_for(cast, dovecot)
    assert fetching.claim(mailbox.pk) is not None
    assert fetching.claim(mailbox.pk) is None
    assert fetching.fetch_all() == {}


def test_a_bounce_and_an_oversized_message_in_the_mailbox_are_refused_and_marked_handled(
    intake: IntakeAddress, cast: Cast, dovecot: Dovecot, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.INBOUND_MAX_BYTES = 3000
    mailbox_for(cast, dovecot)
    dovecot.deliver(message(Return_Path="<>", subject="Delivery Status Notification (Failure)").as_bytes())
    dovecot.deliver(message(body="A long account. " * 400).as_bytes())
    assert fetching.fetch_all() == {"refused": 2}
    assert sorted(InboundMail.objects.values_list("refusal", flat=True)) == ["bounce", "too_big"]
    assert not Incident.objects.exists()
    assert fetching.fetch_all() == {}


@pytest.mark.parametrize("grant", [Mailbox.SignIn.CLIENT_CREDENTIALS, Mailbox.SignIn.REFRESH_TOKEN])
def test_the_mailbox_signs_in_with_oauth2_xoauth2(
    intake: IntakeAddress, cast: Cast, dovecot: Dovecot, grant: str
) -> None:
    oauth = dovecot.oauth
    mailbox_for(
        cast,
        dovecot,
        password_sealed="",
        sign_in=grant,
        token_url=oauth.token_url,
        client_id=oauth.client_id,
        client_secret_sealed=sealed.seal(oauth.client_secret),
        refresh_token_sealed=sealed.seal(oauth.refresh_token),
    )
    dovecot.deliver(message().as_bytes())
    oauth.grants.clear()
    assert fetching.fetch_all() == {"reported": 1}
    assert oauth.grants == [grant]


def test_a_mailbox_that_refuses_the_sign_in_is_said_so_on_the_settings_line(
    intake: IntakeAddress, cast: Cast, dovecot: Dovecot
) -> None:
    mailbox = mailbox_for(cast, dovecot, password_sealed=sealed.seal("wrong"))
    dovecot.deliver(message().as_bytes())
    assert fetching.fetch_all() == {}
    mailbox.refresh_from_db()
    assert "Authentication failed" in mailbox.last_error
    assert not Incident.objects.exists()


# ── The settings page ────────────────────────────────────────────────────────────────────


def test_an_admin_sets_the_intake_address_and_the_mailbox_with_its_password_sealed(people, client) -> None:  # type: ignore[no-untyped-def]
    school = people.cast.school_a
    client.force_login(people.admin)
    url = f"/email/organisations/{school.uuid}/"
    assert client.post(url, {"action": "address", "address": "Reports@School-A.example"}).status_code == 302
    assert IntakeAddress.objects.get(organisation=school).address == "reports@school-a.example"
    form = {
        "action": "mailbox",
        "mailbox-host": "outlook.office365.com",
        "mailbox-port": "993",
        "mailbox-security": "tls",
        "mailbox-username": "reports@school-a.example",
        "mailbox-sign_in": "password",
        "mailbox-password": "s3cret-mailbox",
        "mailbox-folder": "INBOX",
        "mailbox-enabled": "on",
    }
    assert client.post(url, form).status_code == 302
    mailbox = Mailbox.objects.get(organisation=school)
    assert "s3cret" not in mailbox.password_sealed and sealed.unseal(mailbox.password_sealed) == "s3cret-mailbox"
    saved = events("mail_intake.mailbox_saved")[0]
    assert saved["secrets_changed"] == ["password"] and "s3cret" not in str(saved)
    page = client.get(url).content.decode()
    assert "s3cret" not in page and "reports@school-a.example" in page
    settings_page = client.get(f"/organisations/{school.uuid}/settings/").content.decode()
    assert "Mail to reports@school-a.example becomes a report" in settings_page
    client.force_login(people.cast.dave)
    assert client.get(url).status_code == 404


def test_a_forwarded_phishing_email_is_kept_whole_as_evidence_and_an_html_only_message_as_its_words(
    intake: IntakeAddress,
) -> None:
    phish = message(subject="Your account is locked", sender="IT Support <it@phish.example>", to="bob@example.org")
    forward = EmailMessage()
    forward["From"] = f"Pat Parent <{STRANGER}>"
    forward["To"] = INTAKE
    forward["Subject"] = "Fwd: Your account is locked"
    forward["Message-ID"] = make_msgid(domain="home.example")
    forward.set_content("<p>Is this real?</p><script>alert(1)</script><p>It asks for my password.</p>", subtype="html")
    forward.add_attachment(phish)
    result = receiving.receive(forward.as_bytes(), recipients=[INTAKE], via="smtp", mail_from=STRANGER)
    assert result.incident is not None
    assert result.incident.description == "Fwd: Your account is locked\n\nIs this real?\nIt asks for my password."
    evidence = Evidence.objects.get(incident=result.incident)
    assert evidence.content_type == "message/rfc822" and evidence.original_name.endswith(".eml")


def test_our_own_email_coming_back_is_a_loop_by_its_message_id_and_x_loop(intake: IntakeAddress) -> None:
    now = clock.now()
    row = Outbox.objects.create(
        to_address=INTAKE,
        kind="report_received",
        subject="New report",
        text="Sign in.",
        next_attempt_on=now,
        created_on=now,
    )
    sent = message_for(row).message()
    assert sent["X-Loop"] and sent["Auto-Submitted"] == "auto-generated"
    # Forwarded back by a rule that rewrote the sender and dropped the automatic headers.
    sent.replace_header("From", STRANGER)
    del sent["Auto-Submitted"]
    by_id = receiving.receive(sent.as_bytes(), recipients=[INTAKE], via="smtp", mail_from=STRANGER)
    del sent["Message-ID"]
    sent["Message-ID"] = make_msgid(domain="home.example")
    by_header = receiving.receive(sent.as_bytes(), recipients=[INTAKE], via="smtp", mail_from=STRANGER)
    assert by_id.refusal == by_header.refusal == "loop"
    assert not Incident.objects.exists()
