"""Reading a CSV or XLSX file of rows by column name, and writing one back safely.

Columns are matched by their heading (case and spacing ignored, a few other names allowed),
so a county's own spreadsheet works as long as it has the columns we need. Rows come one
at a time; nothing holds the whole file as rows.
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any

from insights.export import neutralise, table_csv_chunks
from insights.importer import read_table
from lib import xlsx


def heading_key(heading: str) -> str:
    return re.sub(r"[^a-z]+", " ", heading.lower()).strip()


def read_rows(
    content: bytes, file_name: str, aliases: dict[str, set[str]]
) -> tuple[set[str], Iterator[tuple[int, dict[str, str]]]]:
    """The columns found (our keys) and (row number as a spreadsheet shows it, {key: text}) per row.

    Rows with nothing in them are skipped. Numbers from a spreadsheet (a URN) come back as
    their digits, never "123456.0".
    """
    headings, rows = read_table(content, file_name)
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = heading_key(heading)
        for name, names in aliases.items():
            if key in names and name not in positions:
                positions[name] = index

    def cells() -> Iterator[tuple[int, dict[str, str]]]:
        for number, row in enumerate(rows, start=2):
            values = {name: _text(row[i] if i < len(row) else None) for name, i in positions.items()}
            if any(values.values()):
                yield number, values

    return set(positions), cells()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cells(row: list[Any]) -> list[str]:
    return ["" if v is None else neutralise(str(v)) for v in row]


def csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """A CSV file, a line at a time; cells a spreadsheet would run as a formula are neutralised."""
    return table_csv_chunks(header, (_cells(row) for row in rows))


def xlsx_chunks(title: str, header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """A workbook streamed as it is written (lib/xlsx.py), its heading in bold and kept in view."""
    return xlsx.workbook(title, header, (_cells(row) for row in rows))
