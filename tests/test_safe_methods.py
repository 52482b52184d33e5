"""GET never changes anything: every URL of ours, fetched with GET by every role, leaves every
row of every table as it was.

Links are followed by prefetchers, previews in email and chat, and people's browsers; a GET
that changes state can be triggered by anyone who gets a person to open a link. The one
writes a GET makes on purpose are the records of who read or downloaded personal data (an
incident page viewed, a document, evidence file, case file, log export or governor pack
downloaded), appended to the event chain (docs/record.md); sessions are not data.
"""

from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection

from audit.models import ChainHead, Event

from .test_permission_matrix import EXPECTED, ROLES, url_for, world  # noqa: F401 (world is a fixture)

# What a GET may write: the access records and the chain head they move.
ACCESS_RECORD_ACTIONS = {
    "incident.viewed",
    "incident.case_file_downloaded",
    "breach.document_generated",
    "evidence.downloaded",
    "log.exported",
    "pack.produced",
    "outcome.pdf_downloaded",
}
NOT_DATA = {Session}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model (but sessions), as plain values, in primary-key order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        if model in NOT_DATA or model._meta.proxy or not model._meta.managed:
            continue
        queryset = model._base_manager.order_by("pk")
        if model is Event:
            queryset = queryset.exclude(action__in=ACCESS_RECORD_ACTIONS)
        if model is ChainHead:
            continue  # moved by the access record; the events themselves are compared above
        rows[model._meta.label] = list(queryset.values_list())
    return rows


def changed(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    return [label for label in before if before[label] != after[label]]


class Writes:
    """Counts the statements that write (INSERT, UPDATE, DELETE, REPLACE) made through the
    connection while installed with connection.execute_wrapper()."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            self.count += 1
        return execute(sql, params, many, context)


@pytest.mark.asvs("V3.5.3")
@pytest.mark.parametrize("role", ROLES)
def test_no_get_changes_any_row(client, world: dict, role: str) -> None:  # noqa: F811
    """Every row is compared after each GET that wrote anything (an access record, a session,
    or a defect) and once more after the last GET, for a write the count did not see; reading
    every table after every GET took three minutes of CI on PostgreSQL."""
    if role != "anonymous":
        client.force_login(world["people"][role])
    before = snapshot()
    fetched = compared = 0
    writes = Writes()
    for name in sorted(EXPECTED):
        url = url_for(name, world["kwargs"])
        written = writes.count
        with connection.execute_wrapper(writes):
            response = client.get(url)
        assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
        fetched += 1
        if writes.count > written:
            compared += 1
            after = snapshot()
            assert not changed(before, after), f"GET {url} as {role} changed {changed(before, after)}"
    after = snapshot()
    assert not changed(before, after), f"A GET as {role} changed {changed(before, after)}"
    assert fetched == len(EXPECTED)
    if role == "handler":  # the count sees writes: the incident page records the handler's view
        assert compared > 0
