"""Webhooks, against a real receiver on a real socket (http.server on 127.0.0.1, in a thread).

Each delivery's signature is checked with the `standardwebhooks` package, as a receiver would.
"""

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from standardwebhooks import Webhook

from actions.models import RemedialAction
from audit.models import Event
from deadlines import store
from deadlines.scan import scan
from incidents import lifecycle
from incidents.models import Incident
from lib import sealed
from notifications.models import Notification
from organisations.models import Membership, Role
from webhooks import delivery, net, signing
from webhooks.models import Attempt, Delivery, Subscription

from .conftest import People
from .factories import reported_incident


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what it is sent and answers as told."""

    def __init__(self, fail_first: int = 0, status: int = 500, always: int | None = None) -> None:
        self.fail_first = fail_first
        self.status = status
        self.always = always
        self.hits = 0
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.hits += 1
                    failing = receiver.always or (receiver.status if receiver.hits <= receiver.fail_first else None)
                    if failing is None:
                        receiver.received.append((dict(self.headers.items()), body))
                self.send_response(failing or 204)
                if failing and 300 <= failing < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/incident-desk"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def payloads(self, secret: str) -> list[dict[str, Any]]:
        """Every body received, each verified against its signature (raises if one fails)."""
        hook = Webhook(secret)
        return [hook.verify(body, headers) for headers, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def quick_retries(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


def subscribe(people: People, url: str, events: list[str], **fields: Any) -> tuple[Subscription, str]:
    secret = signing.new_secret()
    subscription = Subscription.objects.create(
        organisation=people.cast.school_a,
        name="Service desk",
        url=url,
        events=events,
        secret_encrypted=sealed.seal(secret),
        created_by=people.admin,
        created_on=datetime.now(UTC),
        **fields,
    )
    return subscription, secret


def drain(rounds: int = 30) -> None:
    """Run the worker's job until nothing is left to send now (retries are due at once in tests)."""
    for _ in range(rounds):
        counts = delivery.deliver()
        if counts == {"delivered": 0, "failed": 0}:
            return


CLASSIFIED: dict[str, Any] = {"nature": "event", "breach_status": "near_miss", "personal_data_breach": "no"}


def triage(incident: Incident, people: People, severity: str = "minor") -> None:
    lifecycle.triage(incident, by=people.cast.alice, severity=severity, investigator=people.investigator, **CLASSIFIED)


def test_an_admin_adds_a_webhook_sees_the_secret_once_and_each_delivery_verifies(
    client, people: People, receiver: Receiver
) -> None:
    client.force_login(people.admin)
    school_a = people.cast.school_a
    response = client.post(
        reverse("webhooks:add", args=[school_a.uuid]),
        {"name": "IT service desk", "url": receiver.url, "format": "standard", "events": ["incident.reported"]},
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    secret = re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)
    subscription = Subscription.objects.get()
    assert secret not in subscription.secret_encrypted and sealed.unseal(subscription.secret_encrypted) == secret
    page = client.get(reverse("webhooks:detail", args=[school_a.uuid, subscription.uuid])).content.decode()
    assert secret not in page and "whsec_" not in page  # never shown again
    incident = reported_incident(school_a, people.cast.bob, description="Laptop left on a train")
    drain()
    [payload] = receiver.payloads(secret)
    assert payload["type"] == "incident.reported"
    assert payload["data"]["incident"]["reference"] == incident.reference
    assert payload["data"]["incident"]["link"].endswith(f"/incidents/{incident.uuid}/")
    assert payload["data"]["organisation"]["name"] == "School A"
    assert "details" not in payload["data"] and "Laptop" not in json.dumps(payload)  # no report contents
    headers = receiver.received[0][0]
    assert headers["webhook-id"] == Delivery.objects.get().webhook_id
    with pytest.raises(Exception, match="signature"):
        Webhook(signing.new_secret()).verify(receiver.received[0][1], headers)  # another secret fails
    log = client.get(reverse("webhooks:detail", args=[school_a.uuid, subscription.uuid])).content.decode()
    assert "204" in log and incident.reference in log


