"""The breach record: assessing, deciding, reporting to the ICO, telling people, the clock and documents."""

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from audit.models import Event
from breaches import documents
from breaches.clock import ClockState, ico_clock_state, ico_deadline
from breaches.engine import Facts
from breaches.models import Assessment, Decision, IcoSubmission, IndividualsNotice, ReportDetails
from core.exceptions import StepRefused
from deadlines import store
from deadlines.compute import incident_dues
from deadlines.models import DEFAULTS
from incidents.models import Incident
from organisations.models import Contact

from .conftest import Cast
from .factories import reported_incident

HIGH_RISK_FORM = {
    "data_categories": ["basic_identifiers", "safeguarding"],
    "data_subjects": ["pupils"],
    "children_involved": "yes",
    "people_count": "3",
    "records_count": "3",
    "breach_types": ["confidentiality"],
    "recipient": "unknown_or_public",
    "encrypted_key_safe": "no",
    "recovered_or_deleted": "no",
    "exfiltration": "none",
    "backup_available": "unknown",
    "restoration_hours": "",
    "malicious": "no",
    "contained": "no",
    "consequences": ["physical_harm"],
    "consequences_notes": "The file names a child at risk.",
    "later_measures_remove_high_risk": "no",
    "later_measures_notes": "",
    "contact_disproportionate": "no",
}
HIGH_RISK = Facts.from_dict(
    {
        "data_categories": ["basic_identifiers", "safeguarding"],
        "children_involved": True,
        "recipient": "unknown_or_public",
        "consequences": ["physical_harm"],
    }
)
LOW_RISK = Facts.from_dict(
    {"data_categories": ["basic_identifiers"], "recipient": "authorised_colleague", "contained": True}
)


@pytest.fixture
def breach(cast: Cast) -> Incident:
    incident = reported_incident(
        cast.school_a,
        cast.bob,
        description="A safeguarding file was left on the number 12 bus.",
        personal_data="yes",
        people_affected=3,
    )
    incident.personal_data_breach = "yes"
    incident.aware_on = incident.reported_on
    incident.save()
    store.refresh_incidents([incident.pk])  # a save outside the steps publishes nothing
    return incident


def computed_clock(incident: Incident, now: datetime | None = None) -> tuple[datetime | None, ClockState]:
    """The ICO clock as the deadlines app works it out for `incident` as it stands (saved or not)."""
    due = next((d for d in incident_dues(incident, DEFAULTS, nation="england") if d.kind == "ico"), None)
    return (due.due if due else None), ClockState.of(due, now, incident.personal_data_breach)


def aware(incident: Incident) -> datetime:
    assert incident.aware_on is not None
    return incident.aware_on


def actions(incident: Incident) -> list[str]:
    return list(
        Event.objects.filter(record_id=str(incident.pk), record_type="incidents.incident").values_list(
            "action", flat=True
        )
    )


# --- Assessing ---------------------------------------------------------------------------


def test_incident_manager_assesses_and_sees_the_result_with_reasons(client, cast: Cast, breach: Incident) -> None:
    client.force_login(cast.alice)
    response = client.post(reverse("breaches:assess", args=[breach.uuid]), HIGH_RISK_FORM)
    assert response.status_code == 302
    assessment = Assessment.objects.get(incident=breach)
    assert assessment.version == 1
    assert assessment.result["outcome"] == "report_to_ico_and_tell_individuals"
    assert assessment.facts["consequences_notes"] == "The file names a child at risk."
    assert "breach.assessed" in actions(breach)
    page = client.get(response["Location"]).content.decode()
    assert "Report it to the ICO within 72 hours and tell the people affected" in page
    assert "Data processing context" in page
    assert "safeguarding or child protection information" in page


def test_assessment_form_starts_from_the_latest_facts(client, cast: Cast, breach: Incident) -> None:
    Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.carol)
    client.force_login(cast.alice)
    page = client.get(reverse("breaches:assess", args=[breach.uuid])).content.decode()
    assert re.search(r'<input[^>]*value="safeguarding"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="health"[^>]*checked', page)
    assert "Reassess the personal data breach" in page


def test_assessment_form_explains_missing_answers(client, cast: Cast, breach: Incident) -> None:
    client.force_login(cast.alice)
    response = client.post(reverse("breaches:assess", args=[breach.uuid]), {"breach_types": []})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Assessment.objects.exists()


