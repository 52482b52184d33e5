"""What the incident page shows of the lifecycle, worked out once for one viewer.

The buttons are the table's `available_steps`; the closure blockers are the close step's own
needs; the rows come from what the detail view fetched (`detail_queryset`), so no panel
queries again what another panel already has.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.lookups import StartsWith

from core.rows import fetch_lists
from incidents.models import Incident
from organisations.powers import Powers

from . import registry
from .lifecycle import available_steps, checklist_item_blockers, required_review_roles
from .lifecycle.common import report_of
from .lifecycle.table import blockers_of_every_step, close_needs
from .models import (
    DEFAULT_SEVERITY_DEFINITIONS,
    ChecklistItem,
    Classification,
    Correction,
    IncidentTag,
    IncidentType,
    InternalNote,
    KeptReporter,
    OutcomeReview,
    Oversight,
    RelatedLink,
    ReporterMessage,
    SeverityDefinition,
    severity_definitions,
    sign_off_asked_subquery,
)


def _listed() -> dict[str, Callable[[], QuerySet[Any]]]:
    """The lists the incident page shows, each with what its rows show beside them: by name,
    how to ask for its rows. Only the lists an incident has rows in are asked for, so each
    query is built when it is wanted (`load_lists`), not every one on every page."""

    # The evidence and actions apps' models, reached by relation: they stand on a floor above.
    def rows_of(name: str) -> Any:
        return Incident._meta.get_field(name).related_model._default_manager  # type: ignore[union-attr]

    return {
        "checklist": lambda: ChecklistItem.objects.select_related("evidence", "updated_by"),
        # Only earlier versions are listed: the current one is the incident's own fields.
        "classifications": lambda: Classification.objects.select_related("classified_by", "incident_type"),
        "internal_notes": lambda: InternalNote.objects.select_related("author"),
        "corrections": lambda: Correction.objects.select_related("corrected_by"),
        # Shared with the close step's sign-off need (`table.needs_sign_off`).
        "oversight": lambda: Oversight.objects.select_related("by", "to"),
        "reporter_messages": lambda: ReporterMessage.objects.select_related("author"),
        # Shared with the actions, evidence and deadlines panels, which read `.all()`.
        "remedial_actions": lambda: rows_of("remedial_actions").select_related("owner", "deadline"),
        "evidence": lambda: rows_of("evidence").select_related("uploaded_by", "withdrawn_by"),
        # Shared with the deadlines panel and the breach panel's ICO clock.
        "deadlines": lambda: rows_of("deadlines").all(),
        # The policies app's: the points the incident broke and the exceptions it names.
        "policy_points_breached": lambda: rows_of("policy_points_breached").select_related("point__version__policy"),
        "exceptions_named": lambda: rows_of("exceptions_named").select_related("exception__point__version__policy"),
        # The parties panel's notices to outside bodies.
        "body_notices": lambda: rows_of("body_notices").select_related("recorded_by"),
        # Waves: tags, related incidents both ways, duplicates merged in and their reporters.
        "taggings": lambda: IncidentTag.objects.select_related("tag"),
        "links_from": lambda: RelatedLink.objects.select_related("related__organisation"),
        "links_to": lambda: RelatedLink.objects.select_related("incident__organisation"),
        "duplicates": lambda: Incident.objects.select_related("reported_by", "organisation").order_by(
            "reported_on", "id"
        ),
        "kept_reporters": lambda: KeptReporter.objects.select_related("person", "duplicate"),
    } | registry.page_lists()


def _has(name: str) -> Exists:
    field = Incident._meta.get_field(name)
    rows = field.related_model._default_manager.filter(**{field.field.name: OuterRef("pk")})  # type: ignore[union-attr]
    return Exists(rows.filter(version__gt=1) if name == "classifications" else rows)


def _reporter_training() -> dict[str, Subquery]:
    """The reporter's latest training, in the incident's own query (the learning app's records,
    reached by relation: it stands on a floor above). Shown only where the page names them."""
    people: Any = Incident._meta.get_field("reported_by").related_model
    training: Any = people._meta.get_field("training").related_model
    latest = training._default_manager.filter(person=OuterRef("reported_by")).order_by("-completed_on", "-id")
    return {
        "reporter_training_course": Subquery(latest.values("course")[:1]),
        "reporter_training_on": Subquery(latest.values("completed_on")[:1]),
    }


def _own_severity_definition() -> Subquery:
    """The definition of the incident's severity set by its organisation or the nearest one above
    (as `severity_definitions`), read in the incident's own query; None: the built-in wording."""
    nearest = SeverityDefinition.objects.filter(
        StartsWith(OuterRef("organisation__path"), F("organisation__path")), severity=OuterRef("severity")
    ).order_by("-organisation__path")
    return Subquery(nearest.values("definition")[:1])