def test_a_receiver_that_fails_three_times_then_recovers_gets_every_event_once_in_order(people: People) -> None:
    receiver = Receiver(fail_first=3, status=503)
    try:
        _, secret = subscribe(
            people, receiver.url, ["incident.reported", "incident.triaged", "incident.severity_changed"]
        )
        first = reported_incident(people.cast.school_a, people.cast.bob)
        second = reported_incident(people.cast.school_a, people.cast.bob)
        triage(first, people)
        triage(second, people, severity="moderate")
        lifecycle.reclassify(
            first, by=people.cast.alice, reason="More pupils affected", **CLASSIFIED | {"severity": "major"}
        )
        # A reclassification that keeps the severity is not a change of severity.
        lifecycle.reclassify(
            first, by=people.cast.alice, reason="A weakness", **CLASSIFIED | {"severity": "major", "nature": "weakness"}
        )
        drain()
        payloads = receiver.payloads(secret)
    finally:
        receiver.close()
    assert receiver.hits == 3 + 5
    assert Attempt.objects.filter(status_code=503).count() == 3
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(set(ids)) == len(ids) == 5  # each event once
    by_incident: dict[str, list[str]] = {}
    for payload in payloads:
        by_incident.setdefault(payload["data"]["incident"]["reference"], []).append(payload["type"])
    assert by_incident == {
        first.reference: ["incident.reported", "incident.triaged", "incident.severity_changed"],
        second.reference: ["incident.reported", "incident.triaged"],
    }
    assert not Delivery.objects.exclude(status=Delivery.Status.DELIVERED).exists()
    drain()
    assert receiver.hits == 8  # delivered rows are never sent again


def test_a_later_event_waits_for_the_earlier_one_of_its_incident(people: People, receiver: Receiver) -> None:
    subscription, _ = subscribe(people, receiver.url, ["incident.reported", "incident.triaged"])
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    triage(incident, people)
    reported, triaged = Delivery.objects.order_by("pk")
    token, claimed = delivery.claim(10, datetime.now(UTC))
    assert [d.pk for d in claimed] == [reported.pk]  # the head of the incident's queue only
    assert delivery.claim(10, datetime.now(UTC))[1] == []  # a second worker takes nothing of it
    assert delivery.send(claimed[0], subscription, token)
    assert [d.pk for d in delivery.claim(10, datetime.now(UTC))[1]] == [triaged.pk]


