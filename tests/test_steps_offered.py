"""The incident page offers exactly the steps that would succeed, in every state, to everyone.

For each state an incident can be in and each person of the cast (tests/conftest.py) plus an
investigating officer, a SIRO, a governance viewer and an admin of school A, every step of
the table is tried for real, inside a savepoint that is then rolled back, and the set that
succeeded is compared with the steps the rendered page offers (its `data-step` links and
buttons, by URL). A page that offers a refused step, or hides one that would succeed, fails.
"""

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from core.exceptions import StepRefused
from incidents import lifecycle
from incidents.models import ChecklistItem, Incident, Tag

from .factories import reported_incident
from .lifecycle_states import STATES, People, build, classification


class _Rollback(Exception):
    pass


def succeeds(attempt: Callable[[], Any]) -> bool:
    """Whether the step succeeds; whatever it did is rolled back either way."""
    try:
        with transaction.atomic():
            attempt()
            raise _Rollback
    except _Rollback:
        return True
    except StepRefused:
        return False


def attempts(incident_id: int, user: User, p: People) -> dict[str, Callable[[], Any]]:
    """Each step of the table with inputs that are valid, so only the rules can refuse it."""

    def fresh() -> Incident:
        return Incident.objects.get(pk=incident_id)

    def reclassify() -> None:
        incident = fresh()
        values = {name: getattr(incident, name) for name in lifecycle.CLASSIFICATION_FIELDS}
        if not incident.severity:
            values = classification("minor")
        values["nature"] = "weakness" if values["nature"] != "weakness" else "event"
        lifecycle.reclassify(incident, by=user, reason="Found more", **values)

    def assign() -> None:
        lifecycle.assign_investigator(fresh(), by=user, investigator=p.investigator, reason="Knows the system")

    def another() -> Incident:
        """An open report of the same organisation, to link to or to be a duplicate of."""
        return reported_incident(fresh().organisation, None, description="The same email again")

    def tag() -> None:
        incident = fresh()
        new = Tag.objects.create(
            organisation=incident.organisation, name="Phishing wave", created_on=incident.reported_on
        )
        lifecycle.change_tags(incident, by=user, add=[new])

    return {
        "triage": lambda: lifecycle.triage(fresh(), by=user, **classification("minor")),
        "close_not_incident": lambda: lifecycle.close_not_incident(fresh(), by=user, reason="Not security"),
        "assign_investigator": assign,
        "start_investigation": lambda: lifecycle.start_investigation(fresh(), by=user),
        "save_outcome_draft": lambda: lifecycle.save_outcome_draft(fresh(), by=user, sections={"summary": "More."}),
        "submit_outcome": lambda: lifecycle.submit_outcome(fresh(), by=user),
        "review_outcome": lambda: lifecycle.review_outcome(fresh(), by=user, accept=True),
        "close": lambda: lifecycle.close(fresh(), by=user),
        "reopen": lambda: lifecycle.reopen(fresh(), by=user, reason="New evidence"),
        "reclassify": reclassify,
        "add_note": lambda: lifecycle.add_note(fresh(), by=user, body="A note."),
        "message_reporter": lambda: lifecycle.message_reporter(fresh(), by=user, body="Thank you."),
        "correct_report": lambda: lifecycle.correct(
            fresh(), by=user, field="location", value="Somewhere else", reason="The reporter rang back"
        ),
        "ask_dpo": lambda: lifecycle.ask_dpo(fresh(), by=user, question="Should we tell the parents?"),
        "dpo_advise": lambda: lifecycle.advise(fresh(), by=user, advice="Tell them by letter."),
        "dpo_review": lambda: lifecycle.mark_reviewed(fresh(), by=user),
        "dpo_direct": lambda: lifecycle.direct_investigator(fresh(), by=user, direction="Recall the email."),
        "sign_off_outcome": lambda: lifecycle.sign_off_outcome(fresh(), by=user),
        "link_related": lambda: lifecycle.link_related(fresh(), by=user, other=another(), reason="Same sender"),
        "close_duplicate": lambda: lifecycle.close_as_duplicate(fresh(), by=user, survivor=another()),
        "tag": tag,
    }


