"""The monitoring log through the API: the web log's scope, filters, rows and neutralisation."""

import csv
import io
import json

from openpyxl import load_workbook

from audit.models import Event
from insights import log

from .api_helpers import bearer, token_for
from .factories import reported_incident


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_the_three_formats_carry_the_same_rows_neutralised_and_each_export_is_on_the_record(client, cast) -> None:
    reported_incident(cast.school_a, cast.bob, location='=HYPERLINK("http://example.org")')
    reported_incident(cast.school_b, cast.bob)
    headers = bearer(token_for(cast.carol))

    lines = client.get("/api/v1/log.jsonl", **headers)
    assert lines.status_code == 200
    assert lines["Content-Type"].startswith("application/jsonl")
    rows = [json.loads(line) for line in body(lines).decode().splitlines()]
    assert len(rows) == 2
    assert set(rows[0]) == {"uuid"} | {column.key for column in log.COLUMNS}
    assert {row["organisation"] for row in rows} == {"School A", "School B"}

    text = body(client.get("/api/v1/log.csv", **headers)).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [column.label for column in log.COLUMNS]
    assert [row[0] for row in table[1:]] == [row["reference"] for row in rows]

    workbook = load_workbook(io.BytesIO(body(client.get("/api/v1/log.xlsx", **headers))), read_only=True)
    sheet = workbook["Monitoring log"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [row["reference"] for row in rows]
    assert list(
        Event.objects.filter(action="log.exported", actor=cast.carol).values_list("after__format", flat=True)
    ) == [
        "jsonl",
        "csv",
        "xlsx",
    ]


def test_text_that_a_spreadsheet_would_run_is_neutralised_in_every_format(client, cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    incident.ico_reference = "=cmd|' /C calc'!A0"
    incident.save(update_fields=["ico_reference"])
    headers = bearer(token_for(cast.alice))
    row = json.loads(body(client.get("/api/v1/log.jsonl", **headers)).decode())
    assert row["ico_reference"] == "'=cmd|' /C calc'!A0"
    assert "'=cmd|' /C calc'!A0" in body(client.get("/api/v1/log.csv", **headers)).decode("utf-8-sig")


def test_the_web_logs_filters_apply_and_invalid_ones_are_422(client, cast) -> None:
    reported_incident(cast.school_a, cast.bob)
    headers = bearer(token_for(cast.carol))
    school_a = client.get(f"/api/v1/log.jsonl?organisation={cast.school_a.uuid}", **headers)
    assert [json.loads(line)["organisation"] for line in body(school_a).decode().splitlines()] == ["School A"]
    assert body(client.get("/api/v1/log.jsonl?status=closed_any", **headers)) == b""
    invalid = client.get("/api/v1/log.jsonl?severity=enormous&month=2026-13", **headers)
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"severity", "month"}


def test_the_log_is_for_handlers_in_scope_and_the_read_scope(client, cast, people) -> None:
    reported_incident(cast.school_a, cast.bob)
    dave = client.get("/api/v1/log.jsonl", **bearer(token_for(cast.dave)))
    assert dave.status_code == 200
    assert body(dave) == b""  # school B's log: nothing of school A
    other_scope = client.get(f"/api/v1/log.jsonl?scope={cast.school_a.uuid}", **bearer(token_for(cast.dave)))
    assert other_scope.status_code == 404
    assert client.get("/api/v1/log.csv", **bearer(token_for(cast.bob))).status_code == 404
    assert client.get("/api/v1/log.csv", **bearer(token_for(people.governor))).status_code == 404
    assert client.get("/api/v1/log.csv", **bearer(token_for(cast.alice, ["handle"]))).status_code == 403
    exported_by = set(Event.objects.filter(action="log.exported").values_list("actor_id", flat=True))
    assert exported_by == {cast.dave.pk}
