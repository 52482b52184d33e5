"""A spreadsheet (XLSX) written as it is sent: the first bytes go out before the first row is read.

openpyxl's write-only workbook keeps every row in a temporary file and zips the whole at the
end, so a download of a million rows waits minutes for its first byte and the disk holds the
sheet twice. Here the sheet's XML is made row by row and deflated straight into the ZIP
stream; only the small parts whose content depends on the rows (how many sheets, the filter's
range) come after it, which a ZIP allows because its directory is at the end.

Cells by Python type: text as inline strings (no shared-strings table to hold in memory), int
and float as numbers, datetime and date as real date cells (naive: local time, as given),
None as an empty cell. Text goes out as given: a caller whose text may start like a formula
neutralises it first (`insights.export.neutralise`). A sheet holds at most `MAX_ROWS` rows, the
most a spreadsheet program opens; beyond that the rows continue on a further sheet under the
same heading.

The ZIP is the layout Excel accepts from a stream (no sizes before the data; a data
descriptor after it; version 4.5 so an entry may pass 4 GiB; ZIP64 records only where a size
or offset needs them).
"""

import re
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

MAX_ROWS = 1_048_576  # a sheet's rows, the heading included (Excel, LibreOffice)
CHUNK = 64 * 1024
# zlib's fastest setting: the sheet is plain XML, so it still shrinks about ten times, at
# several times the speed of the default, which would make deflating the slowest step.
LEVEL = 1
EPOCH = datetime(1899, 12, 30)  # day 0 of a spreadsheet's date serial numbers
DAY_SECONDS = 86400.0
# Style indexes in styles.xml: the heading in bold, times, dates.
BOLD, DATE_TIME, DATE = 1, 2, 3
DATE_TIME_FORMAT = "d mmm yyyy hh:mm"
DATE_FORMAT = "d mmm yyyy"
# What XML 1.0 cannot hold is dropped; & < > escaped; a carriage return kept as a reference
# (a parser reads a bare one as a line feed).
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def escape(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(lambda m: _ESCAPES.get(m.group(), ""), text)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _cell(ref: str, value: Any) -> str:
    if value.__class__ is str:  # most cells: the quickest test first
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>' if value else ""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_cell(ref, value) if value else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - EPOCH).total_seconds() / DAY_SECONDS
        return f'<c r="{ref}" s="{DATE_TIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE}"><v>{(value - EPOCH.date()).days}</v></c>'
    return _text_cell(ref, str(value))


def _sheet_head(widths: Sequence[float | None], freeze_header: bool) -> str:
    view = '<sheetView workbookViewId="0"/>'
    if freeze_header:
        view = (
            '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
        )
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(widths, start=1)
        if width
    )
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews>{view}</sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'
    )


def _sheet(
    heading: Sequence[str],
    rows: Iterator[Sequence[Any]],
    widths: Sequence[float | None],
    freeze_header: bool,
    auto_filter: bool,
    sheet_rows: list[int],
) -> Iterator[str]:
    """One sheet's XML in pieces of about CHUNK characters; its row count (heading included) is
    appended to `sheet_rows` before the last piece."""
    letters = [column_letter(i) for i in range(1, len(heading) + 1)]
    parts = [
        _sheet_head(widths, freeze_header),
        '<row r="1">',
        *(_text_cell(f"{letter}1", label, BOLD) for letter, label in zip(letters, heading, strict=True)),
        "</row>",
    ]
    size = 0
    number = 1
    for row in rows:
        number += 1
        n = str(number)
        cells = "".join([_cell(letter + n, v) for letter, v in zip(letters, row, strict=True)])
        line = f'<row r="{n}">{cells}</row>'
        parts.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(parts)
            parts, size = [], 0
        if number == MAX_ROWS:
            break
    parts.append("</sheetData>")
    if auto_filter:
        parts.append(f'<autoFilter ref="A1:{letters[-1]}{number}"/>')
    parts.append("</worksheet>")
    sheet_rows.append(number)
    yield "".join(parts)