def update_item(item_id: int, user: User) -> Callable[[], Any]:
    def attempt() -> None:
        item = ChecklistItem.objects.get(pk=item_id)
        if item.is_disciplinary:
            lifecycle.update_checklist_item(
                item, by=user, state="done", disciplinary_decision="not_commenced", note="Training instead."
            )
        else:
            lifecycle.update_checklist_item(item, by=user, state="not_applicable", not_applicable_reason="Not here")

    return attempt


class Offers(HTMLParser):
    """(step name, href) of every link or button on the page marked with `data-step`."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[tuple[str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("data-step"):
            self.found.add((str(values["data-step"]), str(values.get("href"))))


def offered_on_page(client: Any, incident: Incident, user: User) -> set[tuple[str, str]] | None:
    client.force_login(user)
    response = client.get(reverse("incidents:detail", args=[incident.uuid]))
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    parser = Offers()
    parser.feed(response.content.decode())
    return parser.found


@pytest.mark.parametrize("state", STATES)
def test_the_page_offers_exactly_the_steps_that_would_succeed(client, people: People, state: str) -> None:
    incident = build(state, people)
    items = list(incident.checklist.filter(is_disciplinary=False)[:1] | incident.checklist.filter(is_disciplinary=True))
    tried_items = {("update_checklist_item", reverse("incidents:checklist_item", args=[i.pk])) for i in items}
    offered_anything = False
    for who, user in people.everyone().items():
        would_succeed = {
            (name, lifecycle.STEP[name].url(incident))
            for name, attempt in attempts(incident.pk, user, people).items()
            if succeeds(attempt)
        } | {
            ("update_checklist_item", reverse("incidents:checklist_item", args=[item.pk]))
            for item in items
            if succeeds(update_item(item.pk, user))
        }
        offered = offered_on_page(client, incident, user)
        if offered is None:  # the page is "not found": nothing may succeed either
            assert would_succeed == set(), f"{who} cannot open the page of a {state} incident"
            continue
        # The checklist's links are compared for the items tried (one ordinary, the disciplinary one).
        comparable = {offer for offer in offered if offer[0] != "update_checklist_item" or offer in tried_items}
        assert comparable == would_succeed, f"{who}, {state}"
        offered_anything |= bool(offered)
    assert offered_anything


def test_the_checker_sees_a_step_the_page_offers_wrongly(client, people: People) -> None:
    """The comparison can fail: a refused step shown as a button is caught."""
    incident = build("major submitted manager accepted", people)
    alice = people.cast.alice
    # The incident manager has accepted; reviewing again is refused...
    assert not succeeds(attempts(incident.pk, alice, people)["review_outcome"])
    offered = offered_on_page(client, incident, alice)
    assert offered is not None
    # ...so the page must not offer it, and a page that did would differ from what succeeds.
    assert ("review_outcome", lifecycle.STEP["review_outcome"].url(incident)) not in offered
    assert ("close", lifecycle.STEP["close"].url(incident)) not in offered
    page = client.get(reverse("incidents:detail", args=[incident.uuid])).content.decode()
    assert "The DPO has not reviewed the outcome report" in page
    assert "has not been accepted" not in page
    # The same page with the refused step added as a button: the parser sees it, and the
    # comparison the walk makes no longer holds.
    would_succeed = {
        (name, lifecycle.STEP[name].url(incident))
        for name, attempt in attempts(incident.pk, alice, people).items()
        if succeeds(attempt)
    }
    # (Checklist items are compared per item in the walk; here the steps of the table.)
    assert {offer for offer in offered if offer[0] != "update_checklist_item"} == would_succeed
    review = lifecycle.STEP["review_outcome"].url(incident)
    wrong = Offers()
    wrong.feed(
        page.replace("</main>", f'<a href="{review}" role="button" data-step="review_outcome">Review</a></main>')
    )
    wrong_steps = {offer for offer in wrong.found if offer[0] != "update_checklist_item"}
    assert ("review_outcome", review) in wrong_steps and wrong_steps != would_succeed
