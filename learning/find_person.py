"""Find a person: where a name, an email address or an identifier stands in every incident the
searcher may open, and the subject access bundle made from it (docs/find-a-person.md).

The index finds the places (`places.PLACES`, through `search.entries`, so visibility is
`Incident.objects.visible_to`'s, outside help included); each place's text is then read from its
row and cut into the words searched for, those marked for redaction and the rest
(`search.marks`). Every search and every export is an event on the searcher's organisation's
chain; the words searched for name a person, so the event keeps them only as blind words.
"""

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

from audit.log import record
from evidence.models import Evidence
from evidence.services import name_for_type, read_evidence, record_download
from incidents.models import Correction, Incident, InternalNote, OutcomeReport, ReporterMessage
from lib import clock, pdf
from organisations.models import Membership
from organisations.powers import FIND_A_PERSON_ROLES

from . import places, search
from .models import SearchEntry

Kind = SearchEntry.Kind
TEMPLATE = Path(__file__).resolve().parent / "templates" / "learning" / "find_person.typ"
# Most places listed (and bundled) for one search; more and the page says to narrow it.
LIMIT = 300


@dataclass
class Place:
    """One place a person is named: the incident, which part of it, and the parts that match."""

    incident: Incident
    kind: str
    key: int
    where: str  # "reporter message of 3 May 2026"
    href: str
    parts: list[tuple[str, list[tuple[str, str]]]]  # (what it is, its text cut into marked pieces)
    evidence: Evidence | None = None


@dataclass
class Found:
    query: str
    places: list[Place] = field(default_factory=list)
    capped: bool = False  # more places than LIMIT, or than the search ranks

    @property
    def references(self) -> list[str]:
        return sorted({place.incident.reference or "" for place in self.places})


def find(user: Any, text: str) -> Found:
    """Every place `user` may open where `text` stands, newest incident first."""
    terms = search.query_terms(text)
    found = Found(query=text)
    if not terms:
        return found
    entries = list(
        search.entries(user, text, kinds=places.PLACES)
        .order_by("-incident_id", "kind", "key")
        .values_list("kind", "key", "incident_id")[: LIMIT + 1]
    )
    found.capped = len(entries) > LIMIT or search.more_than_ranked(user, text, kinds=places.PLACES)
    entries = entries[:LIMIT]
    # The incidents read again through the one rule: an entry is never shown for more than its incident.
    incidents = Incident.objects.visible_to(user).select_related("reported_by").in_bulk({e[2] for e in entries})
    rows = _rows(entries)
    seen_report: set[int] = set()
    for kind, key, incident_id in entries:
        incident = incidents.get(incident_id)
        row = rows.get((kind, key))
        if incident is None or (kind not in (Kind.INCIDENT, Kind.PEOPLE, Kind.REPORTER, Kind.BREACH) and row is None):
            continue
        if kind in (Kind.INCIDENT, Kind.PEOPLE):  # one place, "the report", for both entries
            if incident_id in seen_report:
                continue
            seen_report.add(incident_id)
        place = _place(user, incident, kind, key, row, terms)
        if place is not None:
            found.places.append(place)
    return found


def _rows(entries: list[tuple[str, int, int]]) -> dict[tuple[str, int], Any]:
    """Each child place's row, one query per kind."""
    models: dict[str, Any] = {
        Kind.MESSAGE: ReporterMessage,
        Kind.NOTE: InternalNote,
        Kind.EVIDENCE: Evidence,
        Kind.CORRECTION: Correction,
        Kind.OUTCOME: OutcomeReport,
    }
    rows: dict[tuple[str, int], Any] = {}
    for kind, model in models.items():
        keys = [key for k, key, _ in entries if k == kind]
        if keys:
            rows |= {(kind, pk): row for pk, row in model._default_manager.in_bulk(keys).items()}
    return rows


