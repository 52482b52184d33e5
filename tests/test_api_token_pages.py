"""The token pages: made once, shown once, revocable; service accounts made by admins."""

from django.test import Client

from api.models import ApiToken, ServiceAccount
from organisations.models import Membership, Role

from .api_helpers import bearer
from .factories import UserFactory, reported_incident


def test_a_person_makes_a_token_sees_it_once_and_it_acts_as_them(client, cast) -> None:
    client.force_login(cast.alice)
    response = client.post("/account/api-tokens/", {"name": "Desk", "scopes": ["read"], "lifetime": "30"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("idk_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.person == cast.alice and token.scopes == ["read"] and secret not in token.digest
    again = client.get("/account/api-tokens/")
    assert secret not in again.content.decode()
    incident = reported_incident(cast.school_a, cast.bob)
    assert Client().get(f"/api/v1/incidents/{incident.uuid}", **bearer(secret)).status_code == 200
    client.post(f"/account/api-tokens/{token.uuid}/revoke/")
    assert Client().get(f"/api/v1/incidents/{incident.uuid}", **bearer(secret)).status_code == 401


def test_making_a_token_needs_a_session_that_passed_a_second_factor(cast) -> None:
    plain = Client()
    plain.force_login(cast.bob)  # a reporter, signed in with a password only
    response = plain.post("/account/api-tokens/", {"name": "Mine", "scopes": ["report"], "lifetime": "30"})
    assert response.status_code == 403
    assert ApiToken.objects.count() == 0


def test_nobody_revokes_another_persons_token(client, cast) -> None:
    client.force_login(cast.alice)
    client.post("/account/api-tokens/", {"name": "Desk", "scopes": ["read"], "lifetime": "30"})
    token = ApiToken.objects.get()
    client.force_login(cast.dave)
    assert client.post(f"/account/api-tokens/{token.uuid}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_on is None


def test_an_admin_makes_a_service_account_whose_token_reports_in_its_organisation_only(client, cast) -> None:
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    client.force_login(admin)
    response = client.post(
        f"/organisations/{cast.school_a.uuid}/service-accounts/", {"name": "Service desk", "roles": ["reporter"]}
    )
    account = ServiceAccount.objects.get()
    assert response.status_code == 302
    assert not account.person.is_active and not account.person.has_usable_password()
    assert set(account.person.memberships.values_list("organisation", "role")) == {(cast.school_a.pk, "reporter")}
    page = f"/organisations/{cast.school_a.uuid}/service-accounts/{account.uuid}/"
    made = client.post(page, {"name": "Tickets", "scopes": ["report"], "lifetime": "90"})
    secret = made.context["secret"]
    api = Client()
    reported = api.post(
        "/api/v1/incidents", {"description": "Laptop left on a bus"}, content_type="application/json", **bearer(secret)
    )
    assert reported.status_code == 201, reported.content
    assert reported.json()["organisation"] == str(cast.school_a.uuid)
    # Its reporter role reads no incidents, and the token has no read scope anyway.
    assert api.get("/api/v1/incidents", **bearer(secret)).status_code == 403


def test_only_the_organisations_admins_reach_its_service_accounts(client, cast) -> None:
    client.force_login(cast.alice)  # an incident manager, not an admin
    assert client.get(f"/organisations/{cast.school_a.uuid}/service-accounts/").status_code == 404
