"""Calling the API in tests: a token for a person, and the bearer header."""

from typing import Any

from api.models import ApiToken, Scope
from lib import clock

ALL_SCOPES = [Scope.READ.value, Scope.REPORT.value, Scope.HANDLE.value]


def token_for(person: Any, scopes: list[str] | None = None, **fields: Any) -> str:
    """A usable token acting as `person` with `scopes` (all three by default); its secret."""
    _token, secret = ApiToken.issue(
        person=person,
        name="Test token",
        scopes=ALL_SCOPES if scopes is None else scopes,
        created_by=fields.pop("created_by", person),
        created_on=clock.now(),
        **fields,
    )
    return secret


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