@functools.cache
def detail_incidents() -> QuerySet[Incident]:
    """`detail_queryset` of all incidents, built once a process: its two dozen annotations took
    about a sixth of the incident page's Python to build. Take a copy (`.all()`) before narrowing
    it, as Django's generic views do with a class's queryset; it is never evaluated itself."""
    return detail_queryset(Incident.objects.all())


def detail_queryset(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """The incident with what its page shows beside it, and which of its lists have any rows."""
    return queryset.select_related(
        "organisation",
        "reported_by",
        "recorded_by",
        "investigator",
        "incident_type",
        "routing",
        "outcome_report",
        "ico_decided_by",
        # The parties panel's third party (one-to-one, by relation name).
        "third_party_link__third_party",
        "duplicate_of",
    ).annotate(
        **{f"has_{name}": _has(name) for name in _listed()},
        siro_sign_off_asked=sign_off_asked_subquery(),  # the close step's need, in this one query
        has_type_rules=_type_has_rules(),
        **_reporter_training(),
        own_severity_definition=_own_severity_definition(),
    )


def _type_has_rules() -> Exists:
    """Whether any organisation set its own rules of bodies told for the incident's type (the
    parties panel asks for them only then; otherwise the built-in defaults apply)."""
    rules = IncidentType._meta.get_field("body_rules").related_model
    return Exists(rules._default_manager.filter(incident_type=OuterRef("incident_type")))


def severity_definition_of(incident: Incident) -> str:
    if not incident.severity:
        return ""
    own = getattr(incident, "own_severity_definition", None)
    if own is None and not hasattr(incident, "own_severity_definition"):
        return severity_definitions(incident.organisation).get(incident.severity, "")
    return own or str(DEFAULT_SEVERITY_DEFINITIONS.get(incident.severity, ""))


def load_lists(incident: Incident, user: Any) -> dict[str, list[Any]]:
    """Fetch every list the page shows that has rows, all in one query (`core.rows`).

    An empty list is set empty without asking, so a new report's page asks nothing for its
    notes, messages, evidence or actions, and every panel reading `.all()` shares the one
    fetch instead of asking again. Related incidents come marked with whether `user` may open
    them. Returned: the messages of the duplicates merged into it, and the people a restriction names.
    """
    cache = incident.__dict__.setdefault("_prefetched_objects_cache", {})
    listed = _listed()
    wanted: dict[str, QuerySet[Any]] = {}
    for name, rows in listed.items():
        if getattr(incident, f"has_{name}", True):
            relation: Any = Incident._meta.get_field(name)
            wanted[name] = rows().filter(**{relation.field.name: incident.pk})
        else:
            cache[name] = getattr(incident, name).none()
    for name, other in (("links_from", "related"), ("links_to", "incident")):
        if name in wanted:
            openable = Incident.objects.visible_to(user).filter(pk=OuterRef(other))
            wanted[name] = wanted[name].annotate(may_open=Exists(openable))
    if "duplicates" in wanted:
        wanted["merged_messages"] = (
            ReporterMessage.objects.filter(incident__duplicate_of=incident)
            .select_related("incident", "author")
            .order_by("sent_on", "id")
        )
    if incident.is_restricted:
        wanted["named_people"] = incident.restriction_names.select_related("person")
    report = report_of(incident)
    if report is not None and report.round:
        wanted["reviews"] = OutcomeReview.objects.filter(report=report).select_related("reviewer")
    found = fetch_lists(wanted)
    for name in listed:
        if name in found:
            relation = Incident._meta.get_field(name)
            for row in found[name]:
                relation.field.set_cached_value(row, incident)
            cache[name] = _filled(getattr(incident, name).all(), found[name])
    if report is not None:
        reviews = report.reviews.all()
        report.__dict__.setdefault("_prefetched_objects_cache", {})["reviews"] = (
            _filled(reviews, found["reviews"]) if report.round else reviews.none()
        )
    return {name: found.get(name, []) for name in ("merged_messages", "named_people")}


def _filled(queryset: QuerySet[Any], rows: list[Any]) -> QuerySet[Any]:
    """`queryset` holding `rows`, as a prefetch leaves it: `.all()` reads them without asking."""
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    return queryset


def incident_panels(incident: Incident, user: Any, p: Powers) -> dict[str, Any]:
    extra = load_lists(incident, user)
    report = report_of(incident)
    checklist = list(incident.checklist.all())
    found = blockers_of_every_step(incident, p)
    offered = available_steps(user, incident, p, found)
    return {
        "powers": p,
        "steps": [{"step": s, "href": s.url(incident)} for s in offered if s.button],
        "offered": {s.name for s in offered},
        "classifications": list(incident.classifications.all()),
        "routing": getattr(incident, "routing", None),
        "checklist": [
            {"item": item, "may_update": not checklist_item_blockers(item, incident, p)} for item in checklist
        ],
        "checklist_open": sum(1 for item in checklist if not item.is_settled),
        "notes": incident.internal_notes.all(),
        "reporter_messages": incident.reporter_messages.all(),
        "report": report,
        "reviews": [r for r in report.reviews.all() if r.round == report.round] if report and report.round else [],
        "required_reviews": [str(r) for r in required_review_roles(incident)] if incident.severity else [],
        # The close step's own needs: shown instead of a button that would be refused.
        "blockers": close_needs(incident, p, found),
        "severity_definition": severity_definition_of(incident),
        "reporter": incident.reporter_display(user),
        "reporter_contact": incident.reporter_contact_for(user),
        "reporter_relationship": incident.reporter_relationship_for(user),
        **oversight_panel(incident),
        "named_people": extra["named_people"],
    } | waves_panel(incident, user, p, extra["merged_messages"])


def waves_panel(incident: Incident, user: Any, p: Powers, merged_messages: list[ReporterMessage]) -> dict[str, Any]:
    """Tags, related incidents (both ways) and whether the viewer may open each, what this is a
    duplicate of, the duplicates merged into it with their reporters and their reporters'
    messages: all read from the lists `load_lists` fetched, no query of its own."""
    links: list[dict[str, Any]] = [
        {"other": link.related, "link": link, "may_open": bool(getattr(link, "may_open", False))}
        for link in incident.links_from.all()
    ] + [
        {"other": link.incident, "link": link, "may_open": bool(getattr(link, "may_open", False))}
        for link in incident.links_to.all()
    ]
    duplicates = list(incident.duplicates.all())
    kept = [
        {
            "duplicate": row.duplicate,
            "name": "Confidential reporter"
            if row.confidential and not p.can_see_confidential_reporter
            else row.person.full_name or row.person.email,
        }
        for row in incident.kept_reporters.all()
    ]
    return {
        "tags": [tagging.tag for tagging in incident.taggings.all()],
        "related": sorted(links, key=lambda row: row["link"].linked_on),
        "duplicates": [
            {"incident": d, "reporter": d.reporter_display(user), "relationship": d.reporter_relationship_for(user)}
            for d in duplicates
        ],
        "kept_reporters": kept,
        "merged_messages": merged_messages,
    }


def oversight_panel(incident: Incident) -> dict[str, Any]:
    """The DPO's oversight as the page shows it: every entry, the latest review, open directions."""
    entries = list(incident.oversight.all())
    reviews = [e for e in entries if e.kind == Oversight.Kind.REVIEWED]
    return {
        "oversight": entries,
        "dpo_reviewed": reviews[-1] if reviews else None,
        "directions": [e for e in entries if e.kind == Oversight.Kind.DIRECTION],
    }


def report_rows(incident: Incident) -> list[dict[str, Any]]:
    """The report's fields as the page shows them, each with its corrections, oldest first."""
    corrections: dict[str, list[Correction]] = {}
    for correction in incident.corrections.all():
        corrections.setdefault(correction.field, []).append(correction)
    rows = []
    for name in Incident.REPORT_FIELDS:
        field = Incident._meta.get_field(name)
        value = getattr(incident, name)
        rows.append(
            {
                "name": name,
                "label": field.verbose_name[:1].upper() + field.verbose_name[1:],  # type: ignore[union-attr]
                "value": incident._get_FIELD_display(field) if getattr(field, "choices", None) else value,  # type: ignore[attr-defined]
                "corrections": corrections.get(name, []),
            }
        )
    return rows
