"""Giving the DPO, SIRO or admin role needs a second person (issue 12, finding 9 in part).

An organisation admin could make themselves DPO and read confidential reporters' names
with no one approving. Now the request waits for someone who already holds the role on the
organisation or above (or a superuser); the requester cannot approve their own; the
existing holders are told; every request, approval and refusal is on the record.
"""

from typing import Any

import pytest
from django.urls import reverse

from audit.models import Event
from incidents.models import Incident
from notifications.models import Notification, Outbox
from organisations import grants
from organisations.models import Membership, Role, RoleGrant

from .conftest import People
from .factories import MembershipFactory, UserFactory, reported_incident


def invite(client: Any, p: People, email: str, role: str) -> Any:
    return client.post(
        reverse("organisations:invite", args=[p.cast.school_a.uuid]),
        {"email": email, "full_name": "", "role": role},
        follow=True,
    )


def decide(client: Any, grant: RoleGrant, decision: str, reason: str = "") -> Any:
    url = reverse("organisations:decide_grant", args=[grant.uuid])
    return client.post(url, {"decision": decision, "reason": reason}, follow=True)


def holds(user: Any, p: People, role: str) -> bool:
    return Membership.objects.filter(user=user, organisation=p.cast.school_a, role=role).exists()


@pytest.mark.asvs("V2.3.5")
@pytest.mark.asvs("V8.2.1")
def test_an_admin_making_themselves_dpo_now_waits_and_cannot_read_confidential_names(client, people: People) -> None:
    cast = people.cast
    incident = reported_incident(cast.school_a, cast.bob)
    Incident.objects.filter(pk=incident.pk).update(reporter_confidential=True)
    client.force_login(people.admin)
    page = invite(client, people, people.admin.email, Role.DPO).content.decode()
    assert "once someone else who is Data Protection Officer approves" in page
    assert not holds(people.admin, people, Role.DPO)
    grant = RoleGrant.objects.get(user=people.admin, role=Role.DPO)
    assert grant.state == RoleGrant.State.PENDING
    assert Incident.objects.get(pk=incident.pk).reporter_display(people.admin) == "Confidential reporter"
    assert not incident.powers_of(people.admin).can_see_confidential_reporter
    assert not Incident.objects.visible_to(people.admin).exists()
    # Their own request: no Approve button for them, and a forged POST is refused.
    assert "Waiting for someone else to approve" in page
    refused = decide(client, grant, "approve").content.decode()
    assert "someone else must approve" in refused
    grant.refresh_from_db()
    assert grant.state == RoleGrant.State.PENDING and not holds(people.admin, people, Role.DPO)
    assert Event.objects.filter(action="role_grant.requested", organisation=cast.school_a).count() == 1
    assert not Event.objects.filter(action__in=["role_grant.approved", "membership.added"]).exists()


@pytest.mark.asvs("V2.3.5")
def test_the_existing_dpo_above_is_told_and_approves(client, people: People) -> None:
    cast = people.cast
    client.force_login(people.admin)
    invite(client, people, "new.dpo@example.org", Role.DPO)
    grant = RoleGrant.objects.get(user__email="new.dpo@example.org")
    (told,) = Notification.objects.filter(kind="role_grant_requested")
    assert told.user == cast.carol and told.link.endswith(reverse("organisations:approvals"))
    assert Outbox.objects.filter(kind="role_grant_requested", to_address=cast.carol.email).exists()

    client.force_login(cast.carol)
    listing = client.get(reverse("organisations:approvals")).content.decode()
    assert "new.dpo@example.org" in listing and "Approve" in listing and "Refuse" in listing
    assert client.get(reverse("organisations:decide_grant", args=[grant.uuid])).status_code == 405
    page = decide(client, grant, "approve").content.decode()
    assert "is now Data Protection Officer" in page
    grant.refresh_from_db()
    assert grant.state == RoleGrant.State.APPROVED and grant.decided_by == cast.carol
    assert holds(grant.user, people, Role.DPO)
    event = Event.objects.get(action="role_grant.approved")
    assert event.actor == cast.carol and event.organisation_id == cast.school_a.pk
    assert event.after == {"user": "new.dpo@example.org", "role": Role.DPO, "requested_by": people.admin.email}
    # The admin who asked is told the decision.
    assert Notification.objects.filter(user=people.admin, kind="role_grant_decided").exists()


