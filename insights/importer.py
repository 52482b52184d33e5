"""Importing an old breach log (XLSX or CSV) into an organisation.

1. The file's columns are mapped to fields (the mapping is saved for the organisation).
2. A dry run reads every row and lists each one that would be rejected, and why.
3. The import creates one incident per good row, marked as imported from the file, with
   an event naming the file. Each row's fingerprint (its mapped values) is kept, unique per
   organisation, so importing the same file again creates nothing new.
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.log import record
from core import dates
from deadlines import store
from incidents.models import Incident, IncidentType
from organisations.models import Organisation

from .export import FORMULA_STARTS
from .models import ImportBatch, ImportedRow, ImportMapping

MAX_ROWS = 50_000
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


class Rejected(ValueError):
    pass


def _date(value: Any) -> datetime | None:
    moment = _parse_date(value)
    if moment is not None and not dates.is_plausible(moment):
        raise Rejected(f"“{value}” is not a plausible date. {dates.message()}")
    return moment


def _parse_date(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    text = str(value).strip().lstrip("'")
    for fmt in DATE_FORMATS:
        try:
            return timezone.make_aware(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise Rejected(f"“{text}” is not a date (use 2024-03-31 or 31/03/2024)")


def _number(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(float(str(value).strip().replace(",", "")))
    except ValueError:
        raise Rejected(f"“{value}” is not a whole number") from None
    if number < 0:
        raise Rejected(f"“{value}” is less than zero")
    return number


def _choice(choices: Any) -> Callable[[Any], str]:
    lookup = {}
    for value, label in choices:
        lookup[str(value).lower()] = value
        lookup[str(label).lower()] = value

    def parse(raw: Any) -> str:
        text = str(raw or "").strip().lstrip("'")
        if not text:
            return ""
        try:
            return lookup[text.lower()]
        except KeyError:
            raise Rejected(f"“{text}” is not one of: {', '.join(str(label) for _, label in choices)}") from None

    return parse


def _text(limit: int) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        text = "" if raw is None else str(raw).strip()
        if text.startswith("'") and len(text) > 1 and text[1] in FORMULA_STARTS:
            text = text[1:]  # undo the neutralising our own export adds
        if len(text) > limit:
            raise Rejected(f"longer than {limit} characters")
        return text

    return parse


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    parse: Callable[[Any], Any]
    required: bool = False


# The fields a column can map to. Labels match the monitoring log's export headings, so an
# export imports with no mapping at all.
FIELDS = [
    Field("original_reference", "Reference", _text(100)),
    Field("reported_on", "Reported", _date, required=True),
    Field("occurred_on", "Occurred", _date),
    Field("discovered_on", "Discovered", _date),
    Field("triaged_on", "Triaged", _date),
    Field("aware_on", "Aware", _date),
    Field("closed_on", "Closed", _date),
    Field("type", "Type", _text(150)),
    Field("severity", "Severity", _choice(Incident.Severity.choices)),
    Field("nature", "Nature", _choice(Incident.Nature.choices)),
    Field("breach_status", "Breach status", _choice(Incident.BreachStatus.choices)),
    Field("personal_data_breach", "Personal data breach", _choice(Incident.PersonalDataBreach.choices)),
    Field("people_affected", "People affected", _number),
    Field("records_affected", "Records affected", _number),
    Field("ico_decision", "ICO decision", _choice(Incident.IcoDecision.choices)),
    Field("ico_reported_on", "ICO reported", _date),
    Field("ico_reference", "ICO reference", _text(60)),
    Field("individuals_told_on", "Individuals told", _date),
    Field("status", "Status", _choice(Incident.Status.choices)),
    Field("description", "What happened", _text(10_000)),
]
FIELDS_BY_KEY = {f.key: f for f in FIELDS}


def read_table(content: bytes, file_name: str) -> tuple[list[str], Iterator[list[Any]]]:
    """The heading row and an iterator over the other rows of an XLSX or CSV file."""
    if content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headings = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        return headings, (list(r) for r in rows)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    reader = csv.reader(io.StringIO(text))
    headings = [h.strip() for h in next(reader, [])]
    return headings, reader


def default_mapping(organisation: Organisation, headings: list[str]) -> dict[str, str]:
    """The saved mapping where its columns are in this file; otherwise columns named like the fields."""
    saved = ImportMapping.objects.filter(organisation=organisation).values_list("columns", flat=True).first() or {}
    by_lower = {h.lower(): h for h in headings if h}
    mapping = {}
    for f in FIELDS:
        column = saved.get(f.key)
        if column in headings:
            mapping[f.key] = column
        elif f.label.lower() in by_lower:
            mapping[f.key] = by_lower[f.label.lower()]
    return mapping


def save_mapping(organisation: Organisation, mapping: dict[str, str], by: Any) -> None:
    ImportMapping.objects.update_or_create(
        organisation=organisation, defaults={"columns": {k: v for k, v in mapping.items() if v}, "updated_by": by}
    )


def types_for(organisation: Organisation) -> dict[str, IncidentType]:
    """Incident types an organisation may use, by lower-case name: built-in and its ancestors' own."""
    types = IncidentType.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id__in=organisation.ancestor_ids())
    ).order_by("organisation_id")
    return {t.name.lower(): t for t in types}


