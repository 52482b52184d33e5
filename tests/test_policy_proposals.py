"""Suggested changes to a policy (policies 000-002, "How do I suggest a change?").

Anyone where the policy applies suggests; the policy's owner (its role: the SIRO here) accepts
it for the next draft, rejects it with a reason, or defers it; the proposer is told each time.
"""

import pytest
from django.urls import reverse

from audit.models import Event
from core.exceptions import StepRefused
from incidents.models import OutcomeReport
from insights.review import run_review
from notifications.models import Notification, Outbox
from policies import proposals
from policies.models import ChangeProposal

from .conftest import People
from .factories import reported_incident
from .policy_helpers import point, published_policy


@pytest.fixture
def policy(people: People):  # type: ignore[no-untyped-def]
    return published_policy(people.cast.school_a)  # school A's own, owned by its SIRO


def suggest(people: People, policy, **kwargs) -> ChangeProposal:  # type: ignore[no-untyped-def]
    return proposals.propose(
        policy=policy.policy,
        point=kwargs.pop("point", point(policy, "3")),
        by=people.cast.bob,
        change="Lock paper records away whenever the room is left, not only at the end of the day.",
        reason="Registers were left on a desk at lunchtime.",
        **kwargs,
    )


def test_a_suggestion_tells_the_policy_owner(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    proposal = suggest(people, policy)
    assert proposal.status == ChangeProposal.Status.PROPOSED
    told = set(Notification.objects.filter(kind="proposal_made").values_list("user__email", flat=True))
    assert told == {"siro@example.org"}  # the owner role (SIRO), nearest holders of it
    assert Event.objects.filter(action="proposal.made", record_id=str(proposal.pk)).count() == 1


def test_accepting_puts_it_in_the_next_draft_and_tells_the_proposer(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    proposal = suggest(people, policy)
    new_point = suggest(people, policy, point=None)
    with pytest.raises(StepRefused, match="policy's owner"):
        proposals.accept(proposal, by=people.cast.alice)
    proposals.accept(proposal, by=people.siro)
    assert list(proposals.for_next_draft(policy.policy)) == [proposal]
    assert new_point not in proposals.for_next_draft(policy.policy)
    text = Outbox.objects.get(kind="proposal_decided", to_address="bob@example.org").text
    assert "accepted your suggested change to Information security incident policy: it goes into the next draft" in text
    with pytest.raises(StepRefused, match="already been decided"):
        proposals.reject(proposal, by=people.siro, reason="Changed my mind")


def test_rejecting_needs_a_reason_and_deferring_keeps_it_open(people: People, policy) -> None:  # type: ignore[no-untyped-def]
    proposal = suggest(people, policy)
    with pytest.raises(StepRefused, match="Say why"):
        proposals.reject(proposal, by=people.siro, reason="")
    proposals.defer(proposal, by=people.siro, reason="At the annual review in July.")
    assert proposal.status == ChangeProposal.Status.DEFERRED and proposal.is_open
    with pytest.raises(StepRefused, match="already deferred"):
        proposals.defer(proposal, by=people.siro)
    proposals.reject(proposal, by=people.siro, reason="The July review covers it in point 2.")
    assert proposal.status == ChangeProposal.Status.REJECTED
    kinds = list(
        Notification.objects.filter(kind="proposal_decided", user=people.cast.bob).values_list("kind", flat=True)
    )
    assert len(kinds) == 2
    actions = list(Event.objects.filter(record_id=str(proposal.pk)).values_list("action", flat=True))
    assert actions == ["proposal.made", "proposal.deferred", "proposal.rejected"]


def test_a_suggestion_from_an_outcome_report_or_a_type_review_carries_its_link(client, people: People, policy) -> None:  # type: ignore[no-untyped-def]
    cast = people.cast
    incident = reported_incident(cast.school_a, cast.bob)
    OutcomeReport.objects.create(incident=incident, summary="s", lessons_learned="Lock the office.", round=1)
    review, _ = run_review(cast.school_a)
    client.force_login(cast.alice)
    url = reverse("proposals:propose")
    page = client.get(url, {"source": "outcome_report", "key": str(incident.uuid)}).content.decode()
    assert f"Lessons in the outcome report of {incident.reference}" in page
    form = {"policy": str(policy.policy.uuid), "point": point(policy, "3").pk, "change": "c", "reason": "r"}
    response = client.post(url, form | {"source": "outcome_report", "key": str(incident.uuid)})
    assert response.status_code == 302
    from_report = ChangeProposal.objects.get()
    assert from_report.source_url == reverse("incidents:detail", args=[incident.uuid])
    response = client.post(url, form | {"source": "type_review", "key": str(review.uuid)})
    from_review = ChangeProposal.objects.exclude(pk=from_report.pk).get()
    assert from_review.source_url == reverse("insights:review", args=[review.uuid])
    detail = client.get(reverse("proposals:detail", args=[from_review.uuid])).content.decode()
    assert "The six-month type review to" in detail
    # Someone who cannot see the source cannot borrow its name.
    client.force_login(cast.dave)
    assert client.get(url, {"source": "outcome_report", "key": str(incident.uuid)}).status_code == 404


def test_the_owner_decides_on_the_page_and_others_cannot(client, people: People, policy) -> None:  # type: ignore[no-untyped-def]
    proposal = suggest(people, policy)
    detail = reverse("proposals:detail", args=[proposal.uuid])
    client.force_login(people.cast.bob)
    assert client.post(detail, {"decision": "accept"}).status_code == 403
    client.force_login(people.cast.dave)
    assert client.get(detail).status_code == 404
    client.force_login(people.siro)
    assert "Enter why it is rejected" in client.post(detail, {"decision": "reject"}).content.decode()
    assert client.post(detail, {"decision": "defer", "reason": ""}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.DEFERRED


def test_an_accepted_suggestion_is_listed_on_the_next_draft_and_taken_in_when_it_is_published(
    client, people: People, policy
) -> None:  # type: ignore[no-untyped-def]
    from policies import services

    proposal = suggest(people, policy)
    proposals.accept(proposal, by=people.siro)
    draft = services.draft_next(policy.policy, by=people.admin)
    client.force_login(people.admin)
    page = client.get(reverse("policies:edit", args=[draft.uuid])).content.decode()
    assert "Suggestions accepted for the next draft" in page
    assert reverse("proposals:detail", args=[proposal.uuid]) in page
    services.approve(draft, by=people.siro)
    services.publish(draft, by=people.admin, review_by=services.default_review_date())
    proposal.refresh_from_db()
    assert proposal.taken_into == draft
    assert list(proposals.for_next_draft(policy.policy)) == []
    published = Event.objects.filter(action="policy.published").latest("id")
    assert published.after["suggestions_taken"] == [str(proposal.uuid)]  # type: ignore[index]
