"""The lifecycle's pages: steps through forms, restricted text kept from those who may not see it, PDFs."""

import io
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incidents import lifecycle
from incidents.models import ChecklistItem, Incident, OutcomeReport, SeverityDefinition

from .factories import reported_incident, set_fields
from .lifecycle_helpers import Team, classification, make_team, to_closed, to_outcome_submitted

SECRET = "SECRET-DISCIPLINARY-WORDS"


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def restricted_incident(team: Team) -> Incident:
    incident = to_outcome_submitted(team, "major")
    item = incident.checklist.get(is_disciplinary=True)
    lifecycle.update_checklist_item(
        item, by=team.manager, state="done", disciplinary_decision="not_commenced", note=SECRET + " checklist"
    )
    set_fields(OutcomeReport.objects.filter(incident=incident), disciplinary_outcome=SECRET + " report")
    return incident


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_triage_form_shows_each_severity_definition_and_org_wording_inherits(client, team: Team) -> None:
    SeverityDefinition.objects.create(organisation=team.county, severity="major", definition="County words for major")
    incident = reported_incident(team.school, team.reporter)
    client.force_login(team.manager)
    page = client.get(reverse("incidents:triage", args=[incident.uuid])).content.decode()
    assert "County words for major" in page
    assert "No or minimal personal data, contained" in page  # the default for minor