def workbook(
    title: str,
    heading: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[float | None] = (),
    freeze_header: bool = True,
    auto_filter: bool = False,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """The workbook's bytes: a sheet named `title` with `heading` in bold, then `rows`
    (cells as the module docstring says), columns `widths` characters wide (None: the
    program's own), the heading kept in view and a filter on every column if asked."""
    archive = _Zip(now or datetime.now())
    source = iter(rows)
    sheet_rows: list[int] = []
    while True:
        number = len(sheet_rows) + 1
        yield from archive.entry(
            f"xl/worksheets/sheet{number}.xml",
            _sheet(heading, source, widths, freeze_header, auto_filter, sheet_rows),
        )
        if sheet_rows[-1] < MAX_ROWS:
            break
        peek = next(source, None)  # a full sheet: go on only if a row is left
        if peek is None:
            break
        source = _chain(peek, source)
    titles = [_sheet_title(title, i, len(sheet_rows)) for i in range(1, len(sheet_rows) + 1)]
    filters = [f"A1:{column_letter(len(heading))}{count}" for count in sheet_rows] if auto_filter else []
    for name, content in _parts(titles, filters):
        yield from archive.entry(name, iter([content]))
    yield archive.directory()


def _chain(first: Sequence[Any], rest: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    yield first
    yield from rest


def _sheet_title(title: str, number: int, count: int) -> str:
    # A sheet's name: at most 31 characters, none of []:*?/\.
    clean = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    if count == 1:
        return clean
    suffix = f" ({number})"
    return clean[: 31 - len(suffix)] + suffix


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _parts(titles: list[str], filters: list[str]) -> Iterator[tuple[str, str]]:
    """The parts around the sheets: what each part is, how they link, the workbook and its styles."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, len(titles) + 1)
    )
    yield (
        "[Content_Types].xml",
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>",
    )
    yield (
        "_rels/.rels",
        f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    sheet_links = "".join(
        f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(titles) + 1)
    )
    yield (
        "xl/_rels/workbook.xml.rels",
        f'{XML_HEAD}<Relationships xmlns="{PACKAGE_RELS}">{sheet_links}'
        f'<Relationship Id="rId{len(titles) + 1}" Type="{RELS}/styles" Target="styles.xml"/></Relationships>',
    )
    sheets = "".join(f'<sheet name="{escape(t)}" sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(titles, start=1))
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(titles[i]))}!{_absolute(ref)}</definedName>"
        for i, ref in enumerate(filters)
    )
    yield (
        "xl/workbook.xml",
        f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/></bookViews>'
        f"<sheets>{sheets}</sheets>{f'<definedNames>{names}</definedNames>' if names else ''}</workbook>",
    )
    yield (
        "xl/styles.xml",
        f'{XML_HEAD}<styleSheet xmlns="{MAIN}">'
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_TIME_FORMAT}"/>'
        f'<numFmt numFmtId="165" formatCode="{DATE_FORMAT}"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
    )


def _absolute(ref: str) -> str:
    """A1:AB10 -> $A$1:$AB$10"""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", end) for end in ref.split(":"))


class _Zip:
    """A ZIP archive written front to back: each entry's local header, its deflated data and a
    data descriptor, then the central directory. Nothing is ever sought back to."""

    VERSION = 45  # 4.5: ZIP64 allowed (Excel wants it in the header of an entry past 4 GiB)
    DESCRIPTOR_FLAG = 0x08
    DEFLATE = 8
    FULL = 0xFFFFFFFF

    def __init__(self, now: datetime) -> None:
        self.offset = 0
        self.entries: list[tuple[bytes, int, int, int, int]] = []  # name, crc, compressed, size, offset
        self.time = (now.hour << 11) | (now.minute << 5) | (now.second // 2)
        self.date = (max(now.year, 1980) - 1980) << 9 | (now.month << 5) | now.day

    def _out(self, data: bytes) -> bytes:
        self.offset += len(data)
        return data

    def entry(self, name: str, pieces: Iterable[str]) -> Iterator[bytes]:
        encoded = name.encode("ascii")
        start = self.offset
        yield self._out(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                self.VERSION,
                self.DESCRIPTOR_FLAG,
                self.DEFLATE,
                self.time,
                self.date,
                0,
                0,
                0,
                len(encoded),
                0,
            )
            + encoded
        )
        deflater = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        crc = size = compressed = 0
        pending: list[bytes] = []
        pending_size = 0
        for piece in pieces:
            data = piece.encode("utf-8", "replace")
            crc = zlib.crc32(data, crc)
            size += len(data)
            out = deflater.compress(data)
            if out:
                pending.append(out)
                pending_size += len(out)
                if pending_size >= CHUNK:
                    block = b"".join(pending)
                    compressed += len(block)
                    yield self._out(block)
                    pending, pending_size = [], 0
        pending.append(deflater.flush())
        block = b"".join(pending)
        compressed += len(block)
        large = size >= self.FULL or compressed >= self.FULL
        descriptor = struct.pack("<IIQQ" if large else "<IIII", 0x08074B50, crc, compressed, size)
        yield self._out(block + descriptor)
        self.entries.append((encoded, crc, compressed, size, start))

    def directory(self) -> bytes:
        start = self.offset
        headers = []
        for name, crc, compressed, size, offset in self.entries:
            extra = b""
            fields = []
            if size >= self.FULL:
                fields.append(size)
            if compressed >= self.FULL:
                fields.append(compressed)
            if offset >= self.FULL:
                fields.append(offset)
            if fields:
                extra = struct.pack("<HH", 0x0001, 8 * len(fields)) + struct.pack(f"<{len(fields)}Q", *fields)
            headers.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    self.VERSION,
                    self.VERSION,
                    self.DESCRIPTOR_FLAG,
                    self.DEFLATE,
                    self.time,
                    self.date,
                    crc,
                    min(compressed, self.FULL),
                    min(size, self.FULL),
                    len(name),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    min(offset, self.FULL),
                )
                + name
                + extra
            )
        central = b"".join(headers)
        count = len(self.entries)
        tail = b""
        if start >= self.FULL or len(central) >= self.FULL:
            end64 = start + len(central)
            tail = struct.pack(
                "<IQHHIIQQQQ", 0x06064B50, 44, self.VERSION, self.VERSION, 0, 0, count, count, len(central), start
            ) + struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
        tail += struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, count, count, min(len(central), self.FULL), min(start, self.FULL), 0
        )
        return self._out(central + tail)
