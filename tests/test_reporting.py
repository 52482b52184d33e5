import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from audit.models import Event
from incidents.models import Incident
from intake.services import submit_report
from notifications.models import Notification
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import OrganisationFactory, UserFactory, incident_described


def run_worker() -> None:
    """Drain the task queue with the real worker command, in this process.

    The worker closes database connections between tasks, so tests that use it need
    `transactional_db` (real commits), which is also what production looks like.
    """
    call_command("db_worker", batch=True, verbosity=0)


def post_report(client, **data):  # type: ignore[no-untyped-def]
    page = client.get(reverse("intake:report"))
    form = page.context["form"]
    payload = {
        "submission_key": form["submission_key"].value(),
        "organisation": form["organisation"].value() or "",
    }
    payload.update(data)
    return client.post(reverse("intake:report"), payload)


def test_signed_in_reporter_lands_on_the_report_form(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    response = client.get("/", follow=True)
    assert response.redirect_chain == [(reverse("intake:report"), 302)]
    assert b"Report an incident" in response.content and b'name="description"' in response.content


def test_signed_out_person_is_sent_to_sign_in(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("intake:report"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_report_with_only_a_description_is_stored_with_reference_and_event(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    response = post_report(client, description="I left a class list on the bus.")
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.organisation == cast.school_a
    assert incident.reported_by == cast.bob
    assert incident.status == Incident.Status.REPORTED
    assert incident.reference and incident.reference.startswith("INC-")
    event = Event.objects.get(action="incident.reported")
    assert event.record_id == str(incident.pk) and event.actor == cast.bob
    assert event.after is not None and event.after["description"] == "I left a class list on the bus."
    done = client.get(response["Location"])
    assert incident.reference.encode() in done.content


def test_report_without_a_description_is_refused_with_an_error(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    response = post_report(client, description="   ")
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert not Incident.objects.exists()


def test_every_optional_field_is_stored(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    post_report(
        client,
        description="Laptop stolen from car",
        occurred_on="2026-11-20T08:30",
        discovered_on="2026-11-20T09:00",
        location="Staff car park",
        information_involved="Teacher laptop",
        personal_data="not_sure",
        data_subjects="Pupils",
        people_affected="30",
        records_affected="120",
        people_involved="Class teacher",
        action_taken="Called the police",
        symptoms="",
        service_affected="no",
        service_name="",
    )
    incident = Incident.objects.get()
    assert incident.location == "Staff car park"
    assert incident.people_affected == 30 and incident.records_affected == 120
    assert incident.personal_data == "not_sure" and incident.service_affected == "no"
    assert incident.occurred_on is not None and incident.occurred_on.hour == 8


def test_submitting_the_same_form_twice_creates_one_incident(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    page = client.get(reverse("intake:report"))
    key = page.context["form"]["submission_key"].value()
    data = {"submission_key": key, "organisation": cast.school_a.pk, "description": "Phishing email"}
    first = client.post(reverse("intake:report"), data)
    second = client.post(reverse("intake:report"), data)
    assert Incident.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Event.objects.filter(action="incident.reported").count() == 1


def test_person_in_two_organisations_picks_one_and_cannot_pick_another(client, cast: Cast) -> None:
    Membership.objects.create(user=cast.bob, organisation=cast.school_b, role=Role.REPORTER)
    other = OrganisationFactory(name="Not Bob's")
    client.force_login(cast.bob)
    page = client.get(reverse("intake:report"))
    assert b"Which organisation is this about?" in page.content
    key = str(uuid.uuid4())
    refused = client.post(
        reverse("intake:report"), {"submission_key": key, "organisation": other.pk, "description": "x"}
    )
    assert refused.status_code == 200 and not Incident.objects.exists()
    client.post(reverse("intake:report"), {"submission_key": key, "organisation": cast.school_b.pk, "description": "x"})
    assert Incident.objects.get().organisation == cast.school_b


def test_person_without_an_organisation_is_told_who_to_ask(client, db) -> None:  # type: ignore[no-untyped-def]
    loner = UserFactory()
    client.force_login(loner)
    response = client.get(reverse("intake:report"))
    assert response.status_code == 403
    assert b"not part of an organisation" in response.content


def test_acknowledgement_and_notifications_are_sent_by_the_worker_after_commit(
    client, transactional_db, cast: Cast
) -> None:
    siro = UserFactory(email="head@example.org")
    Membership.objects.create(user=siro, organisation=cast.school_a, role=Role.SIRO)
    client.force_login(cast.bob)
    post_report(client, description="USB stick lost with pupil photos")
    incident = Incident.objects.get()
    assert mail.outbox == []  # nothing is sent on the request path
    run_worker()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    # The SIRO and the DPO oversee: a new report is in their morning summary unless they choose.
    assert set(by_recipient) == {"bob@example.org", "alice@example.org"}
    assert (
        Notification.objects.filter(incident=incident, user__email__in=["head@example.org", "carol@example.org"])
        .filter(digest_pending=True)
        .count()
        == 2
    )
    for message in mail.outbox:
        assert incident.reference in message.subject + message.body
        assert "USB stick" not in message.body and "pupil photos" not in message.body
    assert str(incident.uuid) in by_recipient["alice@example.org"].body


def test_no_acknowledgement_for_a_report_that_was_not_stored(transactional_db, cast: Cast) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_report(
            organisation=cast.school_a, reported_by=cast.bob, submission_key=None, fields={"description": "x"}
        )
        raise RuntimeError("the database write failed")
    run_worker()
    assert mail.outbox == []
    assert not Incident.objects.exists()


def test_my_reports_lists_only_my_own(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    post_report(client, description="Mine")
    other = UserFactory()
    Membership.objects.create(user=other, organisation=cast.school_a, role=Role.REPORTER)
    submit_report(organisation=cast.school_a, reported_by=other, submission_key=None, fields={"description": "Theirs"})
    mine, theirs = incident_described("Mine"), incident_described("Theirs")
    page = client.get(reverse("intake:my_reports"))
    assert mine.reference.encode() in page.content
    assert theirs.reference.encode() not in page.content
    assert client.get(reverse("intake:my_report", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("intake:my_report", args=[theirs.uuid])).status_code == 404
