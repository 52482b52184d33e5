"""The monitoring log as CSV, XLSX or JSON lines, streamed so memory stays flat however many rows.

X
write-only workbook, which keeps rows in a temporary file rather than in memory, then
sent in chunks. Text that a spreadsheet would run as a formula (starting = + - @, tab or
carriage return) is neutralised with a leading apostrophe, in every format: a program that
reads the JSON lines may well hand them to a spreadsheet.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from lib import clock, xlsx

from . import log

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START_SET = frozenset(FORMULA_STARTS)  # a cell's first character looked up (no text: "", not in it)
# Column widths in characters, by kind of column: wide enough for the header and a typical value.
WIDTHS = {"datetime": 18, "number": 12, "flag": 14}
WIDE = {"organisation": 32, "type": 26}
CHUNK = 64 * 1024


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will run: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value[:1] in _FORMULA_START_SET:
        return "'" + value
    return value


def _time(value: Any) -> str:
    # A local datetime, or a date at an anonymous report's DAY precision.
    return "" if value is None else clock.export(value, clock.Precision.EXACT)


def _yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def _as_is(value: Any) -> Any:
    return value  # a number or None, which csv writes as it is and as nothing


# How a cell of each kind of column is written in the CSV.
CSV_CELLS = {"text": neutralise, "number": _as_is, "flag": _yes_no, "datetime": _time}


def header() -> list[str]:
    return [column.label for column in log.COLUMNS]


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def table_csv_chunks(heading: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """Any table as a CSV file; cells go out as given (neutralise them first). The heading goes
    at once, before the first row is read; then lines in pieces of about CHUNK characters (a
    write to the network for each line would cost more than the line)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(heading)  # the mark: spreadsheet programs read the file as UTF-8
    lines: list[str] = []
    size = 0
    for row in rows:
        line = writer.writerow(row)
        lines.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(lines)
            lines, size = [], 0
    if lines:
        yield "".join(lines)


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    plan = [(column.key, CSV_CELLS[column.kind]) for column in log.COLUMNS]
    return table_csv_chunks(header(), ([cell(row[key]) for key, cell in plan] for row in rows))


def _json(value: Any, kind: str) -> Any:
    if kind == "flag":
        return bool(value)
    if isinstance(value, date):  # a local datetime, or a date at an anonymous report's DAY precision
        return value.isoformat()
    return neutralise(value)


def jsonl_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object a line, keyed by the columns' keys (and the incident's uuid): numbers as
    numbers, flags as true or false, times in ISO 8601 as local time (a date alone at an
    anonymous report's DAY precision), text neutralised as in the spreadsheet."""
    for row in rows:
        line = {"uuid": str(row["uuid"])} | {c.key: _json(row[c.key], c.kind) for c in log.COLUMNS}
        yield json.dumps(line, ensure_ascii=False) + "\n"


def _width(column: log.Column) -> int:
    return WIDE.get(column.key) or WIDTHS.get(column.kind) or max(len(column.label) + 4, 16)


def xlsx_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The log as a workbook a person can use at once: a bold header row that stays in view,
    columns wide enough to read, a filter on every column, and times as real date cells. Streamed
    (lib/xlsx.py): its first bytes leave before the first row is read."""
    kinds = [(column.key, column.kind) for column in log.COLUMNS]

    def cells(row: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        for key, kind in kinds:
            value = row[key]
            if kind == "flag":
                out.append("Yes" if value else "No")
            elif kind == "datetime":  # a naive local datetime, or a date at an anonymous report's DAY precision
                out.append(value)
            else:
                out.append(neutralise(value))
        return out

    return xlsx.workbook(
        "Monitoring log",
        header(),
        (cells(row) for row in rows),
        widths=[_width(column) for column in log.COLUMNS],
        auto_filter=True,
    )


# Each format: how its chunks are written, and its content type.
FORMATS = {
    "csv": (csv_chunks, "text/csv; charset=utf-8"),
    "xlsx": (xlsx_chunks, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jsonl": (jsonl_chunks, "application/jsonl; charset=utf-8"),
}
