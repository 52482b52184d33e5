"""Issue 16: reports taken down for someone, facts corrected on the record, the DPO's oversight below major.

Client-level, on the real database: what a handler, the DPO and the SIRO do through the pages,
and what the incident page, the monitoring log, the record and the notifications then say.
"""

import uuid
from typing import Any

import pytest
from django.urls import reverse

from anonymous.services import find_by_receipt, request_identity
from audit.models import Event
from incidents import lifecycle
from incidents.models import Correction, Incident, Oversight
from notifications.models import Notification

from .conftest import Cast, People
from .factories import reported_incident
from .lifecycle_helpers import classification, make_team, to_outcome_submitted


def behalf(client: Any, organisation: Any, **fields: Any) -> Any:
    data = {
        "organisation": organisation.pk,
        "submission_key": str(uuid.uuid4()),
        "channel": "phone",
        "identity": "named",
        "reporter_name": "Pat Parent",
        "reporter_contact": "01632 960001",
        "description": "A parent rang: a class list was emailed to them by mistake.",
    } | fields
    return client.post(reverse("intake:on_behalf"), data)


def actions(incident: Incident) -> list[tuple[str, Any]]:
    return list(Event.objects.filter(record_id=str(incident.pk)).order_by("sequence").values_list("action", "actor"))


# ── On someone's behalf ──────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_handler_records_a_phone_report_for_a_named_reporter(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    page = client.get(reverse("intake:on_behalf"))
    assert page.status_code == 200 and "Record a report for someone" in page.content.decode()
    assert "How are they connected to the organisation?" in page.content.decode()
    response = behalf(client, cast.school_a, people_affected="30", reporter_relationship="parent")
    assert response.status_code == 200 and "Report recorded" in response.content.decode()
    incident = Incident.objects.get()
    assert (incident.channel, incident.recorded_by, incident.reported_by) == ("phone", cast.alice, None)
    assert (incident.reporter_name, incident.reporter_contact) == ("Pat Parent", "01632 960001")
    assert incident.reporter_relationship == "parent"
    # The handler's own name on both events: the report with its channel, and who made it.
    assert actions(incident)[:2] == [
        ("incident.reported", cast.alice.pk),
        ("incident.recorded_on_behalf", cast.alice.pk),
    ]
    on_behalf = Event.objects.get(action="incident.recorded_on_behalf")
    assert on_behalf.after == {
        "channel": "phone",
        "reporter": "named",
        "reporter_name": "Pat Parent",
        "reporter_contact": "01632 960001",
        "reporter_relationship": "parent",
    }
    detail = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Phone, taken down by Alice Handler" in detail
    assert "Pat Parent" in detail and "01632 960001" in detail
    assert 'data-testid="reporter-relationship">(parent or carer)<' in detail
    # The monitoring log shows the channel and filters on it.
    log = client.get(reverse("insights:log"), {"channel": "phone", "columns": ["channel", "status"]}).content.decode()
    assert incident.reference in log and "Phone" in log
    assert incident.reference not in client.get(reverse("insights:log"), {"channel": "letter"}).content.decode()
    csv = b"".join(client.get(reverse("insights:export_csv")).streaming_content).decode()
    assert "How reported" in csv and "Phone" in csv
    # A second press of the same form stores nothing more.
    key = str(uuid.uuid4())
    behalf(client, cast.school_a, submission_key=key)
    behalf(client, cast.school_a, submission_key=key)
    assert Incident.objects.count() == 2


@pytest.mark.django_db
def test_a_confidential_reporter_taken_down_is_named_only_to_the_dpo_and_the_siro(client: Any, people: People) -> None:
    cast = people.cast
    client.force_login(cast.alice)
    behalf(
        client,
        cast.school_a,
        channel="in_person",
        identity="confidential",
        reporter_name="Quinn Teacher",
        reporter_relationship="supplier",
    )
    incident = Incident.objects.get()
    assert incident.reporter_confidential and incident.channel == "in_person"
    assert "Quinn Teacher" not in str(list(Event.objects.values_list("after", flat=True)))
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Quinn Teacher" not in page and "01632 960001" not in page and "Confidential reporter" in page
    assert "reporter-relationship" not in page  # how they are connected could point to who they are
    for dpo_or_siro in (cast.carol, people.siro):
        client.force_login(dpo_or_siro)
        page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
        assert "Quinn Teacher" in page and "01632 960001" in page and "(supplier or contractor)" in page
    # Anyone else asks the DPO through the confidential reporter's identity requests.
    assert request_identity(incident=incident, by=cast.alice, reason="To ask them what they saw").pk