def test_reassessment_keeps_every_version(cast: Cast, breach: Incident) -> None:
    Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    second = Assessment.record_assessment(incident=breach, facts=LOW_RISK, by=cast.carol)
    assert second.version == 2
    assert list(breach.breach_assessments.values_list("version", flat=True)) == [2, 1]
    assert actions(breach).count("breach.assessed") == 2


def test_other_schools_handler_gets_not_found_and_reporter_cannot_assess(client, cast: Cast, breach: Incident) -> None:
    client.force_login(cast.dave)
    assert client.get(reverse("breaches:assess", args=[breach.uuid])).status_code == 404
    assert client.post(reverse("breaches:assess", args=[breach.uuid]), HIGH_RISK_FORM).status_code == 404
    with pytest.raises(StepRefused):
        Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.bob)
    assert not Assessment.objects.exists()


# --- The DPO's decision ------------------------------------------------------------------


def test_dpo_agrees_and_the_decision_goes_onto_the_incident(client, cast: Cast, breach: Incident) -> None:
    Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    client.force_login(cast.carol)
    response = client.post(reverse("breaches:decide", args=[breach.uuid]), {"agrees": "yes"})
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.ico_decision == Incident.IcoDecision.REPORT_AND_TELL
    assert breach.ico_decided_by == cast.carol
    assert breach.ico_decision_on is not None
    assert "Agreed with assessment 1" in breach.ico_decision_reason
    assert "breach.decided" in actions(breach)


def test_dpo_override_needs_a_reason_and_is_recorded(client, cast: Cast, breach: Incident) -> None:
    Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    client.force_login(cast.carol)
    url = reverse("breaches:decide", args=[breach.uuid])
    response = client.post(url, {"agrees": "no", "decision": "report"})
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    client.post(url, {"agrees": "no", "decision": "report", "reason": "The file was found sealed by the driver."})
    decision = Decision.objects.get()
    assert not decision.agrees
    breach.refresh_from_db()
    assert breach.ico_decision == Incident.IcoDecision.REPORT
    assert breach.ico_decision_reason == "The file was found sealed by the driver."
    event = Event.objects.get(action="breach.decided")
    assert event.reason == "The file was found sealed by the driver."
    assert event.after is not None and event.after["agrees_with_assessment"] is False


def test_only_the_dpo_decides(client, cast: Cast, breach: Incident) -> None:
    assessment = Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    client.force_login(cast.alice)
    assert client.post(reverse("breaches:decide", args=[breach.uuid]), {"agrees": "yes"}).status_code == 403
    with pytest.raises(StepRefused):
        Decision.decide(assessment=assessment, by=cast.alice, agrees=True)
    breach.refresh_from_db()
    assert breach.ico_decision == ""


def test_a_decision_on_an_outdated_assessment_is_refused(cast: Cast, breach: Incident) -> None:
    first = Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    Assessment.record_assessment(incident=breach, facts=LOW_RISK, by=cast.alice)
    with pytest.raises(StepRefused, match="latest assessment"):
        Decision.decide(assessment=first, by=cast.carol, agrees=True)


def test_public_notice_outcome_is_recorded_as_report_and_tell(cast: Cast, breach: Incident) -> None:
    facts = Facts.from_dict(HIGH_RISK.to_dict() | {"contact_disproportionate": True})
    assessment = Assessment.record_assessment(incident=breach, facts=facts, by=cast.alice)
    Decision.decide(assessment=assessment, by=cast.carol, agrees=True)
    breach.refresh_from_db()
    assert breach.ico_decision == Incident.IcoDecision.REPORT_AND_TELL
    assert "public notice" in breach.ico_decision_reason


# --- Reporting to the ICO and telling people ---------------------------------------------


def test_recording_ico_reports_in_phases(client, cast: Cast, breach: Incident) -> None:
    url = reverse("breaches:record_submission", args=[breach.uuid])
    when = aware(breach) + timedelta(hours=20)
    with time_machine.travel(aware(breach) + timedelta(hours=30)):
        client.force_login(cast.alice)
        response = client.post(url, {"submitted_on": when.strftime("%Y-%m-%dT%H:%M"), "ico_reference": "IC-123456"})
        assert response.status_code == 302
        assert response["Location"] == reverse("breaches:overview", args=[breach.uuid])
        client.post(url, {"submitted_on": when.strftime("%Y-%m-%dT%H:%M"), "ico_response": "Case opened."})
    breach.refresh_from_db()
    assert breach.ico_reference == "IC-123456"
    assert breach.ico_reported_on is not None
    phases = list(IcoSubmission.objects.values_list("phase", "ico_reference"))
    assert phases == [("initial", "IC-123456"), ("follow_up", "IC-123456")]
    assert actions(breach).count("breach.ico_reported") == 2
    assert ico_clock_state(breach).state == "reported"