def test_triage_through_the_form_then_detail_shows_classification(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    client.force_login(team.manager)
    response = client.post(
        reverse("incidents:triage", args=[incident.uuid]),
        {
            "nature": "incident",
            "breach_status": "confirmed",
            "personal_data_breach": "no",
            "breach_types": ["confidentiality"],
            "severity": "major",
            "investigator": team.investigator.pk,
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.TRIAGED and incident.severity == "major"
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Data Protection Officer told" in page
    assert "Investigation checklist" in page


def test_refused_step_is_a_form_error_in_plain_words(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification())
    client.force_login(team.manager)
    response = client.post(reverse("incidents:start", args=[incident.uuid]), {})
    assert response.status_code == 200
    assert "Assign an investigating officer first." in response.content.decode()


def test_disciplinary_notes_never_reach_the_investigator_html_or_pdf(client, team: Team) -> None:
    incident = restricted_incident(team)
    for person, may_see in ((team.manager, True), (team.dpo, True), (team.siro, True), (team.investigator, False)):
        client.force_login(person)
        for url in (
            reverse("incidents:detail", args=[incident.uuid]),
            reverse("incidents:outcome", args=[incident.uuid]),
            reverse("incidents:review", args=[incident.uuid]) if person in (team.manager, team.dpo) else None,
        ):
            if url is None:
                continue
            html = client.get(url).content.decode()
            assert (SECRET in html) is may_see, f"{person.full_name} at {url}"
        pdf = client.get(reverse("incidents:outcome_pdf", args=[incident.uuid])).content
        assert (SECRET in pdf_text(pdf)) is may_see
        committee = client.get(reverse("incidents:outcome_pdf", args=[incident.uuid]) + "?edition=committee")
        assert SECRET not in pdf_text(committee.content)


def test_governor_and_other_schools_cannot_reach_the_incident_or_its_pdf(client, team: Team) -> None:
    incident = restricted_incident(team)
    for person in (team.governor, team.elsewhere, team.reporter, team.admin):
        client.force_login(person)
        assert client.get(reverse("incidents:detail", args=[incident.uuid])).status_code == 404
        assert client.get(reverse("incidents:outcome_pdf", args=[incident.uuid])).status_code == 404


def test_disciplinary_item_page_is_refused_to_the_investigator(client, team: Team) -> None:
    incident = restricted_incident(team)
    item = incident.checklist.get(is_disciplinary=True)
    client.force_login(team.investigator)
    assert client.get(reverse("incidents:checklist_item", args=[item.pk])).status_code == 403


def test_outcome_pdf_is_tagged_and_has_every_section(client, team: Team) -> None:
    incident = to_closed(team, "major")
    client.force_login(team.manager)
    response = client.get(reverse("incidents:outcome_pdf", args=[incident.uuid]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    root: Any = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("en")
    text = pdf_text(response.content)
    for heading in [h for _, h in OutcomeReport.SECTIONS] + ["Remedial actions", "Timeline"]:
        assert heading.split(" (")[0] in text, heading
    assert incident.reference in text


def test_confidential_reporter_is_not_named_to_the_incident_manager(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    Incident.objects.filter(pk=incident.pk).update(reporter_confidential=True)
    client.force_login(team.manager)
    html = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "Confidential reporter" in html
    assert "Rita Reporter" not in html
    client.force_login(team.dpo)
    assert "Rita Reporter" in client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()


def test_work_views_triage_queue_oldest_first_assigned_and_serious(client, team: Team) -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = reported_incident(team.school, team.reporter)
    Incident.objects.filter(pk=old.pk).update(reported_on=timezone.now() - timedelta(days=3))
    new = reported_incident(team.school, team.reporter)
    client.force_login(team.manager)
    page = client.get(reverse("incidents:queue")).content.decode()
    assert page.index(str(old.reference)) < page.index(str(new.reference))
    assert "3 days" in page
    lifecycle.triage(
        new, by=team.siro, investigator=team.investigator, delegation_reason="Knows it", **classification("critical")
    )
    client.force_login(team.investigator)
    assert new.reference in client.get(reverse("incidents:mine")).content.decode()
    client.force_login(team.siro)
    assert new.reference in client.get(reverse("incidents:serious")).content.decode()
    client.force_login(team.elsewhere)
    assert new.reference not in client.get(reverse("incidents:serious")).content.decode()
    assert old.reference not in client.get(reverse("incidents:queue")).content.decode()


def test_checklist_item_form_marks_done(client, team: Team) -> None:
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification())
    item = incident.checklist.filter(is_disciplinary=False).first()
    client.force_login(team.investigator)
    url = reverse("incidents:checklist_item", args=[item.pk])
    assert client.post(url, {"state": "not_applicable"}).status_code == 200
    assert client.post(url, {"state": "done", "note": "Spoke to the class teacher"}).status_code == 302
    item.refresh_from_db()
    assert item.state == ChecklistItem.State.DONE


def test_admin_edits_severity_words_checklist_and_types(client, team: Team) -> None:
    client.force_login(team.admin)
    url = reverse("incidents:settings", args=[team.school.uuid])
    data = {"action": "severity", "minor": "a", "moderate": "b", "major": "c", "critical": "d"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {"action": "add_item", "text": "Tell the trust office"}).status_code == 302
    assert client.post(url, {"action": "add_type", "name": "Lost visitor badge"}).status_code == 302
    incident = reported_incident(team.school, team.reporter)
    lifecycle.triage(incident, by=team.manager, **classification())
    assert incident.checklist.filter(text="Tell the trust office").exists()
    client.force_login(team.manager)
    page = client.get(reverse("incidents:triage", args=[reported_incident(team.school).uuid])).content.decode()
    assert "Lost visitor badge" in page


@pytest.mark.parametrize(("name", "who"), [("queue", "manager"), ("mine", "investigator"), ("serious", "dpo")])
def test_work_view_query_counts_do_not_grow_with_rows(
    client, team: Team, django_assert_max_num_queries, name: str, who: str
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            incident = reported_incident(team.school, team.reporter)
            if name != "queue":
                lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("major"))

    add(2)
    client.force_login(getattr(team, who))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(f"incidents:{name}"))
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(f"incidents:{name}"))
    assert page.content.decode().count("INC-") >= 10


def test_case_file_carries_checklist_and_outcome_report_and_restricted_words_only_for_handlers(
    client, team: Team
) -> None:
    incident = restricted_incident(team)
    client.force_login(team.manager)
    text = pdf_text(client.get(reverse("casefile:pdf", args=[incident.uuid])).content)
    for title in ("Classification history", "Investigation checklist", "Incident Outcome Report", "Routing"):
        assert title in text
    assert SECRET in text
    from incidents import registry
    from incidents.casefile_sections import lifecycle_sections

    assert lifecycle_sections in registry._sections
    words = " ".join(
        row["value"] for section in lifecycle_sections(incident, team.investigator) for row in section["rows"]
    )
    assert SECRET not in words and "details restricted" in words
