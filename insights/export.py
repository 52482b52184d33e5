"""The monitoring log as CSV or XLSX, streamed so memory stays flat however many rows.

CSV goes out row by row as the database hands rows over. XLSX is written by openpyxl's
write-only workbook, which keeps rows in a temporary file rather than in memory, then
sent in chunks. Text that a spreadsheet would run as a formula (starting = + - @, tab or
carriage return) is neutralised with a leading apostrophe.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from openpyxl import Workbook

from lib import clock

from . import log

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will run: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "flag":
        return "Yes" if value else "No"
    if isinstance(value, date):  # a datetime, or a date at an anonymous report's DAY precision
        return clock.export(value, clock.Precision.EXACT)
    return str(neutralise(value))


def header() -> list[str]:
    return [column.label for column in log.COLUMNS]


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow(header())
    for row in rows:
        yield writer.writerow([_text(row[c.key], c.kind) for c in log.COLUMNS])


def xlsx_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Monitoring log")
    sheet.append(header())
    for row in rows:
        cells = []
        for column in log.COLUMNS:
            value = row[column.key]
            if column.kind == "flag":
                value = "Yes" if value else "No"
            # Datetimes go in as they are: openpyxl gives them a date format (a styled
            # cell per value would cost a third more time on a large log).
            cells.append(neutralise(value))
        sheet.append(cells)
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk
