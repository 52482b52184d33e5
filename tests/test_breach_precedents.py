"""Issue 19: past decisions beside the result, a reason when deciding differently, the new facts on the form."""

import pytest
from django.urls import reverse

from breaches import precedents
from breaches.engine import Facts
from breaches.models import Assessment, Decision
from incidents.models import Incident
from organisations.models import Organisation

from .conftest import Cast
from .factories import reported_incident, set_fields
from .test_breaches import HIGH_RISK_FORM

# A safeguarding note of three pupils read by a parent who will not confirm deletion.
SAFEGUARDING_TO_PARENT = {
    "data_categories": ["basic_identifiers", "safeguarding"],
    "data_subjects": ["pupils"],
    "children_involved": True,
    "people_count": 3,
    "recipient": "known_individual",
    "recipient_reliability": "known_not_cooperative",
    "contained": True,
}


def decided_breach(
    organisation: Organisation, cast: Cast, facts: dict, *, decision: str = "", reason: str = ""
) -> Incident:
    incident = reported_incident(organisation, cast.bob if organisation == cast.school_a else cast.dave)
    incident.personal_data_breach = "yes"
    incident.save()
    assessment = Assessment.record_assessment(incident=incident, facts=Facts.from_dict(facts), by=cast.carol)
    if decision:
        Decision.decide(assessment=assessment, by=cast.carol, agrees=False, decision=decision, reason=reason)
    else:
        Decision.decide(assessment=assessment, by=cast.carol, agrees=True)
    return incident


def open_breach(cast: Cast, facts: dict) -> Incident:
    incident = reported_incident(cast.school_a, cast.bob)
    incident.personal_data_breach = "yes"
    incident.save()
    Assessment.record_assessment(incident=incident, facts=Facts.from_dict(facts), by=cast.alice)
    return incident


@pytest.mark.asvs("V8.2.2")
def test_precedents_are_only_what_the_viewer_may_see(cast: Cast) -> None:
    """alice (school A) sees school A's past breach, never school B's; carol, DPO over both, sees both."""
    in_a = decided_breach(cast.school_a, cast, SAFEGUARDING_TO_PARENT)
    in_b = decided_breach(cast.school_b, cast, SAFEGUARDING_TO_PARENT)
    now = open_breach(cast, SAFEGUARDING_TO_PARENT)
    facts = Facts.from_dict(SAFEGUARDING_TO_PARENT).to_dict()
    assert [p.incident for p in precedents.nearest(now, cast.alice, facts)] == [in_a]
    assert {p.incident for p in precedents.nearest(now, cast.carol, facts)} == {in_a, in_b}
    assert {p.incident for p in precedents.nearest(now, cast.dave, facts)} == {in_b}


def test_the_nearest_facts_come_first_and_say_how_they_differ(cast: Cast) -> None:
    far = decided_breach(
        cast.school_a, cast, {"data_categories": ["contact_details"], "breach_types": ["availability"]}
    )
    near = decided_breach(cast.school_a, cast, {**SAFEGUARDING_TO_PARENT, "people_count": 4})
    now = open_breach(cast, SAFEGUARDING_TO_PARENT)
    found = precedents.nearest(now, cast.carol, Facts.from_dict(SAFEGUARDING_TO_PARENT).to_dict())
    assert [p.incident for p in found] == [near, far]
    assert found[0].close and found[0].differences == ["Roughly how many people"]
    assert not found[1].close


def test_the_decision_form_asks_why_when_deciding_differently_from_a_close_precedent(client, cast: Cast) -> None:
    """Last time a breach like this was only recorded (with the DPO's reason); agreeing now to report needs a reason."""
    past = decided_breach(
        cast.school_a, cast, SAFEGUARDING_TO_PARENT, decision="record_only", reason="The parent is a governor."
    )
    now = open_breach(cast, SAFEGUARDING_TO_PARENT)
    client.force_login(cast.carol)
    url = reverse("breaches:decide", args=[now.uuid])
    page = client.get(url).content.decode()
    assert past.reference in page and "Record only" in page and "say why this breach is different" in page
    response = client.post(url, {"agrees": "yes"})
    assert response.status_code == 200
    assert "say why this breach is different" in response.content.decode()
    assert not Decision.objects.filter(assessment__incident=now).exists()
    response = client.post(url, {"agrees": "yes", "reason": "This parent has shared school letters online before."})
    assert response.status_code == 302
    assert Decision.objects.get(assessment__incident=now).reason.startswith("This parent")


