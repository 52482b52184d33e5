"""Confidential reporters: named only to the DPO and the SIRO; others ask with a reason."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from anonymous.models import IdentityRequest
from anonymous.services import submit_confidential_report
from audit.models import Event
from incidents.models import Incident
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import UserFactory

NAME = "Bob Reporter"


@pytest.fixture
def confidential(cast: Cast) -> Incident:
    incident, _ = submit_confidential_report(
        organisation=cast.school_a, reported_by=cast.bob, submission_key=None, fields={"description": "Data leak"}
    )
    return incident


@pytest.fixture
def people(cast: Cast) -> dict:
    siro = UserFactory(email="siro@example.org", full_name="Sam Siro")
    Membership.objects.create(user=siro, organisation=cast.school_a, role=Role.SIRO)
    investigator = UserFactory(email="ivy@example.org", full_name="Ivy Investigator")
    Membership.objects.create(user=investigator, organisation=cast.school_a, role=Role.INVESTIGATOR)
    governor = UserFactory(email="gov@example.org", full_name="Gil Governor")
    Membership.objects.create(user=governor, organisation=cast.school_a, role=Role.GOVERNANCE)
    return {
        "handler": cast.alice,
        "dpo_above": cast.carol,
        "siro": siro,
        "investigator": investigator,
        "governance": governor,
        "handler_elsewhere": cast.dave,
    }


# role -> (status of the incident page, name shown)
MATRIX = {
    "dpo_above": (200, True),
    "siro": (200, True),
    "handler": (200, False),
    "investigator": (200, False),
    "governance": (404, False),
    "handler_elsewhere": (404, False),
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_name_only_for_the_dpo_and_the_siro(client, confidential: Incident, people: dict, role: str) -> None:
    if role == "investigator":
        Incident.objects.filter(pk=confidential.pk).update(investigator=people["investigator"])
    client.force_login(people[role])
    status, named = MATRIX[role]
    detail = client.get(reverse("incidents:detail", args=[confidential.uuid]))
    listing = client.get(reverse("incidents:list")).content.decode()
    assert detail.status_code == status
    html = detail.content.decode() + listing
    assert (NAME in html) is named and ("bob@example.org" in html) is False
    if status == 200 and not named:
        assert "Confidential reporter" in html
    pdf = client.get(reverse("casefile:pdf", args=[confidential.uuid]))
    assert pdf.status_code == (403 if role == "investigator" else status)  # the case file is for handlers
    if pdf.status_code == 200:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert (NAME in text) is named and "bob@example.org" not in text
        if not named:
            assert "Confidential reporter" in text


def test_emails_never_name_the_reporter(transactional_db, cast: Cast) -> None:
    incident, _ = submit_confidential_report(
        organisation=cast.school_a, reported_by=cast.bob, submission_key=None, fields={"description": "x"}
    )
    call_command("db_worker", batch=True, verbosity=0)
    to_others = [m for m in mail.outbox if m.to != ["bob@example.org"]]
    assert to_others and all(NAME not in m.body and "bob@" not in m.body for m in to_others)
    assert Incident.objects.get(pk=incident.pk).reporter_display(cast.alice) == "Confidential reporter"


def test_ask_decide_and_reveal_are_all_on_the_record(client, confidential: Incident, cast: Cast) -> None:
    client.force_login(cast.alice)
    ask = reverse("anonymous:ask_identity", args=[confidential.uuid])
    client.post(ask, {"reason": ""})
    assert not IdentityRequest.objects.exists()  # a reason is needed
    client.post(ask, {"reason": "Need to speak to the witness about the printer."})
    request = IdentityRequest.objects.get()
    assert Event.objects.filter(action="identity.requested", actor=cast.alice).exists()
    reveal = reverse("anonymous:reveal_identity", args=[request.uuid])
    assert client.post(reveal).status_code == 403  # not decided yet
    decide = reverse("anonymous:decide_identity", args=[request.uuid])
    assert client.post(decide, {"decision": "grant"}).status_code == 403  # only the DPO decides
    client.force_login(cast.carol)
    page = client.get(reverse("incidents:detail", args=[confidential.uuid])).content.decode()
    assert "Need to speak to the witness" in page and "Grant for 30 days" in page
    client.post(decide, {"decision": "grant", "reason": "Fair reason"})
    request.refresh_from_db()
    assert request.status == IdentityRequest.Status.GRANTED and request.is_usable
    assert Event.objects.filter(action="identity.granted", actor=cast.carol).exists()
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[confidential.uuid])).content.decode()
    assert NAME not in page and "Show who reported this" in page
    shown = client.post(reveal)
    assert NAME in shown.content.decode()
    client.post(reveal)
    assert Event.objects.filter(action="identity.revealed", actor=cast.alice).count() == 2


def test_dpo_can_refuse_with_a_reason(client, confidential: Incident, cast: Cast) -> None:
    client.force_login(cast.alice)
    client.post(reverse("anonymous:ask_identity", args=[confidential.uuid]), {"reason": "Curious"})
    request = IdentityRequest.objects.get()
    client.force_login(cast.carol)
    decide = reverse("anonymous:decide_identity", args=[request.uuid])
    client.post(decide, {"decision": "refuse"})
    request.refresh_from_db()
    assert request.status == IdentityRequest.Status.PENDING  # refusing needs a reason
    client.post(decide, {"decision": "refuse", "reason": "Not needed for the investigation"})
    request.refresh_from_db()
    assert request.status == IdentityRequest.Status.REFUSED
    assert [e.reason for e in Event.objects.filter(action="identity.refused")] == ["Not needed for the investigation"]
    client.force_login(cast.alice)
    assert client.post(reverse("anonymous:reveal_identity", args=[request.uuid])).status_code == 403
    assert not Event.objects.filter(action="identity.revealed").exists()


def test_other_organisations_cannot_ask(client, confidential: Incident, cast: Cast) -> None:
    client.force_login(cast.dave)
    response = client.post(reverse("anonymous:ask_identity", args=[confidential.uuid]), {"reason": "x"})
    assert response.status_code == 404 and not IdentityRequest.objects.exists()
