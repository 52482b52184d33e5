"""GOV.UK's conditional reveal ("Daily work"): a question that matters only after one answer
is drawn beneath that answer. Without JavaScript it shows anyway (the stylesheet hides a
closed one only once GOV.UK Frontend has started); validation stays on the server and the
revealed field's label still says when it is needed."""

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse
from lxml import html

from core.forms import HintedRadioSelect, needed
from incidents import lifecycle

from .conftest import People
from .factories import reported_incident
from .lifecycle_helpers import assess_breach
from .lifecycle_states import build, classification


class PetForm(forms.Form):
    has_pet = forms.ChoiceField(
        label="Do you have a pet?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=HintedRadioSelect(reveals={"yes": ["pet_name"]}),
    )
    pet_name = needed(forms.CharField(label="Its name", required=False), "when you have a pet")


def reveal_of(page: str, radio_name: str, value: str) -> Any:
    """The conditional block the radio `radio_name=value` controls (asserting the GOV.UK markup)."""
    tree = html.fromstring(page)
    [radio] = tree.xpath(f"//input[@type='radio'][@name='{radio_name}'][@value='{value}']")
    target = radio.get("data-aria-controls")
    assert target, "the revealing choice names its block for GOV.UK Frontend"
    [block] = tree.xpath(f"//*[@id='{target}']")
    assert "govuk-radios__conditional" in block.get("class").split()
    # Inside the radios of its question, right after the choice's own item, as GOV.UK draws it.
    assert block.getparent().get("data-module") == "govuk-radios"
    assert block.getprevious().xpath(f".//input[@value='{value}']")
    return block


def test_the_revealed_field_is_drawn_once_inside_the_choice_that_reveals_it() -> None:
    page = f"<div>{PetForm().as_div()}</div>"
    block = reveal_of(page, "has_pet", "yes")
    assert "govuk-radios__conditional--hidden" in block.get("class")  # nothing chosen yet
    assert block.xpath(".//input[@name='pet_name']")
    assert page.count('name="pet_name"') == 1
    assert "Its name (needed when you have a pet)" in page
    [no] = html.fromstring(page).xpath("//input[@value='no']")
    assert no.get("data-aria-controls") is None


def test_a_chosen_answer_shows_its_question_open_with_its_error() -> None:
    form = PetForm({"has_pet": "yes", "pet_name": "x" * 0})
    form.is_valid()
    form.add_error("pet_name", "Enter its name")
    block = reveal_of(f"<div>{form.as_div()}</div>", "has_pet", "yes")
    assert "govuk-radios__conditional--hidden" not in block.get("class")
    assert "Enter its name" in html.tostring(block, encoding="unicode")


def test_without_javascript_a_closed_block_still_shows() -> None:
    """The stylesheet hides a closed block only under `.govuk-frontend-supported` (set by the
    page's script once GOV.UK Frontend runs): with no script every question is on the page."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert ".govuk-frontend-supported .govuk-radios__conditional--hidden{display:none}" in css
    assert ".govuk-radios__conditional--hidden{display:none}" not in css.replace(
        ".govuk-frontend-supported .govuk-radios__conditional--hidden{display:none}", ""
    )


def test_triage_reveals_the_awareness_time_under_a_personal_data_breach(client, people: People) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    client.force_login(people.cast.alice)
    url = reverse("incidents:triage", args=[incident.uuid])
    page = client.get(url).content.decode()
    block = reveal_of(page, "personal_data_breach", "yes")
    assert block.xpath(".//input[@name='aware_on']")
    assert page.count('name="aware_on"') == 1
    assert "(needed for a personal data breach)" in html.tostring(block, encoding="unicode")
    # Sent with "yes" and no time: the server still refuses, and the block is open with its error.
    data = {"nature": "incident", "breach_status": "confirmed", "personal_data_breach": "yes", "severity": "minor"}
    response = client.post(url, data)
    assert response.status_code == 200
    block = reveal_of(response.content.decode(), "personal_data_breach", "yes")
    assert "govuk-radios__conditional--hidden" not in block.get("class")
    incident.refresh_from_db()
    assert incident.status == incident.Status.REPORTED


def test_the_reclassify_page_reveals_the_awareness_time_too(client, people: People) -> None:
    incident = build("minor triaged", people)
    client.force_login(people.cast.alice)
    page = client.get(reverse("incidents:reclassify", args=[incident.uuid])).content.decode()
    assert reveal_of(page, "personal_data_breach", "yes").xpath(".//input[@name='aware_on']")


def test_not_applicable_reveals_why_it_does_not_apply(client, people: People) -> None:
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    lifecycle.triage(incident, by=people.cast.alice, investigator=people.investigator, **classification("minor"))
    item = incident.checklist.filter(is_disciplinary=False).first()
    assert item is not None
    client.force_login(people.investigator)
    url = reverse("incidents:checklist_item", args=[item.pk])
    block = reveal_of(client.get(url).content.decode(), "state", "not_applicable")
    assert block.xpath(".//textarea[@name='not_applicable_reason']")
    response = client.post(url, {"state": "not_applicable"})  # no reason: refused, the block open
    assert response.status_code == 200
    block = reveal_of(response.content.decode(), "state", "not_applicable")
    assert "govuk-radios__conditional--hidden" not in block.get("class")


def test_returning_an_outcome_report_reveals_the_comments(client, people: People) -> None:
    incident = build("minor submitted", people)
    client.force_login(people.cast.alice)
    page = client.get(reverse("incidents:review", args=[incident.uuid])).content.decode()
    assert reveal_of(page, "decision", "return").xpath(".//textarea[@name='comments']")


def test_deciding_differently_from_the_assessment_reveals_the_decision(client, people: People) -> None:
    incident = build("major submitted breach all accepted", people)
    assess_breach(incident, people.cast.carol)
    client.force_login(people.cast.carol)
    page = client.get(reverse("breaches:decide", args=[incident.uuid])).content.decode()
    block = reveal_of(page, "agrees", "no")
    assert block.xpath(".//select[@name='decision']")
    assert "(needed when you decide differently)" in page