def test_repeated_failure_turns_the_webhook_off_and_tells_the_admin(
    client, people: People, settings, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 4
    settings.WEBHOOK_DISABLE_AFTER_SECONDS = 0
    receiver = Receiver(always=500)
    try:
        subscription, secret = subscribe(people, receiver.url, ["incident.reported"])
        incident = reported_incident(people.cast.school_a, people.cast.bob)
        drain()
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.DISABLED
        assert receiver.hits == 4  # and no more once it is off
        [told] = Notification.objects.filter(kind="webhook_disabled")
        assert told.user == people.admin
        assert "Service desk" in told.title and "4 failed" in told.title
        assert Event.objects.filter(action="webhook.disabled").count() == 1
        drain()
        assert receiver.hits == 4
        # The admin fixes the receiving end and turns it on again: what waited goes, once.
        receiver.always = None
        client.force_login(people.admin)
        client.post(reverse("webhooks:pause", args=[people.cast.school_a.uuid, subscription.uuid]))
        drain()
        [payload] = receiver.payloads(secret)
    finally:
        receiver.close()
    assert payload["data"]["incident"]["reference"] == incident.reference
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE and subscription.consecutive_failures == 0


def test_a_redirect_is_a_failure_and_is_not_followed(people: People) -> None:
    receiver = Receiver(always=302)
    try:
        subscribe(people, receiver.url, ["incident.reported"])
        reported_incident(people.cast.school_a, people.cast.bob)
        assert delivery.deliver() == {"delivered": 0, "failed": 1}
    finally:
        receiver.close()
    attempt = Attempt.objects.get()
    assert attempt.status_code == 302 and "not followed" in attempt.error
    assert receiver.hits == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://192.168.0.10/hook",
        "http://[::1]:8080/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_link_local_and_loopback_addresses_are_refused(url: str) -> None:
    with pytest.raises(net.Refused, match="private, local or reserved"):
        net.post(url, b"{}", {})


def test_loopback_is_refused_unless_allowed(settings, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(net.Refused):
        net.post(receiver.url, b"{}", {})
    assert receiver.hits == 0  # refused before connecting
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    assert net.post(receiver.url, b"{}", {}).status == 204


def test_every_address_a_name_resolves_to_is_checked_and_the_checked_one_is_called(
    monkeypatch, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    real = socket.getaddrinfo

    def two_addresses(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hooks.example.test":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
            ]
        if host == "loop.example.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    port = receiver.server.server_address[1]
    with pytest.raises(net.Refused, match=r"10\.0\.0\.7"):
        net.post(f"http://hooks.example.test:{port}/", b"{}", {})
    # The connection goes to the address checked; the Host header still names the host.
    assert net.post(f"http://loop.example.test:{port}/", b"{}", {}).status == 204
    assert receiver.received[0][0]["Host"] == f"loop.example.test:{port}"


def test_http_addresses_are_refused_in_production_mode(client, people: People, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(net.Refused, match="https"):
        net.post("http://127.0.0.1:9/hook", b"{}", {})
    client.force_login(people.admin)
    response = client.post(
        reverse("webhooks:add", args=[people.cast.school_a.uuid]),
        {"name": "Desk", "url": "http://hooks.example.org/x", "format": "standard", "events": ["incident.reported"]},
    )
    assert response.status_code == 200 and "must start with https://" in response.content.decode()
    response = client.post(
        reverse("webhooks:add", args=[people.cast.school_a.uuid]),
        {"name": "Desk", "url": "https://10.0.0.1/x", "format": "standard", "events": ["incident.reported"]},
    )
    assert "public addresses only" in response.content.decode()
    assert not Subscription.objects.exists()


def test_teams_and_slack_get_their_own_message_shapes(people: People, receiver: Receiver) -> None:
    _, teams_secret = subscribe(people, receiver.url, ["incident.reported"], format=Subscription.Format.TEAMS)
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    drain()
    [teams] = receiver.payloads(teams_secret)
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert incident.reference in card["body"][0]["text"]
    assert {"title": "Organisation", "value": "School A"} in card["body"][1]["facts"]
    assert card["actions"][0]["type"] == "Action.OpenUrl" and str(incident.uuid) in card["actions"][0]["url"]

    Subscription.objects.all().delete()
    receiver.received.clear()
    _, slack_secret = subscribe(people, receiver.url, ["incident.reported"], format=Subscription.Format.SLACK)
    other = reported_incident(people.cast.school_a, people.cast.bob)
    drain()
    [message] = receiver.payloads(slack_secret)
    assert other.reference in message["text"] and str(other.uuid) in message["text"]
    assert [block["type"] for block in message["blocks"]] == ["section", "section", "actions"]
    assert message["blocks"][2]["elements"][0]["url"].endswith(f"/incidents/{other.uuid}/")


def test_report_contents_go_only_where_an_admin_who_may_read_them_asked(
    client, people: People, receiver: Receiver
) -> None:
    school_a = people.cast.school_a
    client.force_login(people.admin)  # an admin, not a handler: may not send report contents out
    form = client.get(reverse("webhooks:add", args=[school_a.uuid])).content.decode()
    assert 'name="include_details"' not in form
    # An admin who is also the incident manager may.
    Membership.objects.create(user=people.admin, organisation=school_a, role=Role.INCIDENT_MANAGER)
    form = client.get(reverse("webhooks:add", args=[school_a.uuid])).content.decode()
    assert 'name="include_details"' in form
    response = client.post(
        reverse("webhooks:add", args=[school_a.uuid]),
        {
            "name": "DPO case system",
            "url": receiver.url,
            "format": "standard",
            "events": ["incident.reported"],
            "include_details": "on",
        },
    )
    secret = re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)
    reported_incident(school_a, people.cast.bob, description="Laptop left on a train")
    drain()
    # Once the person who asked no longer handles incidents there, contents stop going out.
    Membership.objects.filter(user=people.admin, role=Role.INCIDENT_MANAGER).delete()
    reported_incident(school_a, people.cast.bob, description="Register photographed")
    drain()
    with_details, without = receiver.payloads(secret)
    assert with_details["data"]["details"]["description"] == "Laptop left on a train"
    assert "details" not in without["data"] and "Register" not in json.dumps(without)


def test_a_webhook_hears_its_subtree_and_nothing_of_a_sibling(people: People, receiver: Receiver) -> None:
    county_wide = Subscription.objects.create(
        organisation=people.cast.county,
        name="County desk",
        url=receiver.url,
        events=["incident.reported"],
        secret_encrypted=sealed.seal(signing.new_secret()),
        created_on=datetime.now(UTC),
    )
    school_only, _ = subscribe(people, receiver.url, ["incident.reported"])
    reported_incident(people.cast.school_a, people.cast.bob)
    reported_incident(people.cast.school_b, None)
    assert Delivery.objects.filter(subscription=county_wide).count() == 2
    assert Delivery.objects.filter(subscription=school_only).count() == 1


def test_the_ico_clock_at_24_hours_reaches_a_webhook(people: People, receiver: Receiver) -> None:
    _, secret = subscribe(people, receiver.url, ["ico_clock.reminder", "ico_clock.overdue"])
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        incident = reported_incident(people.cast.school_a, people.cast.bob)
    Incident.objects.filter(pk=incident.pk).update(
        status=Incident.Status.INVESTIGATING,
        triaged_on=datetime(2026, 6, 1, 10, tzinfo=UTC),
        aware_on=datetime(2026, 6, 1, 12, tzinfo=UTC),
        personal_data_breach="yes",
    )
    store.refresh_incidents([incident.pk])  # as the step that sets these facts stores them
    for moment in [datetime(2026, 6, 3, 12, 30, tzinfo=UTC), datetime(2026, 6, 4, 12, 1, tzinfo=UTC)]:
        with time_machine.travel(moment, tick=False):
            scan()
    drain()
    payloads = receiver.payloads(secret)
    assert [(p["type"], p["data"]["event"].get("hours_left")) for p in payloads] == [
        ("ico_clock.reminder", 24),
        ("ico_clock.overdue", None),
    ]
    assert payloads[0]["data"]["event"]["due_at"].startswith("2026-06-04T13:00")  # 12:00 UTC, in London time


def test_pages_add_change_pause_and_remove(client, people: People) -> None:
    school_a = people.cast.school_a
    client.force_login(people.admin)
    subscription, _ = subscribe(people, "https://hooks.example.org/a", ["incident.reported"])
    assert "Service desk" in client.get(reverse("webhooks:list", args=[school_a.uuid])).content.decode()
    edit = reverse("webhooks:edit", args=[school_a.uuid, subscription.uuid])
    response = client.post(
        edit,
        {"name": "Renamed", "url": "https://hooks.example.org/b", "format": "slack", "events": ["incident.closed"]},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.format, subscription.events) == ("Renamed", "slack", ["incident.closed"])
    client.post(reverse("webhooks:pause", args=[school_a.uuid, subscription.uuid]))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PAUSED
    reported_incident(school_a, people.cast.bob)
    assert not Delivery.objects.exists()  # a paused webhook hears nothing
    client.post(reverse("webhooks:delete", args=[school_a.uuid, subscription.uuid]))
    assert not Subscription.objects.exists()
    actions = list(Event.objects.filter(action__startswith="webhook.").values_list("action", flat=True))
    assert actions == ["webhook.changed", "webhook.paused", "webhook.removed"]
    assert mail.outbox == [] or all("whsec_" not in m.body for m in mail.outbox)


def test_several_workers_at_once_send_each_event_once_in_order(transactional_db: None, people: People) -> None:
    """Four workers drain at the same moment, against a receiver that fails now and then."""
    receiver = Receiver(fail_first=2, status=503)
    try:
        _, secret = subscribe(people, receiver.url, ["incident.reported", "incident.triaged"])
        incidents = [reported_incident(people.cast.school_a, people.cast.bob) for _ in range(4)]
        for incident in incidents:
            triage(incident, people)
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                for _ in range(10):
                    delivery.deliver(batch_size=3)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        drain()
        payloads = receiver.payloads(secret)
    finally:
        receiver.close()
    assert errors == []
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(ids) == len(set(ids)) == 8
    for incident in incidents:
        types = [p["type"] for p in payloads if p["data"]["incident"]["reference"] == incident.reference]
        assert types == ["incident.reported", "incident.triaged"]


def test_a_webhook_turned_off_mid_batch_sends_nothing_more_of_that_batch(people: People, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    settings.WEBHOOK_DISABLE_AFTER_SECONDS = 0
    receiver = Receiver(always=500)
    try:
        subscribe(people, receiver.url, ["incident.reported"])
        for _ in range(3):
            reported_incident(people.cast.school_a, people.cast.bob)  # three incidents: three heads at once
        assert delivery.deliver() == {"delivered": 0, "failed": 1}
    finally:
        receiver.close()
    assert receiver.hits == 1
    assert list(Delivery.objects.order_by("pk").values_list("attempts", "status")) == [
        (1, "pending"),
        (0, "pending"),
        (0, "pending"),
    ]


def test_a_receiver_that_never_answers_is_given_up_after_the_read_timeout(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 0.3
    with socket.socket() as listener:  # accepts connections (the kernel's backlog), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            net.post(f"http://127.0.0.1:{listener.getsockname()[1]}/", b"{}", {})
    assert time.monotonic() - started < 2


def test_an_empty_form_says_what_is_missing(client, people: People) -> None:
    client.force_login(people.admin)
    html = client.post(reverse("webhooks:add", args=[people.cast.school_a.uuid]), {}).content.decode()
    assert "govuk-error-summary" in html and "Enter the name" in html
    assert not Subscription.objects.exists()


def test_an_overdue_remedial_action_reaches_a_webhook_with_a_link_to_the_action(
    people: People, receiver: Receiver
) -> None:
    _, secret = subscribe(people, receiver.url, ["action.overdue", "incident.triage_overdue"])
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        incident = reported_incident(people.cast.school_a, people.cast.bob)
    Incident.objects.filter(pk=incident.pk).update(
        status=Incident.Status.INVESTIGATING, triaged_on=datetime(2026, 6, 1, 10, tzinfo=UTC)
    )
    store.refresh_incidents([incident.pk])  # as the triage step stores them
    action = RemedialAction.objects.create(
        organisation=people.cast.school_a, incident=incident, title="Turn on encryption", due_on=date(2026, 6, 10)
    )
    with time_machine.travel(datetime(2026, 6, 11, 9, tzinfo=UTC), tick=False):
        scan()
    drain()
    [payload] = receiver.payloads(secret)
    assert payload["type"] == "action.overdue"
    assert payload["data"]["incident"]["reference"] == incident.reference
    assert payload["data"]["event"]["action_link"].endswith(f"/actions/{action.pk}/")
    assert "encryption" not in json.dumps(payload)  # the action's title is the school's words: not sent