def test_a_report_after_72_hours_asks_for_the_reasons_for_delay(cast: Cast, breach: Incident) -> None:
    late = aware(breach) + timedelta(hours=80)
    with time_machine.travel(late + timedelta(hours=1)):
        with pytest.raises(StepRefused, match="reasons for the delay"):
            IcoSubmission.record_submission(incident=breach, by=cast.alice, submitted_on=late)
        IcoSubmission.record_submission(
            incident=breach, by=cast.alice, submitted_on=late, delay_reason="The DPO was on leave."
        )
    assert IcoSubmission.objects.get().delay_reason == "The DPO was on leave."


def test_recording_that_people_were_told(client, cast: Cast, breach: Incident) -> None:
    told = aware(breach) + timedelta(hours=5)
    with time_machine.travel(told + timedelta(hours=1)):
        client.force_login(cast.carol)
        response = client.post(
            reverse("breaches:record_notice", args=[breach.uuid]),
            {
                "told_on": told.strftime("%Y-%m-%dT%H:%M"),
                "audience": "parents",
                "method": "letter",
                "how_many": "3",
            },
        )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.individuals_told_on is not None
    assert IndividualsNotice.objects.get().how_many == 3
    assert "breach.individuals_told" in actions(breach)


# --- The 72-hour clock -------------------------------------------------------------------


def test_clock_counts_72_clock_hours_across_the_march_change(cast: Cast, breach: Incident) -> None:
    # 28 March 2026, 10:00 GMT; the clocks go forward at 01:00 on 29 March.
    breach.aware_on = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)
    breach.save()
    store.refresh_incidents([breach.pk])
    deadline = ico_deadline(breach)
    assert deadline == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # 11:00 BST on the wall clock
    with time_machine.travel(datetime(2026, 3, 31, 9, 0, tzinfo=UTC)):
        state = ico_clock_state(breach)
    assert state.state == "running"
    assert state.hours_left == 1
    assert state.text == "1 hour 0 minutes left"


def test_clock_counts_72_clock_hours_across_the_october_change(cast: Cast, breach: Incident) -> None:
    # 24 October 2026, 12:00 BST (11:00 UTC); the clocks go back at 02:00 on 25 October.
    breach.aware_on = datetime(2026, 10, 24, 11, 0, tzinfo=UTC)
    deadline, state = computed_clock(breach, now=datetime(2026, 10, 27, 13, 30, tzinfo=UTC))
    assert deadline == datetime(2026, 10, 27, 11, 0, tzinfo=UTC)  # 11:00 GMT on the wall clock
    assert state.state == "overdue"
    assert state.text == "Overdue by 2 hours 30 minutes"


def test_clock_defaults_to_report_time_when_the_reporter_said_personal_data(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, personal_data="yes")
    assert ico_deadline(incident) == incident.reported_on + timedelta(hours=72)
    unsure = reported_incident(cast.school_a, cast.bob, personal_data="not_sure")
    assert ico_clock_state(unsure).state == "not_started"


def test_clock_stops_for_record_only_and_for_not_a_breach(cast: Cast, breach: Incident) -> None:
    assert computed_clock(breach)[1].state == "running"
    breach.ico_decision = Incident.IcoDecision.RECORD_ONLY
    assert computed_clock(breach)[1].state == "not_needed"
    breach.ico_decision = ""
    breach.personal_data_breach = "no"
    assert computed_clock(breach)[1].state == "not_needed"


def test_running_clocks_page_shows_only_the_persons_scope(client, cast: Cast, breach: Incident) -> None:
    other = reported_incident(cast.school_b, None, personal_data="yes")
    client.force_login(cast.carol)
    assert {i for i, _ in client.get(reverse("deadlines:ico_clocks")).context["clocks"]} == {breach, other}
    client.force_login(cast.alice)
    page = client.get(reverse("deadlines:ico_clocks")).content.decode()
    assert breach.reference in page
    assert other.reference not in page


def test_incident_page_shows_the_breach_panel(client, cast: Cast, breach: Incident) -> None:
    Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[breach.uuid])).content.decode()
    assert "Personal data breach" in page
    assert "left" in page  # the clock
    assert reverse("breaches:overview", args=[breach.uuid]) in page