def test_a_refusal_is_recorded_with_its_reason_and_gives_nothing(client, people: People) -> None:
    cast = people.cast
    client.force_login(people.admin)
    invite(client, people, cast.bob.email, Role.SIRO)
    grant = RoleGrant.objects.get(user=cast.bob, role=Role.SIRO)
    # The SIRO of school A holds the role there: told and may decide.
    assert Notification.objects.filter(user=people.siro, kind="role_grant_requested").exists()
    client.force_login(people.siro)
    decide(client, grant, "refuse", "Bob is not the head.")
    grant.refresh_from_db()
    assert grant.state == RoleGrant.State.REFUSED and grant.reason == "Bob is not the head."
    assert not holds(cast.bob, people, Role.SIRO)
    assert Event.objects.get(action="role_grant.refused").reason == "Bob is not the head."
    told = Outbox.objects.get(kind="role_grant_decided", to_address=people.admin.email)
    assert "Bob is not the head." in told.text
    # Decided once: a second decision is refused.
    assert "already refused" in decide(client, grant, "approve").content.decode()
    assert not holds(cast.bob, people, Role.SIRO)


@pytest.mark.asvs("V8.2.1")
def test_someone_without_the_role_cannot_decide_and_does_not_see_the_request(client, people: People) -> None:
    cast = people.cast
    client.force_login(people.admin)
    invite(client, people, cast.bob.email, Role.DPO)
    grant = RoleGrant.objects.get(user=cast.bob)
    for outsider in (cast.alice, cast.dave, people.siro, people.investigator):
        client.force_login(outsider)
        assert "bob@example.org" not in client.get(reverse("organisations:approvals")).content.decode()
        assert (
            client.post(reverse("organisations:decide_grant", args=[grant.uuid]), {"decision": "approve"}).status_code
            == 404
        )
    # The person it is for cannot approve it either.
    client.force_login(cast.bob)
    assert "someone else must approve" in decide(client, grant, "approve").content.decode()
    grant.refresh_from_db()
    assert grant.state == RoleGrant.State.PENDING and not holds(cast.bob, people, Role.DPO)
    assert not grants.may_decide(grant, cast.dave)
    # A DPO of a sibling school has no say over school A.
    sibling_dpo = UserFactory()
    MembershipFactory(user=sibling_dpo, organisation=cast.school_b, role=Role.DPO)
    assert not grants.may_decide(grant, sibling_dpo)


def test_a_second_admin_approves_a_new_admin_and_other_roles_are_given_at_once(client, people: People) -> None:
    cast = people.cast
    second_admin = UserFactory(email="second.admin@example.org")
    MembershipFactory(user=second_admin, organisation=cast.county, role=Role.ADMIN)
    client.force_login(people.admin)
    invite(client, people, "third@example.org", Role.ADMIN)
    invite(client, people, "teacher@example.org", Role.INVESTIGATOR)
    assert Membership.objects.filter(user__email="teacher@example.org", role=Role.INVESTIGATOR).exists()
    assert Event.objects.filter(action="membership.added", organisation=cast.school_a).count() == 1
    grant = RoleGrant.objects.get(user__email="third@example.org")
    assert set(Notification.objects.filter(kind="role_grant_requested").values_list("user__email", flat=True)) == {
        "second.admin@example.org"
    }
    client.force_login(second_admin)
    page = client.get(reverse("organisations:detail", args=[cast.school_a.uuid])).content.decode()
    assert "Waiting for approval" in page and "third@example.org" in page
    decide(client, grant, "approve")
    assert Membership.objects.filter(user__email="third@example.org", role=Role.ADMIN).exists()
    # Asking twice while pending makes one request.
    client.force_login(people.admin)
    invite(client, people, "fourth@example.org", Role.SIRO)
    invite(client, people, "fourth@example.org", Role.SIRO)
    assert RoleGrant.objects.filter(user__email="fourth@example.org").count() == 1


def test_a_superuser_gives_the_role_at_once_and_the_holders_are_told(people: People) -> None:
    cast = people.cast
    superuser = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    newcomer = UserFactory(email="newcomer@example.org")
    membership, added = grants.give_role(user=newcomer, organisation=cast.school_a, role=Role.DPO, by=superuser)
    assert added and isinstance(membership, Membership)
    assert Event.objects.filter(action="membership.added", actor=superuser).exists()
    assert Notification.objects.filter(user=cast.carol, kind="role_grant_approved").exists()
    # A superuser may also decide someone else's request.
    admin_request, _ = grants.give_role(user=cast.bob, organisation=cast.school_a, role=Role.SIRO, by=people.admin)
    assert isinstance(admin_request, RoleGrant) and grants.may_decide(admin_request, superuser)
    grants.decide(admin_request, by=superuser, approve=True)
    assert holds(cast.bob, people, Role.SIRO)
