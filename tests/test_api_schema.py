"""Schemathesis runs every operation of the API's OpenAPI document against the application,
with the valid and invalid data it generates: no answer may be a server error, and every
answer must match what the document says (status, content type, body, headers).

Kept under a minute: a few dozen examples per operation (`EXAMPLES`). The caller is a
handler at a school with every scope, so both the found and the not-found paths are walked.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from organisations.models import Membership, Role

from .api_helpers import token_for
from .factories import OrganisationFactory, UserFactory, reported_incident

EXAMPLES = 10

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def kept_connection() -> Iterator[None]:
    """Each request through the WSGI app would close the test's database connection (and
    its transaction) when it ends, as Django's own test client prevents: so here too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def caller(db: None, settings: Any, kept_connection: None) -> dict[str, str]:
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    school = OrganisationFactory(name="Schema School")
    person = UserFactory(email="schema@example.org")
    for role in (Role.INCIDENT_MANAGER, Role.ADMIN):
        Membership.objects.create(user=person, organisation=school, role=role)
    reported_incident(school, person)
    return {"Authorization": f"Bearer {token_for(person)}"}


def filter_query(ctx: Any, query: dict[str, Any] | None) -> bool:
    """The API ignores query parameters it does not document, as HTTP APIs commonly do (a
    link with a tracking parameter still works), so a generated request that adds one is not
    refused: such cases are left out rather than counted as accepted invalid input."""
    return not query or set(query) <= {parameter.name for parameter in ctx.operation.query}


@schema.hooks.apply(filter_query)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_the_document_says(case: Any, caller: dict[str, str]) -> None:
    # Every check but one: input the document allows may still be refused by the rules with
    # 422 and the page's message (a description of only spaces, an organisation the caller
    # does not belong to, a cursor we never gave), which is the documented answer.
    case.call_and_validate(headers=caller, excluded_checks=[positive_data_acceptance])
