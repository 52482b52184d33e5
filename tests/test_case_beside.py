"""The case beside the decision ("Daily work"): every page where a handler decides about an
incident shows what was reported and what is known so far, with the reporter as the viewer may
see them."""

import pytest
from django.urls import reverse

from incidents.models import Incident

from .conftest import People
from .factories import set_fields
from .lifecycle_helpers import assess_breach
from .lifecycle_states import build

PAGES = [
    ("reported", "incidents:triage", "alice"),
    ("minor triaged", "incidents:reclassify", "alice"),
    ("minor submitted", "incidents:review", "alice"),
    ("minor submitted manager accepted", "incidents:close", "alice"),
    ("major submitted breach all accepted", "breaches:decide", "carol"),
]


@pytest.mark.parametrize(("state", "name", "who"), PAGES)
def test_each_decision_page_shows_the_report_beside_the_form(client, people: People, state, name, who) -> None:
    incident = build(state, people)
    if name == "breaches:decide":
        assess_breach(incident, people.cast.carol)
    set_fields(
        Incident.objects.get(pk=incident.pk),
        description="The Year 6 class list went to one parent by mistake.",
        location="The school office",
        reporter_confidential=True,
    )
    client.force_login(getattr(people.cast, who))
    page = client.get(reverse(name, args=[incident.uuid]))
    assert page.status_code == 200
    text = page.content.decode()
    form_at = text.index('name="csrfmiddlewaretoken"', text.index("<main"))
    beside = text.index('id="case-beside-heading"')
    assert "The Year 6 class list went to one parent by mistake." in text[beside:]
    assert "The school office" in text[beside:]
    assert form_at < beside  # after the form in reading order, beside it on a wide screen
    if state != "reported":
        assert "Known so far" in text and "Severity" in text[beside:]
    # A confidential reporter's name is for the DPO and the SIRO only.
    reporter = people.cast.bob.full_name
    assert (reporter in text[beside:]) == (who == "carol")
    if who != "carol":
        assert "Confidential reporter" in text[beside:]


def test_closing_shows_what_it_closes_with_before_the_button(client, people: People) -> None:
    incident = build("minor submitted manager accepted", people)
    client.force_login(people.cast.alice)
    text = client.get(reverse("incidents:close", args=[incident.uuid])).content.decode()
    check = text.index("Check before you close")
    form = text.index('<form method="post" novalidate>')
    assert check < form
    for label in ("Severity", "Personal data breach", "ICO decision", "Outcome report", "Open remedial actions"):
        assert label in text[check:form]
    assert "it can be reopened only with a reason" in text