def _day(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _place(user: Any, incident: Incident, kind: str, key: int, row: Any, terms: list[str]) -> Place | None:
    detail = reverse("incidents:detail", args=[incident.uuid])
    evidence = None
    if kind in (Kind.INCIDENT, Kind.PEOPLE):
        where, parts = "the report", places.report_parts(incident)
    elif kind == Kind.REPORTER:
        # A confidential reporter's name stays with those who may know it (`reporter_display`).
        if incident.reporter_display(user) == "Confidential reporter":
            return None
        where, parts = "the reporter", places.reporter_parts(incident)
    elif kind == Kind.MESSAGE:
        sent = (
            "reporter message"
            if row.direction == ReporterMessage.Direction.FROM_REPORTER
            else "message to the reporter"
        )
        where, parts = f"{sent} of {_day(row.sent_on)}", [("Message", row.body)]
    elif kind == Kind.NOTE:
        where, parts = f"note of {_day(row.created_on)}", [("Note", row.body)]
    elif kind == Kind.EVIDENCE:
        where, parts, evidence = "evidence file name", places.evidence_parts(row), row
    elif kind == Kind.BREACH:
        where, parts = "breach record", places.breach_parts(incident.pk)
        detail = reverse("breaches:overview", args=[incident.uuid])
    elif kind == Kind.CORRECTION:
        where, parts = f"correction of {_day(row.corrected_on)}", places.correction_parts(row)
    else:
        where, parts = "outcome report", places.outcome_parts(row)
        detail = reverse("incidents:outcome", args=[incident.uuid])
    shown = [(label, search.marks(text, terms)) for label, text in parts if text and search.mentions(text, terms)]
    if not shown:  # the entry matched through words shown elsewhere (a note in the incident's entry)
        return None
    return Place(incident, kind, key, where, detail, shown, evidence)


def as_html(pieces: list[tuple[str, str]]) -> SafeString:
    """A text's pieces for a page: the words searched for in <mark>, the rest marked for redaction."""
    out = []
    for piece, mark in pieces:
        if mark == "match":
            out.append(format_html('<mark class="app-match">{}</mark>', piece))
        elif mark == "redact":
            out.append(
                format_html(
                    '<span class="app-redact"><span class="govuk-visually-hidden">(for redaction) </span>{}</span>',
                    piece,
                )
            )
        else:
            out.append(conditional_escape(piece))
    return format_html_join("", "{}", ((piece,) for piece in out))  # each piece escaped above


# ── The record ────────────────────────────────────────────────────────────────────────────


def chain_of(user: Any) -> int:
    """The organisation whose chain records `user`'s searches: the highest where they may find a
    person (a county DPO's county, a school's incident manager's school)."""
    rows = Membership.objects.filter(user=user, role__in=FIND_A_PERSON_ROLES).values_list(
        "organisation__path", "organisation_id"
    )
    return min(rows, key=lambda row: (row[0].count("/"), row[0]))[1]


def _summary(found: Found) -> dict[str, Any]:
    """What the record keeps of a search: who a person is stays out of it (decision 0038). The
    query is kept as its blind words (`search.blind_terms`), so whether a given name was searched
    for can be checked by someone holding the keys, but the record never names the person."""
    return {
        "query_blind_words": search.blind_terms(search.query_terms(found.query)),
        "places": len(found.places),
        "incidents": found.references,
        "capped": found.capped,
    }


def record_search(user: Any, found: Found) -> None:
    with transaction.atomic():
        record(organisation_id=chain_of(user), action="person.searched", actor=user, after=_summary(found))


# ── The bundle ────────────────────────────────────────────────────────────────────────────


def bundle(user: Any, found: Found) -> bytes:
    """The ZIP: `bundle.pdf` (every place, its text marked) and the matched evidence files the
    searcher may download; its event, and each file's custody event, written with it."""
    files: list[tuple[str, Evidence]] = []
    left_out: list[str] = []
    for n, place in enumerate(found.places, start=1):
        evidence = place.evidence
        if evidence is None:
            continue
        if evidence.is_withdrawn and not place.incident.powers_of(user).can_download_withdrawn_evidence:
            left_out.append(evidence.original_name)
            continue
        name = name_for_type(evidence.original_name, evidence.content_type)
        files.append((f"evidence/{n:03d}-{place.incident.reference}-{name}", evidence))
    document = pdf.render_pdf(TEMPLATE, _pdf_data(user, found, files, left_out), title=f"Subject access: {found.query}")
    out = io.BytesIO()
    with transaction.atomic():
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bundle.pdf", document)
            for name, evidence in files:
                archive.writestr(name, read_evidence(evidence))
                record_download(evidence, by=user, within="subject access bundle")
        record(
            organisation_id=chain_of(user),
            action="person.bundle_exported",
            actor=user,
            after=_summary(found) | {"files": [str(evidence.uuid) for _, evidence in files], "left_out": len(left_out)},
        )
    return out.getvalue()


def _pdf_data(user: Any, found: Found, files: list[tuple[str, Evidence]], left_out: list[str]) -> dict[str, Any]:
    return {
        "title": f"Subject access: “{found.query}”",
        "generated_on": clock.show(clock.now(), clock.Precision.EXACT, long=True),
        "generated_for": user.full_name or user.email,
        "count": len(found.places),
        "incidents": len(found.references),
        "capped": found.capped,
        "places": [
            {
                "reference": place.incident.reference or "",
                "where": place.where,
                "parts": [
                    {"label": label, "pieces": [{"text": text, "mark": mark} for text, mark in pieces]}
                    for label, pieces in place.parts
                ],
            }
            for place in found.places
        ],
        "files": [name for name, _ in files],
        "left_out": left_out,
    }


def filename(found: Found) -> str:
    words = "-".join(search.query_terms(found.query))[:40] or "person"
    return f"subject-access-{words}-{timezone.localdate():%Y-%m-%d}.zip"
