"""A small phishing wave at Brookside (fictional people and texts): one email, many reports.

Twelve reports of the same "reset your password" email within fifteen minutes, from five
members of staff. The School Business Manager has already merged the first three into one
(two closed as its duplicates); the other nine are left as reported so the handler can bring
them in from the list (tick, "Act on the ticked incidents", "Merge them into one incident",
with the first one's reference); and the trust's tag "Phishing wave" to file them under.
`phishing_wave` also makes the 300 reports of the browser journey (tests/browser/test_phishing_wave.py).
"""

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from incidents import lifecycle
from incidents.models import Incident, Tag, report_incident
from lib import clock
from organisations.models import Membership, Organisation, Role

WORDINGS = (
    "I got an email saying my school password expires today, with a link to keep it. The link "
    "went to a page that looked like our sign-in page but the address was odd.",
    "Email from 'IT Support' asking me to confirm my password. I clicked the link but did not type anything.",
    "Suspicious email about my password expiring. I think I typed my password before I noticed.",
    "Another one of those password reset emails. Deleted it.",
    "Phishing email: 'Your mailbox is full, sign in to keep your messages'. Sent from an outside address.",
)
STAFF = (
    ("grace.holloway@brookside.example.org", "Grace Holloway"),
    ("priya.natarajan@brookside.example.org", "Priya Natarajan"),
    ("samuel.okafor@brookside.example.org", "Samuel Okafor"),
    ("hannah.lindqvist@brookside.example.org", "Hannah Lindqvist"),
)


def phishing_wave(
    organisation: Organisation, reporters: list[Any], count: int, *, minutes: int = 15, start: Any = None
) -> list[Incident]:
    """`count` reports of one phishing email at `organisation` within `minutes`, from `reporters` in turn.

    Each is a real report (`report_incident`: its reference, its first event, its deadlines).
    """
    start = start or clock.now() - timedelta(minutes=minutes)
    step = timedelta(seconds=minutes * 60 / max(count, 1))
    made = []
    with transaction.atomic():
        for i in range(count):
            incident, _ = report_incident(
                organisation=organisation,
                reported_by=reporters[i % len(reporters)] if reporters else None,
                submission_key=None,
                fields={"description": WORDINGS[i % len(WORDINGS)], "personal_data": "not_sure"},
                reported_on=start + step * i,
            )
            made.append(incident)
    return made


def load(organisations: dict[str, Organisation], users: dict[str, Any]) -> list[Incident]:
    User = get_user_model()
    brookside = organisations["brookside"]
    staff = [users["teacher@brookside.example.org"]]
    for email, name in STAFF:
        person = User.objects.create_user(email=email, password=None, full_name=name)
        EmailAddress.objects.create(user=person, email=email, primary=True, verified=True)
        Membership.objects.create(user=person, organisation=brookside, role=Role.REPORTER)
        staff.append(person)
    Tag.objects.create(organisation=organisations["trust"], name="Phishing wave", created_on=clock.now())
    wave = phishing_wave(brookside, staff, 12)
    lifecycle.merge(wave[0], wave[1:3], by=users["sbm@brookside.example.org"], reason="The same email")
    return wave