@pytest.mark.django_db
def test_an_anonymous_report_taken_down_gives_the_handler_a_receipt_to_pass_on(client: Any, cast: Cast) -> None:
    client.force_login(cast.alice)
    ignored = {"reporter_name": "ignored", "reporter_relationship": "pupil"}
    response = behalf(client, cast.school_a, channel="paper", identity="anonymous", **ignored)
    receipt = response.context["receipt"]
    incident = Incident.objects.get()
    assert incident.reporter_anonymous and incident.reporter_name == "" and incident.channel == "paper"
    assert incident.reporter_relationship == ""
    assert find_by_receipt(receipt.replace("-", "").replace(" ", "")) == incident
    recorded = Event.objects.get(action="incident.recorded_on_behalf")
    assert recorded.after == {"channel": "paper", "reporter": "anonymous"}


@pytest.mark.django_db
def test_only_handlers_record_for_someone_and_the_web_form_is_unchanged(client: Any, cast: Cast) -> None:
    client.force_login(cast.bob)
    assert client.get(reverse("intake:on_behalf")).status_code == 403
    assert "Record a report for someone" not in client.get(reverse("intake:report")).content.decode()
    client.post(
        reverse("intake:report"),
        {"submission_key": str(uuid.uuid4()), "organisation": cast.school_a.pk, "description": "Lost a memory stick"},
    )
    mine = Incident.objects.get()
    assert (mine.channel, mine.reported_by, mine.recorded_by) == ("web", cast.bob, None)
    client.force_login(cast.alice)
    assert "Record a report for someone" in client.get(reverse("incidents:queue")).content.decode()
    refused = behalf(client, cast.school_a, reporter_name="")
    assert "Give the name of the person who made the report" in refused.content.decode()
    assert Incident.objects.count() == 1


# ── Facts corrected, never overwritten ───────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_correction_keeps_the_original_and_every_correction_and_the_log_uses_the_current_value(
    client: Any, cast: Cast
) -> None:
    incident = reported_incident(cast.school_a, cast.bob, people_affected=30, location="The office")
    client.force_login(cast.alice)
    url = reverse("incidents:correct", args=[incident.uuid])
    assert "What needs correcting?" in client.get(url).content.decode()
    form = client.get(url, {"field": "people_affected"}).content.decode()
    assert "The report says now" in form and "30" in form
    for value, reason in (("300", "The whole year group was on the list"), ("310", "Ten staff too")):
        response = client.post(url, {"field": "people_affected", "people_affected": value, "reason": reason})
        assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.people_affected == 310
    assert [(c.old, c.new, c.corrected_by_id) for c in Correction.objects.order_by("pk")] == [
        (30, 300, cast.alice.pk),
        (300, 310, cast.alice.pk),
    ]
    corrected = Event.objects.filter(action="incident.corrected").order_by("sequence")
    assert [(e.before, e.after, e.reason) for e in corrected] == [
        ({"people_affected": 30}, {"people_affected": 300}, "The whole year group was on the list"),
        ({"people_affected": 300}, {"people_affected": 310}, "Ten staff too"),
    ]
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Corrected: was 300 — Ten staff too — by Alice Handler" in page
    assert "As reported: 30" in page and "(2 corrections)" in page
    csv = b"".join(client.get(reverse("insights:export_csv")).streaming_content).decode()
    assert ",310," in csv and ",30," not in csv


@pytest.mark.django_db
def test_a_correction_needs_a_reason_a_change_and_a_handler(client: Any, people: People) -> None:
    cast = people.cast
    incident = reported_incident(cast.school_a, cast.bob, location="The office")
    url = reverse("incidents:correct", args=[incident.uuid])
    client.force_login(cast.alice)
    no_reason = client.post(url, {"field": "location", "location": "The hall", "reason": ""})
    assert no_reason.status_code == 200 and "Why is it being corrected?" in no_reason.content.decode()
    same = client.post(url, {"field": "location", "location": "The office", "reason": "Checked"})
    assert "That is what the report already says." in same.content.decode()
    emptied = client.post(url, {"field": "description", "description": " ", "reason": "Oops"})
    assert emptied.status_code == 200
    assert not Correction.objects.exists()
    client.force_login(cast.dave)
    assert client.get(url).status_code == 404
    client.force_login(people.governor)
    assert client.get(url).status_code == 404


