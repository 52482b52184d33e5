"""API tokens: who a token acts as, and when it stops working."""

from datetime import timedelta

from api.models import ApiToken
from lib import clock

from .api_helpers import bearer, token_for
from .factories import reported_incident


def test_a_token_reads_an_incident_its_person_may_see_and_the_view_is_on_the_record(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    secret = token_for(cast.alice)
    response = client.get(f"/api/v1/incidents/{incident.uuid}", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["reference"] == incident.reference
    from audit.models import Event

    assert Event.objects.filter(action="incident.viewed", actor=cast.alice, record_id=str(incident.pk)).exists()


def test_another_organisations_incident_is_not_found(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    response = client.get(f"/api/v1/incidents/{incident.uuid}", **bearer(token_for(cast.dave)))
    assert response.status_code == 404


def test_no_token_wrong_token_expired_and_revoked_are_401(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    url = f"/api/v1/incidents/{incident.uuid}"
    assert client.get(url).status_code == 401
    good = token_for(cast.alice)
    assert client.get(url, **bearer(good[:-2] + "xx")).status_code == 401
    expired = token_for(cast.alice, expires_on=clock.now() - timedelta(seconds=1))
    assert client.get(url, **bearer(expired)).status_code == 401
    revoked = token_for(cast.alice)
    ApiToken.objects.filter(prefix=revoked.split("_")[1]).update(revoked_on=clock.now())
    assert client.get(url, **bearer(revoked)).status_code == 401
    assert client.get(url, **bearer(good)).status_code == 200


def test_a_token_without_the_read_scope_is_refused_with_403(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    response = client.get(f"/api/v1/incidents/{incident.uuid}", **bearer(token_for(cast.alice, ["report"])))
    assert response.status_code == 403
    assert "read" in response.json()["detail"]


def test_the_openapi_document_is_served(client, db) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")


def test_a_person_who_can_no_longer_sign_in_has_tokens_that_stop(client, cast) -> None:
    secret = token_for(cast.alice)
    cast.alice.is_active = False
    cast.alice.save()
    assert client.get("/api/v1/incidents", **bearer(secret)).status_code == 401


def test_a_disabled_service_account_has_tokens_that_stop(client, cast) -> None:
    from api.services import create_service_account

    account = create_service_account(organisation=cast.school_a, by=cast.alice, name="Desk", roles=["reporter"])
    secret = token_for(account.person, ["report"])
    payload = {"description": "A laptop was stolen"}
    assert (
        client.post("/api/v1/incidents", payload, content_type="application/json", **bearer(secret)).status_code == 201
    )
    account.disabled_on = clock.now()
    account.save()
    assert (
        client.post("/api/v1/incidents", payload, content_type="application/json", **bearer(secret)).status_code == 401
    )


def test_a_token_follows_its_persons_roles_as_they_change(client, cast) -> None:
    from organisations.models import Membership

    incident = reported_incident(cast.school_a, cast.bob)
    secret = token_for(cast.alice)
    assert client.get(f"/api/v1/incidents/{incident.uuid}", **bearer(secret)).status_code == 200
    Membership.objects.filter(user=cast.alice).delete()
    assert client.get(f"/api/v1/incidents/{incident.uuid}", **bearer(secret)).status_code == 404
