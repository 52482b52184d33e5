"""Each token has so many calls a minute, counted in the database so every process shares
the count; past it, 429 with Retry-After. Each call also stamps the token's last use."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from api.models import ApiToken

from .api_helpers import bearer, token_for

START = datetime(2026, 12, 4, 10, 0, 15, tzinfo=UTC)


def test_past_the_limit_a_token_gets_429_with_retry_after_until_the_minute_is_over(cast, settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    secret, other = token_for(cast.alice), token_for(cast.alice)
    with time_machine.travel(START, tick=False) as traveller:
        # Two clients, as two processes would be: the count is the token's, not the process's.
        first, second = Client(), Client()
        statuses = [client.get("/api/v1/incidents", **bearer(secret)).status_code for client in (first, second, first)]
        assert statuses == [200, 200, 200]
        refused = second.get("/api/v1/incidents", **bearer(secret))
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert "Too many requests" in refused.json()["detail"]
        assert first.get("/api/v1/incidents", **bearer(other)).status_code == 200  # another token counts apart
        traveller.shift(timedelta(seconds=45))
        assert first.get("/api/v1/incidents", **bearer(secret)).status_code == 200


def test_each_call_stamps_the_tokens_last_use(client, cast) -> None:
    secret = token_for(cast.alice)
    token = ApiToken.objects.get()
    assert token.last_used_on is None
    with time_machine.travel(START, tick=False):
        client.get("/api/v1/incidents", **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_on == START


def test_a_refused_token_is_not_counted(client, cast, settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    secret = token_for(cast.alice)
    for _ in range(3):
        assert client.get("/api/v1/incidents", **bearer(secret[:-1] + "_")).status_code == 401
    assert client.get("/api/v1/incidents", **bearer(secret)).status_code == 200