@dataclass
class Outcome:
    good: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)  # (row number, values, fingerprint)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)
    already: list[int] = field(default_factory=list)  # rows imported before (or repeated in the file)
    created: int = 0


def check(organisation: Organisation, content: bytes, file_name: str, mapping: dict[str, str]) -> Outcome:
    """The dry run: every row parsed and checked; nothing is written."""
    headings, rows = read_table(content, file_name)
    index = {h: i for i, h in enumerate(headings) if h}
    types = types_for(organisation)
    known = set(ImportedRow.objects.filter(organisation=organisation).values_list("fingerprint", flat=True))
    outcome = Outcome()
    seen: set[str] = set()
    for number, raw in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            outcome.rejected.append((number, [f"the file has more than {MAX_ROWS} rows; split it"]))
            break
        if not any(cell not in (None, "") for cell in raw):
            continue  # blank line
        values: dict[str, Any] = {}
        problems = []
        for f in FIELDS:
            column = mapping.get(f.key)
            cell = raw[index[column]] if column in index and index[column] < len(raw) else None
            try:
                values[f.key] = f.parse(cell)
            except Rejected as problem:
                problems.append(f"{f.label}: {problem}")
                continue
            if f.required and values[f.key] in (None, ""):
                problems.append(f"{f.label}: missing")
        type_name = values.get("type") or ""
        if type_name and type_name.lower() not in types:
            problems.append(f"Type: “{type_name}” is not an incident type of this organisation")
        if problems:
            outcome.rejected.append((number, problems))
            continue
        fingerprint = hashlib.sha256(json.dumps(values, default=str, sort_keys=True).encode()).hexdigest()
        if fingerprint in known or fingerprint in seen:
            outcome.already.append(number)
            continue
        seen.add(fingerprint)
        values["incident_type"] = types.get(type_name.lower()) if type_name else None
        outcome.good.append((number, values, fingerprint))
    return outcome


def run_import(batch: ImportBatch, mapping: dict[str, str], by: Any) -> Outcome:
    """Import the batch's good rows; rows already imported into the organisation are skipped."""
    organisation = batch.organisation
    content = bytes(batch.content)
    outcome = check(organisation, content, batch.file_name, mapping)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        known = set(ImportedRow.objects.filter(organisation=organisation).values_list("fingerprint", flat=True))
        for number, values, fingerprint in outcome.good:
            if fingerprint in known:
                outcome.already.append(number)
                continue
            _create(organisation, locked, number, values, fingerprint, by)
            outcome.created += 1
        locked.status = ImportBatch.Status.IMPORTED
        # The file held personal data; once imported it is not kept (its digest is).
        locked.content = b""
        locked.imported_count += outcome.created
        locked.skipped_count = len(outcome.already)
        locked.rejected_count = len(outcome.rejected)
        locked.save(update_fields=["status", "content", "imported_count", "skipped_count", "rejected_count"])
        record(
            organisation_id=organisation.pk,
            action="import.completed",
            actor=by,
            record=organisation,
            after={
                "file": batch.file_name,
                "sha256": batch.sha256,
                "imported": outcome.created,
                "already_imported": len(outcome.already),
                "rejected": len(outcome.rejected),
            },
        )
    return outcome


def _create(
    organisation: Organisation, batch: ImportBatch, number: int, values: dict[str, Any], fingerprint: str, by: Any
) -> Incident:
    reported_on = values["reported_on"]
    status = values["status"] or (Incident.Status.CLOSED if values["closed_on"] else Incident.Status.REPORTED)
    original = values["original_reference"]
    description = values["description"] or (
        f"Imported from {batch.file_name}, row {number}" + (f" (reference {original} there)." if original else ".")
    )
    incident = Incident.objects.create(
        organisation=organisation,
        status=status,
        description=description,
        reported_on=reported_on,
        occurred_on=values["occurred_on"],
        discovered_on=values["discovered_on"],
        triaged_on=values["triaged_on"],
        aware_on=values["aware_on"],
        closed_on=values["closed_on"],
        incident_type=values["incident_type"],
        severity=values["severity"],
        nature=values["nature"],
        breach_status=values["breach_status"],
        personal_data_breach=values["personal_data_breach"],
        people_affected=values["people_affected"],
        records_affected=values["records_affected"],
        ico_decision=values["ico_decision"],
        ico_reported_on=values["ico_reported_on"],
        ico_reference=values["ico_reference"],
        individuals_told_on=values["individuals_told_on"],
        imported_from=batch.file_name,
    )
    incident.reference = Incident.make_reference(incident.pk, timezone.localtime(reported_on).year)
    Incident.objects.filter(pk=incident.pk).update(reference=incident.reference)
    ImportedRow.objects.create(
        organisation=organisation, fingerprint=fingerprint, incident=incident, batch=batch, row_number=number
    )
    record(
        organisation_id=organisation.pk,
        action="incident.imported",
        actor=by,
        record=incident,
        after={"file": batch.file_name, "row": number, "original_reference": original, "reference": incident.reference},
    )
    # Its deadlines as the product works them out (a closed one's, as at its closing).
    store.refresh_incidents([incident.pk], include_closed=True)
    return incident
