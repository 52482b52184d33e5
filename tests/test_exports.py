"""The monitoring log's exports at scale (issue 20): a fixed number of queries however many rows and
organisations, streamed from the first byte, the XLSX read back cell for cell, formulas neutralised."""

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from anonymous.models import PublicReportPage
from incidents.models import Incident, IncidentType
from insights import export
from insights.sample import generate
from lib import clock, xlsx
from organisations.models import Organisation

from .conftest import Cast
from .factories import OrganisationFactory, set_fields

# A whole minute, so every generated time (minutes, hours and days from it) survives the
# spreadsheet's millisecond precision and the CSV's minutes alike.
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=timezone.get_default_timezone())
# The rows query is the only one that selects the policy points broken.
ROWS_QUERY = '"policy_points"'


def _world(cast: Cast, schools: int, incidents: int, seed: int) -> list[Organisation]:
    """`incidents` more incidents over `schools` new schools under the county, every fifth anonymous."""
    made: list[Organisation] = [OrganisationFactory(parent=cast.county) for _ in range(schools)]
    types = [IncidentType.objects.get_or_create(organisation=None, name=f"Type {seed}-{i}")[0] for i in range(3)]
    generate(made, [*types, None], incidents, now=NOW, seed=seed)
    Incident.objects.filter(organisation__in=made, reference__regex=r"[05]$").update(reporter_anonymous=True)
    return made