# --- Documents ---------------------------------------------------------------------------

ICO_SECTIONS = [
    "About this report",
    "About the breach",
    "The personal data and the people",
    "Likely consequences",
    "Staff and training",
    "Measures taken",
    "Telling the people affected and others",
    "The organisation",
]


@pytest.fixture
def reported_breach(cast: Cast, breach: Incident) -> Incident:
    Contact.objects.create(
        organisation=cast.county, kind=Contact.Kind.DPO, name="Testshire DPO desk", email="dpo@example.org"
    )
    ReportDetails.objects.create(
        incident=breach,
        how_discovered="The bus company phoned the school office.",
        staff_involved="One teacher, trained in data protection in September.",
        measures_before="Policy: safeguarding files never leave the building.",
        containment="The file was collected from the bus depot.",
        recurrence_steps="Safeguarding files are now digital only.",
        other_bodies_told="None.",
        ico_registration_number="Z1234567",
    )
    assessment = Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
    Decision.decide(assessment=assessment, by=cast.carol, agrees=True)
    IcoSubmission.record_submission(
        incident=breach, by=cast.alice, submitted_on=aware(breach) + timedelta(minutes=1), ico_reference="IC-98765"
    )
    breach.refresh_from_db()
    return breach


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def pdf_text(content: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces made single spaces (typst wraps lines)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_ico_report_docx_has_every_section_filled_from_the_incident(client, cast: Cast, reported_breach) -> None:
    client.force_login(cast.carol)
    response = client.get(reverse("breaches:ico_report_docx", args=[reported_breach.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = docx_text(response.content)
    for section in ICO_SECTIONS:
        assert section in text
    for filled in (
        "A safeguarding file was left on the number 12 bus.",
        "IC-98765",
        "Z1234567",
        "Testshire DPO desk",
        "The bus company phoned the school office.",
        "Safeguarding or child protection information",
        "Children are among the people affected.",
        "Follow-up report",
    ):
        assert filled.lower() in text.lower(), filled
    assert "breach.document_generated" in actions(reported_breach)


def test_ico_report_pdf_has_every_section_and_is_tagged(client, cast: Cast, reported_breach) -> None:
    client.force_login(cast.alice)
    response = client.get(reverse("breaches:ico_report_pdf", args=[reported_breach.uuid]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    for section in ICO_SECTIONS:
        assert section in text
    assert "IC-98765" in text and "Z1234567" in text
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None
    assert reader.metadata.title == f"Personal data breach report: {reported_breach.reference}"


def test_document_text_cannot_change_the_layout(cast: Cast, breach: Incident) -> None:
    breach.description = '#set page(width: 1cm) ]} {{ title }} <w:p/> & "quoted" = done'
    breach.save()
    data = documents.ico_report(breach)
    assert breach.description in pdf_text(documents.render_pdf(data))
    assert breach.description in docx_text(documents.render_docx(data))


@pytest.mark.parametrize("audience", ["parents", "staff", "pupils"])
def test_letters_carry_what_article_34_requires(client, cast: Cast, reported_breach, audience: str) -> None:
    client.force_login(cast.carol)
    for name, read in (("breaches:letter_docx", docx_text), ("breaches:letter_pdf", pdf_text)):
        response = client.get(reverse(name, args=[reported_breach.uuid]), {"audience": audience})
        text = read(response.content)
        for heading in ("What happened", "What this may mean for you", "What we have done", "What you can do"):
            assert heading in text
        assert "Testshire DPO desk" in text  # the DPO's contact details
        assert "physical harm" in text  # the likely consequences
        assert "The file was collected from the bus depot." in text  # measures taken
        assert "Yours sincerely" in text


def test_public_notice_variant(client, cast: Cast, reported_breach) -> None:
    client.force_login(cast.carol)
    response = client.get(reverse("breaches:letter_pdf", args=[reported_breach.uuid]), {"audience": "public"})
    text = pdf_text(response.content)
    assert "Public notice" in text
    assert "cannot contact each person directly" in text
    assert response["Content-Disposition"].endswith('-public-notice.pdf"')
    assert client.get(reverse("breaches:letter_pdf", args=[reported_breach.uuid]), {"audience": "x"}).status_code == 404


# --- Not a personal data breach, and query counts -----------------------------------------


def test_not_a_breach_is_recorded_with_its_reason_and_stops_the_clock(client, cast: Cast, breach: Incident) -> None:
    client.force_login(cast.alice)
    url = reverse("breaches:not_a_breach", args=[breach.uuid])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(url, {"reason": "The email was recalled before it was opened."})
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.personal_data_breach == "no"
    assert ico_clock_state(breach).state == "not_needed"
    event = Event.objects.get(action="breach.not_a_breach")
    assert event.reason == "The email was recalled before it was opened."
    assert Incident.objects.filter(pk=breach.pk).exists()  # still an internal record


def test_clocks_page_query_count_does_not_grow_with_rows(client, cast: Cast, django_assert_max_num_queries) -> None:
    for n in range(30):
        reported_incident(cast.school_a if n % 2 else cast.school_b, None, personal_data="yes")
    client.force_login(cast.carol)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("deadlines:ico_clocks"))
    assert len(page.context["clocks"]) == 30


def test_breach_record_query_count_is_fixed(
    client, cast: Cast, breach: Incident, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        assessment = Assessment.record_assessment(incident=breach, facts=HIGH_RISK, by=cast.alice)
        Decision.decide(assessment=assessment, by=cast.carol, agrees=True)
    client.force_login(cast.carol)
    with django_assert_max_num_queries(13):
        client.get(reverse("breaches:overview", args=[breach.uuid]))


def test_agreeing_with_an_exemption_records_it_in_the_reason(cast: Cast, breach: Incident) -> None:
    facts = Facts.from_dict(
        HIGH_RISK.to_dict()
        | {"later_measures_remove_high_risk": True, "later_measures_notes": "File recovered sealed."}
    )
    assessment = Assessment.record_assessment(incident=breach, facts=facts, by=cast.alice)
    Decision.decide(assessment=assessment, by=cast.carol, agrees=True)
    breach.refresh_from_db()
    assert breach.ico_decision == Incident.IcoDecision.REPORT
    assert "Art. 34(3)(b)" in breach.ico_decision_reason
    assert "File recovered sealed." in breach.ico_decision_reason


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)))
def test_the_deadline_is_always_72_real_hours_whatever_the_wall_clock_does(aware_on: datetime) -> None:
    incident = Incident(
        aware_on=aware_on, reported_on=aware_on, personal_data_breach="yes", status=Incident.Status.TRIAGED
    )
    deadline, _ = computed_clock(incident)
    assert deadline is not None and deadline - aware_on == timedelta(hours=72)
    wall = timezone.localtime(deadline).replace(tzinfo=None) - timezone.localtime(aware_on).replace(tzinfo=None)
    assert wall in (timedelta(hours=71), timedelta(hours=72), timedelta(hours=73))  # GMT/BST change in between
    assert computed_clock(incident, now=deadline - timedelta(seconds=1))[1].state == "running"
    assert computed_clock(incident, now=deadline + timedelta(seconds=1))[1].state == "overdue"


def test_the_icos_response_is_added_to_the_latest_report(client, cast: Cast, breach: Incident) -> None:
    client.force_login(cast.alice)
    url = reverse("breaches:record_response", args=[breach.uuid])
    today = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"received_on": today, "response": "Case closed with advice."})
    assert "Record the report made to the ICO before its response." in response.content.decode()
    IcoSubmission.record_submission(incident=breach, by=cast.alice, submitted_on=aware(breach), ico_reference="IC-1")
    assert client.post(url, {"received_on": today, "response": "Case closed with advice."}).status_code == 302
    submission = IcoSubmission.objects.get()
    assert submission.ico_response.endswith(": Case closed with advice.")
    assert "breach.ico_response" in actions(breach)


def test_the_case_file_carries_the_breach_record(client, cast: Cast, reported_breach) -> None:
    client.force_login(cast.carol)
    content = client.get(reverse("casefile:pdf", args=[reported_breach.uuid])).content
    text = pdf_text(content)
    assert "Personal data breach assessment" in text
    assert "Assessment 1" in text and "IC-98765" in text
    assert "Agreed with assessment 1" in text


def test_the_case_file_has_no_breach_section_without_a_breach_record(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    text = pdf_text(client.get(reverse("casefile:pdf", args=[incident.uuid])).content)
    assert "Personal data breach assessment" not in text


def test_the_ico_clocks_page_s_old_address_leads_to_its_new_one(client, cast: Cast) -> None:
    client.force_login(cast.carol)
    response = client.get("/breaches/ico-clocks/?scope=x")
    assert response.status_code == 301
    assert response["Location"] == reverse("deadlines:ico_clocks") + "?scope=x"