# ── The DPO's oversight below major ──────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_dpo_is_asked_advises_reviews_and_directs_the_investigator_on_a_minor_incident(client: Any) -> None:
    team = make_team()
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    client.force_login(team.manager)
    assert client.get(reverse("incidents:dpo_advise", args=[incident.uuid])).status_code == 403
    question = "Should we tell the parents of the two pupils?"
    client.post(reverse("incidents:ask_dpo", args=[incident.uuid]), {"question": question})
    assert Notification.objects.filter(kind="dpo_advice_requested").get().user == team.dpo

    client.force_login(team.dpo)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert question in page and "Record advice" in page
    client.post(reverse("incidents:dpo_advise", args=[incident.uuid]), {"advice": "Yes, by letter this week."})
    assert set(Notification.objects.filter(kind="dpo_advised").values_list("user", flat=True)) == {
        team.manager.pk,
        team.investigator.pk,
    }
    client.post(reverse("incidents:dpo_review", args=[incident.uuid]), {"note": ""})
    client.post(reverse("incidents:dpo_direct", args=[incident.uuid]), {"direction": "Recall the email first."})
    assert Notification.objects.filter(kind="dpo_directed").get().user == team.investigator
    kinds = list(Oversight.objects.values_list("kind", "by"))
    assert kinds == [
        ("advice_requested", team.manager.pk),
        ("advice", team.dpo.pk),
        ("reviewed", team.dpo.pk),
        ("direction", team.dpo.pk),
    ]
    assert [a for a, _ in actions(incident) if a.startswith("incident.dpo_")] == [
        "incident.dpo_advice_requested",
        "incident.dpo_advised",
        "incident.dpo_reviewed",
        "incident.dpo_directed",
    ]
    client.force_login(team.investigator)
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert 'data-testid="dpo-reviewed"' in page and "Recall the email first." in page
    assert "The DPO's direction to the investigating officer" in page


@pytest.mark.django_db
def test_closing_needs_the_siros_sign_off_where_the_organisation_asks_for_it(client: Any) -> None:
    team = make_team()
    client.force_login(team.admin)
    settings_url = reverse("incidents:sign_off_settings", args=[team.school.uuid])
    assert client.post(settings_url, {"siro_signs_off": "yes"}).status_code == 302
    assert (
        "The SIRO signs off each outcome"
        in client.get(reverse("organisations:settings", args=[team.school.uuid])).content.decode()
    )
    incident = to_outcome_submitted(team)
    assert Notification.objects.filter(kind="siro_sign_off_needed").get().user == team.siro
    lifecycle.review_outcome(incident, by=team.manager, accept=True)
    client.force_login(team.manager)
    refused = client.post(reverse("incidents:close", args=[incident.uuid]), {})
    assert "The SIRO has not signed off the outcome" in refused.content.decode()
    assert client.get(reverse("incidents:sign_off", args=[incident.uuid])).status_code == 403
    client.force_login(team.siro)
    assert client.post(reverse("incidents:sign_off", args=[incident.uuid]), {"note": "Agreed."}).status_code == 302
    client.force_login(team.manager)
    assert client.post(reverse("incidents:close", args=[incident.uuid]), {}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    assert Event.objects.filter(action="settings.siro_sign_off_changed").count() == 1


@pytest.mark.django_db
def test_the_nearest_sign_off_setting_decides_for_a_page_of_incidents_as_for_one(cast: Cast) -> None:
    from incidents.models import SignOffSetting, sign_off_asked_subquery

    here, other = reported_incident(cast.school_a), reported_incident(cast.school_b)

    def asked() -> dict[int, Any]:
        return dict(Incident.objects.annotate(asked=sign_off_asked_subquery()).values_list("pk", "asked"))

    assert asked() == {here.pk: None, other.pk: None}
    SignOffSetting.objects.create(organisation=cast.county, siro_signs_off=True)
    SignOffSetting.objects.create(organisation=cast.school_b, siro_signs_off=False)
    assert asked() == {here.pk: True, other.pk: False}
    assert SignOffSetting.asked_by(cast.school_a) and not SignOffSetting.asked_by(cast.school_b)
