"""The canary: nothing that identifies an anonymous reporter is stored or logged anywhere.

A signed-in person reports through the public page (the real middleware stack) with a
unique user agent, forwarded address, referrer and other headers, sends a file, opens
their receipt and answers a message; the worker then sends the notifications. Afterwards
every table, the session store, every file stored, every email and every log line
captured during the test are searched: the canary address and user agent appear nowhere,
and no row written or changed by the test holds the person's id, email, name or session
key. Runs on SQLite and PostgreSQL (DATABASE_URL).
"""

import logging
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from anonymous.services import page_for
from audit.log import record
from incidents.models import Incident, ReporterMessage

from .anonymous_files import jpeg_with_gps
from .conftest import Cast

CANARY_IP = "203.0.113.197"
CANARY_IP_2 = "198.51.100.73"
CANARY_UA = "CanaryBrowser/9.31 (Quokka; rv:4711)"
CANARY_HEADER = "canary-header-5f0c2e"


def text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def dump() -> dict[str, set[tuple[str, ...]]]:
    """Every row of every table in the database, as text."""
    tables: dict[str, set[tuple[str, ...]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from introspection)
            tables[table] = {tuple(text(v) for v in row) for row in cursor.fetchall()}
    return tables


def user_columns() -> dict[str, list[int]]:
    """For each table, the positions of columns that point at a user."""
    from accounts.models import User

    result: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            relations = connection.introspection.get_relations(cursor, table)
            description = connection.introspection.get_table_description(cursor, table)
            names = [column.name for column in description]
            positions = [
                names.index(column) for column, relation in relations.items() if relation[1] == User._meta.db_table
            ]
            if positions:
                result[table] = positions
    return result


def headers(**extra: str) -> dict[str, str]:
    return {
        "REMOTE_ADDR": CANARY_IP_2,
        "HTTP_USER_AGENT": CANARY_UA,
        "HTTP_X_FORWARDED_FOR": f"{CANARY_IP}, 10.0.0.1",
        "HTTP_X_REAL_IP": CANARY_IP,
        "HTTP_REFERER": f"https://intranet.example.org/{CANARY_HEADER}",
        "HTTP_ACCEPT_LANGUAGE": "cy-GB",
        "HTTP_X_CANARY": CANARY_HEADER,
        "HTTP_X_REQUEST_ID": CANARY_HEADER,
        **extra,
    }


def test_no_trace_of_the_reporter_anywhere(client, transactional_db, cast: Cast, caplog, settings) -> None:
    settings.ANONYMOUS_CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    page = page_for(cast.school_a)
    client.force_login(cast.bob)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("intake:my_reports")).status_code == 200  # really signed in
    user_id = cast.bob.pk
    before = dump()
    caplog.set_level(logging.DEBUG)

    url = reverse("anonymous:public_report", args=[page.slug])
    form = client.get(url, **headers())
    responses = [form]
    token = re.search(r'name="token" value="([^"]+)"', form.content.decode()).group(1)
    photo = SimpleUploadedFile("bob-photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    sent = client.post(
        url,
        {"token": token, "description": "Canary report: the shredder is broken.", "attachments": [photo]},
        **headers(),
    )
    responses.append(sent)
    receipt = re.search(r'id="receipt">([\d ]+)<', sent.content.decode()).group(1)
    incident = Incident.objects.get()
    with transaction.atomic():
        ReporterMessage.objects.create(
            incident=incident,
            direction="to_reporter",
            body="Which shredder?",
            author=cast.alice,
            sent_on=timezone.now(),
        )
        record(
            organisation_id=incident.organisation_id, action="reporter_message.sent", actor=cast.alice, record=incident
        )
    opened = client.post(reverse("anonymous:receipt"), {"receipt": receipt}, **headers())
    responses.append(opened)
    reply_token = re.search(r'name="token" value="([^"]+)"', opened.content.decode()).group(1)
    responses.append(
        client.post(reverse("anonymous:receipt_reply"), {"token": reply_token, "body": "The office one."}, **headers())
    )
    responses.append(client.post(reverse("anonymous:receipt"), {"receipt": "1234"}, **headers()))
    responses.append(client.get("/r/no-such-page/", **headers()))  # a 404 is logged: without the request
    call_command("db_worker", batch=True, verbosity=0)

    for response in responses:
        assert not response.cookies, "a public page set a cookie"
        assert "X-Request-ID" not in response.headers and "Cookie" not in response.get("Vary", "")
        assert "no-store" in response["Cache-Control"]
    assert incident.reported_by is None

    after = dump()
    needles_everywhere = [CANARY_IP, CANARY_IP_2, CANARY_UA, CANARY_HEADER, "Quokka"]
    for table, rows in after.items():
        for row in rows:
            joined = "\x1f".join(row)
            for needle in needles_everywhere:
                assert needle not in joined, f"{needle!r} stored in {table}"
    # Rows written or changed while reporting: nothing about Bob.
    person = [cast.bob.email, cast.bob.full_name, session_key]
    pointers = user_columns()
    for table, rows in after.items():
        for row in rows - before.get(table, set()):
            joined = "\x1f".join(row)
            for needle in person:
                assert needle not in joined, f"{needle!r} in a new row of {table}"
            for position in pointers.get(table, []):
                assert row[position] != str(user_id), f"new row of {table} points at the reporter: {row}"
    # The session store: Bob's session is exactly as it was.
    from django.contrib.sessions.models import Session

    sessions_before = {row for row in before[Session._meta.db_table]}
    assert {row for row in after[Session._meta.db_table]} == sessions_before

    # Files stored, emails sent and every log line.
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for needle in [*needles_everywhere, *person, "CanaryCam"]:
                assert needle.encode() not in content, f"{needle!r} in stored file {path.name}"
    assert mail.outbox, "the worker sent the notifications"
    for message in mail.outbox:
        whole = message.message().as_string()
        for needle in [*needles_everywhere, *person[:2], session_key, "shredder"]:
            assert needle not in whole, f"{needle!r} in an email"
    assert caplog.records, "the 404 was logged"
    request_records = [r for r in caplog.records if r.name == "django.request"]
    assert request_records and all(getattr(r, "request", None) is None for r in request_records)
    logged = caplog.text + "\n".join(repr(vars(r)) for r in caplog.records)
    for needle in [*needles_everywhere, *person, str(session_key), "CanaryCam", "Quillfeather"]:
        assert needle not in logged, f"{needle!r} in the logs"


def test_staff_form_anonymous_report_leaves_no_link_to_the_account(client, transactional_db, cast: Cast) -> None:
    client.force_login(cast.bob)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    form = client.get(reverse("intake:report"))
    key = form.context["form"]["submission_key"].value()
    before = dump()
    response = client.post(
        reverse("intake:report"),
        {"submission_key": key, "organisation": cast.school_a.pk, "description": "Canary", "identity": "anonymous"},
    )
    assert response.status_code == 200
    call_command("db_worker", batch=True, verbosity=0)
    after = dump()
    pointers = user_columns()
    for table, rows in after.items():
        for row in rows - before.get(table, set()):
            joined = "\x1f".join(row)
            for needle in (cast.bob.email, cast.bob.full_name, session_key):
                assert needle not in joined, f"{needle!r} in a new row of {table}"
            for position in pointers.get(table, []):
                assert row[position] != str(cast.bob.pk), f"new row of {table} points at the reporter"
    assert after["django_session"] == before["django_session"]
    assert all(cast.bob.email not in m.message().as_string() for m in mail.outbox)
