"""What the lifecycle's emails say, sent by the real worker: references and plain words, never report contents."""

import pytest
from django.core import mail

from incidents import lifecycle

from .factories import reported_incident
from .lifecycle_helpers import classification, make_team
from .test_reporting import run_worker

DESCRIPTION = "Zebra-unique description of Year 6 safeguarding files"


@pytest.mark.django_db(transaction=True)
def test_major_triage_emails_carry_no_personal_data_and_the_reporter_gets_plain_words() -> None:
    team = make_team()
    incident = reported_incident(team.school, team.reporter, description=DESCRIPTION)
    run_worker()
    mail.outbox.clear()
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("major"))
    run_worker()
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) >= {
        "dpo@example.org",
        "siro@example.org",
        "governor@example.org",
        "reporter@example.org",
        "investigator@example.org",
    }
    for message in mail.outbox:
        assert DESCRIPTION not in message.body and DESCRIPTION not in message.subject
        assert "Rita Reporter" not in message.body
        assert str(incident.reference) in message.subject + message.body
    governor = by_person["governor@example.org"]
    # One email, from the one audience table, with the one count (it used to come twice, worded twice).
    assert [m.to[0] for m in mail.outbox].count("governor@example.org") == 1
    assert "Open major or critical incidents at Appleby Primary School: 1" in governor.body
    assert "/incidents/" not in governor.body  # no link to the incident itself: they cannot open it
    reporter = by_person["reporter@example.org"]
    assert "Your report has been looked at and is being dealt with." in reporter.body
    assert "/my-reports/" in reporter.body