def _body(client: Any, fmt: str) -> bytes:
    response = client.get(reverse(f"insights:export_{fmt}"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _queries(client: Any, fmt: str) -> int:
    with CaptureQueriesContext(connection) as context:
        _body(client, fmt)
    return len(context)


def test_the_exports_cost_the_same_queries_for_ten_times_the_rows_and_four_times_the_schools(
    client, cast: Cast, time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    _world(cast, schools=2, incidents=40, seed=1)
    client.force_login(cast.carol)
    for fmt in ("csv", "xlsx"):  # warm: the session, the county's event chain
        _queries(client, fmt)
    small = {fmt: _queries(client, fmt) for fmt in ("csv", "xlsx")}
    # Anonymous reports in eight schools, one showing exact times: each one's precision is not a query.
    schools = _world(cast, schools=6, incidents=400, seed=2)
    PublicReportPage.objects.create(organisation=schools[0], exact_times=True)
    large = {fmt: _queries(client, fmt) for fmt in ("csv", "xlsx")}
    assert Incident.objects.count() == 440
    assert small == large


def test_an_anonymous_report_s_times_are_exact_only_where_its_school_chose_so(client, cast: Cast, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    exact, day = _world(cast, schools=2, incidents=20, seed=3)
    PublicReportPage.objects.create(organisation=exact, exact_times=True)
    PublicReportPage.objects.create(organisation=day, exact_times=False)
    client.force_login(cast.carol)
    rows = list(csv.DictReader(io.StringIO(_body(client, "csv").decode("utf-8-sig"))))
    organisations = {exact.name: True, day.name: False}
    anonymous = set(Incident.objects.filter(reporter_anonymous=True).values_list("reference", flat=True))
    seen = set()
    for row in rows:
        if row["Reference"] in anonymous:
            seen.add(organisations[row["Organisation"]])
            assert len(row["Reported"]) == (16 if organisations[row["Organisation"]] else 10), row
        else:
            assert len(row["Reported"]) == 16, row
    assert seen == {True, False}


def _as_csv(cell: Any) -> str:
    """A cell read back from the workbook, written as the CSV writes it."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        if cell.number_format == xlsx.DATE_FORMAT:  # an anonymous report's time kept to the day
            return value.date().isoformat()
        return clock.export(value, clock.Precision.EXACT)
    return str(value)


def test_the_xlsx_reads_back_in_openpyxl_cell_for_cell_as_the_csv(client, cast: Cast, time_machine) -> None:
    time_machine.move_to(NOW, tick=False)
    _world(cast, schools=3, incidents=90, seed=4)
    set_fields(Incident.objects.filter(reference__endswith="7"), ico_reference="=SUM(A1)", description="x")
    # Marked as a disposal marks it (retention/disposal.py), so the log's two disposal columns are filled.
    Incident.objects.filter(reference__endswith="3").update(disposed_on=NOW, disposal_rule="incident: 6 years")
    client.force_login(cast.carol)
    lines = list(csv.reader(io.StringIO(_body(client, "csv").decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(_body(client, "xlsx"))).worksheets[0]
    cells = [[_as_csv(cell) for cell in row] for row in sheet.iter_rows()]
    assert len(cells) == len(lines) == 91
    assert cells == lines
    kinds = {c.label: c.kind for c in export.log.COLUMNS}
    filled = 0
    for index, label in enumerate(lines[0]):  # times are real dates, numbers are numbers
        values = [row[index].value for row in sheet.iter_rows(min_row=2) if row[index].value is not None]
        filled += bool(values)
        if kinds[label] == "datetime":
            assert all(isinstance(v, datetime) for v in values), label
        elif kinds[label] == "number":
            assert all(isinstance(v, int) for v in values), label
        else:
            assert all(isinstance(v, str) for v in values), label
    assert filled == len(lines[0]) - 1  # every column but the policy points broken (none here)


@pytest.mark.parametrize("dangerous", ["=cmd|' /C calc'!A0", "+1", "-1+1", "@SUM(A1)"])
def test_joined_names_starting_like_a_formula_are_neutralised_in_both_formats(
    client, cast: Cast, dangerous: str
) -> None:
    cast.school_a.name = dangerous
    cast.school_a.save()
    kind = IncidentType.objects.create(organisation=None, name=dangerous)
    Incident.objects.create(
        organisation=cast.school_a, incident_type=kind, description="x", reported_on=timezone.now(), reference="R1"
    )
    client.force_login(cast.carol)
    (row,) = csv.DictReader(io.StringIO(_body(client, "csv").decode("utf-8-sig")))
    assert row["Organisation"] == row["Type"] == "'" + dangerous
    sheet = load_workbook(io.BytesIO(_body(client, "xlsx")), read_only=True).worksheets[0]
    heading, values = list(sheet.iter_rows(values_only=True))
    found = dict(zip(heading, values, strict=True))
    assert found["Organisation"] == found["Type"] == "'" + dangerous


@pytest.mark.parametrize(("fmt", "start"), [("csv", "\ufeffReference,".encode()), ("xlsx", b"PK\x03\x04")])
def test_the_first_chunk_leaves_before_the_rows_are_read(client, cast: Cast, fmt: str, start: bytes) -> None:
    generate([cast.school_a], [None], 30, now=timezone.now())
    client.force_login(cast.carol)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"insights:export_{fmt}"))
        assert response.streaming
        chunks = iter(response.streaming_content)
        first = next(chunks)
        assert first.startswith(start)
        assert not any(ROWS_QUERY in q["sql"] for q in queries.captured_queries)
        asked = len(queries)
        rest = b"".join(chunks)
    assert any(ROWS_QUERY in q["sql"] for q in queries.captured_queries[asked:])
    assert len(first + rest) > 2000


def test_a_workbook_past_a_sheet_s_rows_goes_on_to_a_further_sheet(monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)  # a sheet of the heading and three rows
    rows = [[f"r{n}", n, date(2026, 12, n + 1)] for n in range(7)]
    body = b"".join(xlsx.workbook("People: staff/all", ["Name", "N", "Day"], rows, auto_filter=True))
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["People  staff all (1)", "People  staff all (2)", "People  staff all (3)"]
    read = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    assert [len(sheet) for sheet in read] == [4, 4, 2]
    assert all(sheet[0] == ("Name", "N", "Day") for sheet in read)
    assert [row[0] for sheet in read for row in sheet[1:]] == [f"r{n}" for n in range(7)]
    assert read[2][1][2] == datetime(2026, 12, 7)
    assert [sheet.auto_filter.ref for sheet in book.worksheets] == ["A1:C4", "A1:C4", "A1:C2"]


def test_a_workbook_keeps_what_xml_can_hold_and_drops_what_it_cannot() -> None:
    texts = ["a & b < c > d", " padded ", "line\r\nbreak", "bell\x07", "tab\there", "£ – ✓ 😀"]
    body = b"".join(xlsx.workbook("Text", ["Text"], [[text] for text in texts]))
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "a & b < c > d",
        " padded ",
        "line\r\nbreak",
        "bell",
        "tab\there",
        "£ – ✓ 😀",
    ]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
