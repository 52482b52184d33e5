"""The shared pieces later features build on: reporter display, evidence storage, notify()."""

import hashlib

import pytest
from django.core import mail
from django.db import transaction

from audit.models import Event
from core.exceptions import StepRefused
from evidence.models import Evidence
from evidence.services import add_evidence, read_evidence
from notifications.api import notify

from .conftest import Cast
from .factories import reported_incident
from .test_reporting import run_worker

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def test_confidential_reporter_named_only_to_dpo_and_siro(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    incident.reporter_confidential = True
    incident.save()
    assert incident.reporter_display(cast.carol) == "Bob Reporter"  # the DPO, on the parent
    assert incident.reporter_display(cast.alice) == "Confidential reporter"  # incident manager
    assert incident.reporter_display(cast.dave) == "Confidential reporter"
    incident.reporter_confidential = False
    assert incident.reporter_display(cast.alice) == "Bob Reporter"


def test_anonymous_reporter_is_anonymous_to_everyone(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, None)
    incident.reporter_anonymous = True
    assert incident.reporter_display(cast.carol) == "Anonymous reporter"


def test_evidence_stored_under_generated_name_with_digest_and_event(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    incident = reported_incident(cast.school_a, cast.bob)
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name="../../etc/photo.png", actor=cast.alice)
    assert evidence.original_name == "photo.png"
    assert evidence.content_type == "image/png"
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert "photo" not in evidence.stored_name
    assert hashlib.sha256(read_evidence(evidence)).hexdigest() == evidence.sha256
    # The event's content is sealed (decision 0038): read as it is opened, not filtered in SQL.
    uploaded = Event.objects.filter(action="evidence.uploaded")
    assert [event.after["sha256"] for event in uploaded] == [evidence.sha256]  # type: ignore[index]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "notes.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image.png"),
        (b"MZ\x90\x00" + b"\x00" * 60, "report.pdf"),
        (b"", "empty.pdf"),
    ],
)
def test_evidence_refuses_what_it_cannot_trust(cast: Cast, content: bytes, name: str) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    with pytest.raises(StepRefused), transaction.atomic():
        add_evidence(incident=incident, content=content, original_name=name, actor=cast.alice)
    assert not Evidence.objects.exists()


def test_evidence_refuses_oversized_files(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_BYTES = 100
    incident = reported_incident(cast.school_a, cast.bob)
    with pytest.raises(StepRefused, match="too big"), transaction.atomic():
        add_evidence(incident=incident, content=PNG + b"\x00" * 100, original_name="a.png", actor=cast.alice)


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused(cast: Cast) -> None:
    with pytest.raises(RuntimeError):
        notify(users=[cast.alice], kind="report_received", incident=reported_incident(cast.school_a, cast.bob))


@pytest.mark.django_db(transaction=True)
def test_notify_sends_after_commit_through_the_worker(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    run_worker()
    mail.outbox.clear()
    with transaction.atomic():
        notify(users=[cast.alice, cast.alice, cast.carol], kind="report_received", incident=incident)
    assert mail.outbox == []
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "carol@example.org"]
    assert all(incident.reference in m.subject + m.body for m in mail.outbox)