def test_deciding_as_the_close_precedent_did_needs_no_extra_reason(client, cast: Cast) -> None:
    decided_breach(cast.school_a, cast, SAFEGUARDING_TO_PARENT)
    now = open_breach(cast, SAFEGUARDING_TO_PARENT)
    client.force_login(cast.carol)
    assert client.post(reverse("breaches:decide", args=[now.uuid]), {"agrees": "yes"}).status_code == 302


def test_the_result_page_shows_uncertainty_and_precedents_before_the_decision(client, cast: Cast) -> None:
    past = decided_breach(cast.school_a, cast, SAFEGUARDING_TO_PARENT)
    now = open_breach(cast, {**SAFEGUARDING_TO_PARENT, "recipient_reliability": "unknown"})
    client.force_login(cast.alice)
    page = client.get(reverse("breaches:version", args=[now.uuid, 1])).content.decode()
    assert "How firm this result is" in page
    assert "If the recipient will not cooperate or cannot be relied on" in page
    assert "Past breaches like this one" in page and past.reference in page


def test_a_result_stored_before_issue_19_still_shows(client, cast: Cast) -> None:
    now = open_breach(cast, SAFEGUARDING_TO_PARENT)
    assessment = Assessment.objects.get(incident=now)
    old_facts = {k: v for k, v in assessment.facts.items() if k in Facts.fields()[:19]}
    old_result = {k: v for k, v in assessment.result.items() if k != "uncertainty"}
    set_fields(assessment, facts=old_facts, result=old_result)
    client.force_login(cast.alice)
    response = client.get(reverse("breaches:version", args=[now.uuid, 1]))
    assert response.status_code == 200
    assert "How firm this result is" not in response.content.decode()


def test_the_form_records_the_new_facts(client, cast: Cast) -> None:
    incident = open_breach(cast, SAFEGUARDING_TO_PARENT)
    client.force_login(cast.alice)
    form = {
        **HIGH_RISK_FORM,
        "breach_types": ["availability"],
        "recipient": "",
        "hashed_strong": "yes",
        "pseudonymised": "no",
        "document_kinds": ["cv_application"],
        "data_extent": "incidental",
        "recipient_reliability": "",
        "unavailable_hours": "100",
        "service_effect": "delayed_or_denied",
        "harm_materialised": ["service_delayed"],
        "harm_notes": "Free school meals could not be ordered for a week.",
        "volume_per_person": "many",
        "profiling": "no",
        "publicly_available": "no",
    }
    assert client.post(reverse("breaches:assess", args=[incident.uuid]), form).status_code == 302
    facts = Assessment.objects.get(incident=incident, version=2).facts
    assert facts["hashed_strong"] is True and facts["pseudonymised"] is False
    assert facts["document_kinds"] == ["cv_application"] and facts["data_extent"] == "incidental"
    assert facts["unavailable_hours"] == 100 and facts["service_effect"] == "delayed_or_denied"
    assert facts["harm_materialised"] == ["service_delayed"] and facts["recipient_reliability"] is None
    assert facts["volume_per_person"] == "many"
    page = client.get(reverse("breaches:assess", args=[incident.uuid])).content.decode()
    assert 'value="incidental"' in page and "checked" in page


def test_an_old_form_post_without_the_new_questions_still_assesses(client, cast: Cast) -> None:
    incident = open_breach(cast, SAFEGUARDING_TO_PARENT)
    client.force_login(cast.alice)
    assert client.post(reverse("breaches:assess", args=[incident.uuid]), HIGH_RISK_FORM).status_code == 302
    facts = Assessment.objects.get(incident=incident, version=2).facts
    assert facts["harm_materialised"] == [] and facts["data_extent"] is None and not facts["hashed_strong"]
