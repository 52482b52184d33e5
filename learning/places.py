"""Where a person may be named: the index entries "find a person" searches, and the texts it shows.

Each place is one kind of `SearchEntry` (decision 0038, point 4): the report's people (who was
involved, whose data, what was done), its reporter, each message with the reporter, each
internal note, each evidence file's name, the breach record, each correction and the outcome
report. An entry names where it is: its kind, its source row's id (`key`) and its incident.
The report's own words (what happened, where, the information) are the incident's entry.

Entries are written from the source rows' `post_save`, inside the transaction that saves them,
whatever saves them (a step, the reporter's page, the email listener, the demo), and afresh
by `search.rebuild`. The words are made by `search.normalised`, the one tokeniser.

What is shown is read again from the rows (`parts`), never from the index: the index holds
words, the row holds the current text.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from breaches.models import Assessment, Decision, IcoSubmission, IndividualsNotice, ReportDetails
from evidence.models import Evidence
from incidents.models import Correction, Incident, InternalNote, OutcomeReport, ReporterMessage

from . import search
from .models import SearchEntry

Kind = SearchEntry.Kind
# The places find a person looks in, with the incident's own entry (what happened, where, ...).
PLACES = (Kind.INCIDENT, *(kind for kind in Kind if kind not in SearchEntry.SEARCHED))
# The report's fields that name people and are not in the incident's entry.
PEOPLE_FIELDS = ("people_involved", "data_subjects", "action_taken")
# The report's fields shown for a match in the report (the incident's entry and PEOPLE_FIELDS).
REPORT_FIELDS = ("description", "location", "information_involved", *PEOPLE_FIELDS, "symptoms", "service_name")
REPORTER_FIELDS = ("reporter_name", "reporter_contact", "reporter_anonymous", "reported_by")
# The outcome report's sections a person may be named in (never the restricted disciplinary one).
OUTCOME_FIELDS = (
    "summary",
    "root_cause",
    "data_and_people_affected",
    "containment_and_recovery",
    "notification_decisions",
    "lessons_learned",
    "recommendations",
)
NOTES_OF_FACTS = (
    ("consequences_notes", "consequences"),
    ("later_measures_notes", "measures taken since"),
    ("harm_notes", "harm"),
)
DETAILS = [name for name in ReportDetails.EDITABLE if name != "cyber_incident"]

Part = tuple[str, str]  # (what it is, its current text)


def _label(model: type[Model], name: str) -> str:
    text = str(getattr(model._meta.get_field(name), "verbose_name", name))
    return text[:1].upper() + text[1:]


# ── What each place says (read from the rows) ─────────────────────────────────────────────


def people_parts(incident: Incident) -> list[Part]:
    return [(_label(Incident, name), getattr(incident, name) or "") for name in PEOPLE_FIELDS]


def report_parts(incident: Incident) -> list[Part]:
    return [(_label(Incident, name), getattr(incident, name) or "") for name in REPORT_FIELDS]


def reporter_parts(incident: Incident) -> list[Part]:
    """The reporter's name and contact as the incident holds them (an account's, or taken down)."""
    if incident.reporter_anonymous:
        return []
    account = incident.reported_by
    return [
        ("Reporter's name", incident.reporter_name or (account.full_name if account else "")),
        ("How to contact the reporter", incident.reporter_contact or (account.email if account else "")),
    ]


def breach_parts(incident_id: int) -> list[Part]:
    """The breach record's free text: each assessment's notes, the ICO report's details, the
    DPO's reasons, the ICO's submissions and the notices to the people affected."""
    parts: list[Part] = []
    for assessment in Assessment.objects.filter(incident_id=incident_id).order_by("version"):
        facts = assessment.facts or {}
        parts += [(f"Assessment {assessment.version}: {what}", facts.get(name) or "") for name, what in NOTES_OF_FACTS]
    details = ReportDetails.objects.filter(incident_id=incident_id).first()
    if details is not None:
        parts += [(_label(ReportDetails, name), getattr(details, name) or "") for name in DETAILS]
    for decision in Decision.objects.filter(assessment__incident_id=incident_id).order_by("pk"):
        parts.append(("Reason for the DPO's decision", decision.reason))
    for submission in IcoSubmission.objects.filter(incident_id=incident_id).order_by("pk"):
        parts += [
            (_label(IcoSubmission, "delay_reason"), submission.delay_reason),
            (_label(IcoSubmission, "ico_response"), submission.ico_response),
        ]
    for notice in IndividualsNotice.objects.filter(incident_id=incident_id).order_by("pk"):
        parts.append(("Notes on telling the people affected", notice.notes))
    return parts


def correction_parts(correction: Correction) -> list[Part]:
    field = _label(Incident, correction.field) if correction.field in Incident.REPORT_FIELDS else correction.field
    return [
        (f"{field}: before", _text(correction.old)),
        (f"{field}: after", _text(correction.new)),
        ("Reason for the correction", correction.reason),
    ]


def outcome_parts(report: OutcomeReport) -> list[Part]:
    return [(_label(OutcomeReport, name), getattr(report, name) or "") for name in OUTCOME_FIELDS]


def evidence_parts(evidence: Evidence) -> list[Part]:
    return [("File name", evidence.original_name), ("Description", evidence.description)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _texts(parts: list[Part]) -> list[str]:
    return [text for _, text in parts]


# ── Writing the entries ───────────────────────────────────────────────────────────────────


def _entry(kind: str, key: int, incident: Incident | Any, parts: list[Part]) -> SearchEntry | None:
    """The entry, or None when the place names nothing (no words: no entry)."""
    body, count = search.normalised(*_texts(parts))
    if not count:
        return None
    return SearchEntry(
        kind=kind,
        key=key,
        incident=incident,  # the instance: its key seals the entry's title without a query
        organisation_id=incident.organisation_id,
        title=str(Kind(kind).label),
        excerpt="",
        body=body,
        words=count,
    )


def _write(kind: str, key: int, incident: Any, parts: list[Part]) -> None:
    entry = _entry(kind, key, incident, parts)
    if entry is None:
        SearchEntry.objects.filter(kind=kind, key=key).delete()
    else:
        search._put(entry)


def _incident_saved(sender: Any, instance: Incident, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    changed = set(update_fields or ())
    if update_fields is None or changed & set(PEOPLE_FIELDS):
        _write(Kind.PEOPLE, instance.pk, instance, people_parts(instance))
    if update_fields is None or changed & set(REPORTER_FIELDS):
        _write(Kind.REPORTER, instance.pk, instance, reporter_parts(instance))


def _incident_of(instance: Any) -> Incident:
    cached = instance._state.fields_cache.get("incident")
    if cached is not None and "content_key" in cached.__dict__:
        return cached
    return Incident.objects.only("pk", "uuid", "content_key", "organisation_id").get(pk=instance.incident_id)


def _child_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    kind, parts = CHILDREN[sender]
    _write(kind, instance.pk, _incident_of(instance), parts(instance))


def _child_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    SearchEntry.objects.filter(kind=CHILDREN[sender][0], key=instance.pk).delete()


def _breach_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    incident_id = instance.assessment.incident_id if isinstance(instance, Decision) else instance.incident_id
    incident = Incident.objects.only("pk", "uuid", "content_key", "organisation_id").get(pk=incident_id)
    _write(Kind.BREACH, incident_id, incident, breach_parts(incident_id))


CHILDREN: dict[type[Model], tuple[str, Any]] = {
    ReporterMessage: (Kind.MESSAGE, lambda message: [("Message", message.body)]),
    InternalNote: (Kind.NOTE, lambda note: [("Note", note.body)]),
    Evidence: (Kind.EVIDENCE, evidence_parts),
    Correction: (Kind.CORRECTION, correction_parts),
    OutcomeReport: (Kind.OUTCOME, outcome_parts),
}
BREACH_MODELS = (Assessment, Decision, ReportDetails, IcoSubmission, IndividualsNotice)


def connect_signals() -> None:
    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="learning.places.incident")
    for model in CHILDREN:
        post_save.connect(_child_saved, sender=model, dispatch_uid=f"learning.places.{model.__name__}")
        post_delete.connect(_child_deleted, sender=model, dispatch_uid=f"learning.places.{model.__name__}.gone")
    for model in BREACH_MODELS:
        post_save.connect(_breach_saved, sender=model, dispatch_uid=f"learning.places.{model.__name__}")


def entries_for(ids: Iterable[int]) -> list[SearchEntry]:
    """Every place's entry for the incidents `ids` (`search.rebuild`), as the live index writes them."""
    ids = list(ids)
    made: list[SearchEntry | None] = []
    incidents = {i.pk: i for i in Incident.objects.filter(pk__in=ids).select_related("reported_by")}
    for incident in incidents.values():
        made.append(_entry(Kind.PEOPLE, incident.pk, incident, people_parts(incident)))
        made.append(_entry(Kind.REPORTER, incident.pk, incident, reporter_parts(incident)))
    for model, (kind, parts) in CHILDREN.items():
        rows: Iterable[Any] = model._default_manager.filter(incident_id__in=ids).order_by("pk")
        for row in rows:
            made.append(_entry(kind, row.pk, incidents[row.incident_id], parts(row)))
    breached = set(Assessment.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True))
    breached |= set(ReportDetails.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True))
    breached |= set(IcoSubmission.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True))
    breached |= set(IndividualsNotice.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True))
    for incident_id in sorted(breached):
        made.append(_entry(Kind.BREACH, incident_id, incidents[incident_id], breach_parts(incident_id)))
    return [entry for entry in made if entry is not None]
