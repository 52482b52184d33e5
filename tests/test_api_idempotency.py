"""`Idempotency-Key`: a retried report never makes two, at once or later."""

import json
import threading
from typing import Any

from django.db import connection
from django.test import Client

from api.models import IdempotentResponse
from incidents.models import Incident
from organisations.models import Membership, Role

from .api_helpers import bearer, token_for
from .factories import OrganisationFactory, UserFactory

THREADS = 8
REPORT = {"description": "A phishing email asked staff for their passwords"}


def post(client: Client, secret: str, body: dict, key: str | None) -> object:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/incidents", json.dumps(body), content_type="application/json", **bearer(secret), **headers
    )


def test_the_same_report_posted_eight_times_at_once_with_one_key_stores_one(transactional_db: None) -> None:
    school = OrganisationFactory(name="Idempotent School")
    desk = UserFactory(email="desk@example.org")
    Membership.objects.create(user=desk, organisation=school, role=Role.REPORTER)
    secret = token_for(desk, ["report"])
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, dict, str | None]] = []
    errors: list[BaseException] = []

    def report() -> None:
        try:
            client = Client()
            barrier.wait()
            response = post(client, secret, REPORT, "ticket-4711")
            answers.append((response.status_code, response.json(), response.get("Idempotent-Replayed")))  # type: ignore[attr-defined]
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Incident.objects.count() == 1
    assert [status for status, _, _ in answers] == [201] * THREADS
    assert len({json.dumps(body, sort_keys=True) for _, body, _ in answers}) == 1
    assert sorted(replayed or "" for _, _, replayed in answers) == [""] + ["true"] * (THREADS - 1)
    assert answers[0][1]["uuid"] == str(Incident.objects.get().uuid)


def test_a_later_retry_answers_the_first_answer_and_another_body_is_refused(client, cast) -> None:
    secret = token_for(cast.bob, ["report"])
    first = post(client, secret, REPORT, "k1")
    again = post(client, secret, REPORT, "k1")
    assert first.status_code == again.status_code == 201  # type: ignore[attr-defined]
    assert first.json() == again.json()  # type: ignore[attr-defined]
    assert again["Idempotent-Replayed"] == "true"  # type: ignore[index]
    other = post(client, secret, {"description": "Something else"}, "k1")
    assert other.status_code == 422  # type: ignore[attr-defined]
    assert "different request" in other.json()["errors"]["Idempotency-Key"][0]  # type: ignore[attr-defined]
    assert Incident.objects.count() == 1


def test_a_refused_report_keeps_no_answer_so_the_corrected_one_may_use_the_key(client, cast) -> None:
    secret = token_for(cast.bob, ["report"])
    refused = post(client, secret, {"description": "   "}, "k2")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert not IdempotentResponse.objects.exists()
    assert post(client, secret, REPORT, "k2").status_code == 201  # type: ignore[attr-defined]


def test_without_a_key_each_post_is_a_new_report(client, cast) -> None:
    secret = token_for(cast.bob, ["report"])
    post(client, secret, REPORT, None)
    post(client, secret, REPORT, None)
    assert Incident.objects.count() == 2


def test_keys_belong_to_their_person(client, cast) -> None:
    post(client, token_for(cast.bob, ["report"]), REPORT, "shared")
    post(client, token_for(cast.alice, ["report"]), REPORT, "shared")
    assert Incident.objects.count() == 2


def test_a_body_that_is_not_json_is_422_and_stores_nothing(client, cast) -> None:
    secret = token_for(cast.bob, ["report"])
    for body in (b"\xff", b"{not json"):
        answer = client.post(
            "/api/v1/incidents", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k3", **bearer(secret)
        )
        assert answer.status_code == 422
        assert answer.json()["errors"] == {"__all__": ["What was sent could not be read. Send a JSON object."]}
    assert not Incident.objects.exists() and not IdempotentResponse.objects.exists()
