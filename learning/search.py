"""The one search: incidents, lessons and known errors, through the database engine's index.

How it matches and ranks (docs/decisions/0035-full-text-search.md):

- Every text is normalised here, in Python, before either engine sees it: lower case, accents
  taken off, split into runs of letters and digits, joined by single spaces. SQLite's FTS5
  (`unicode61`) and PostgreSQL's `simple` configuration then find the same words, so the
  engine's index decides only *which* entries match (every word of the query, or any word for
  "similar").
- The rank is a score both engines compute the same way in SQL, with integers: for each word
  of the query, how often it stands in the entry (`replace` counts it), 100 points for each
  distinct word found, plus 1,000 times the occurrences divided by the entry's length in words
  (plus 20, so a two-word entry does not outrank a paragraph for one hit). Ties go to the newer
  incident, then the kind, then the newer source row: the same order on both engines.
- Visibility is the incident's: entries are filtered in SQL by the ids of the incidents the
  person may open (`Incident.objects.visible_to`), never in Python over all rows.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, IntegerField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from audit import sealing
from core.database import AmongFew
from incidents.models import Incident, OutcomeReport, OutsideAccess, visible_through
from incidents.models.incident import reach_paths
from organisations.powers import leaves_of

from .models import KnownError, SearchEntry

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8
# Ranked among at most this many matches, the newest entries (by id, on both engines: `matching`),
# so a search, "similar" and the lessons register cost the same in a county of 190,000
# incidents as in a school (docs/search.md).
CANDIDATES = 1000
# "Similar" ranks fewer: it shows a handful on every incident page (scoring 1,000 matches cost
# 50 ms of a county DPO's incident page at 10,000 incidents on SQLite; 200 cost 8 ms).
SIMILAR_CANDIDATES = 200
# What "similar" found for a person and an incident is kept this long, in the process's own
# memory (CACHES["process"]): every step on an incident comes back to its page, and ranking
# cost 20 to 110 ms of it on PostgreSQL at 100,000 incidents. Kept are entries' ids only: each
# time, the entries are read afresh and only those the person may still see are shown.
SIMILAR_KEPT_SECONDS = 600
# Words too common to say what an incident is about, left out of "similar" (never of a search).
_COMMON_WORDS = (
    "a an and are as at be been but by can for from had has have he her his i in is it its of on or "
    "our she so that the their them there they this to was we were which who will with you your not "
    "no yes into out up about after before when what where how all any some one two also being"
)
COMMON = frozenset(_COMMON_WORDS.split())


def words(text: str) -> list[str]:
    """`text` as the index sees it: lower case, no accents, runs of letters and digits."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return WORD.findall(plain.lower())


# Each word is kept as blind words (decision 0038): keyed digests of the word and of each of its
# beginnings from this many letters, so "email" still finds "emails" and the index holds no word.
PREFIX_FROM = 3


def blind_words(found: list[str]) -> list[str]:
    """The opaque words the index keeps for `found`: for each word, its beginnings from PREFIX_FROM
    letters and itself (a shorter word: itself only), each as `sealing.blind` gives it."""
    blind, seen = sealing.blinder(), {}
    tokens = []
    for word in found:
        for end in range(min(PREFIX_FROM, len(word)), len(word) + 1):
            part = word[:end]
            if part not in seen:
                seen[part] = blind(part)
            tokens.append(seen[part])
    return tokens


def normalised(*texts: str) -> tuple[str, int]:
    """The index's body for `texts` (blind words one space apart, a space at each end) and how
    many words they hold."""
    found = [w for text in texts for w in words(text)]
    return f" {' '.join(blind_words(found))} ", len(found)


def blind_terms(terms: list[str]) -> list[str]:
    """A query's words as the index holds them: a word's blind word is present exactly when a
    word of the entry begins with it (from PREFIX_FROM letters; a shorter one: that word)."""
    blind = sealing.blinder()
    return [blind(term) for term in terms]


def query_terms(text: str) -> list[str]:
    """The distinct words of a query, in order, at most MAX_TERMS."""
    return list(dict.fromkeys(words(text)))[:MAX_TERMS]


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# ── Keeping the index current (called inside the change's transaction) ─────────────────────


def _put(entry: SearchEntry) -> None:
    fields = ["incident", "organisation_id", "title", "excerpt", "body", "words"]
    SearchEntry.objects.update_or_create(
        kind=entry.kind, key=entry.key, defaults={name: getattr(entry, name) for name in fields}
    )


def _incident_texts(incident: Incident, report: OutcomeReport | None) -> tuple[str, ...]:
    """(title, excerpt, *texts searched): the report, its type, the notes and the outcome report."""
    notes = [note.body for note in incident.internal_notes.all()]
    report_texts = (
        [
            report.summary,
            report.root_cause,
            report.containment_and_recovery,
            report.lessons_learned,
            report.recommendations,
        ]
        if report
        else []
    )
    return (
        incident.reference or "",
        incident.description,
        incident.reference or "",
        incident.description,
        incident.location,
        incident.information_involved,
        incident.symptoms,
        incident.service_name,
        incident.incident_type.name if incident.incident_type else "",
        *notes,
        *report_texts,
    )


def _lesson_texts(incident: Incident, report: OutcomeReport) -> tuple[str, ...]:
    """An accepted outcome report's lessons, root cause, recommendations and remedial actions."""
    titles = [action.title for action in incident.remedial_actions.all()]
    return (
        f"Lesson from {incident.reference}",
        report.lessons_learned,
        incident.reference or "",
        report.lessons_learned,
        report.root_cause,
        report.recommendations,
        *titles,
    )


def _known_texts(known_error: KnownError) -> tuple[str, ...]:
    return (
        known_error.title,
        known_error.symptom,
        known_error.title,
        known_error.symptom,
        known_error.cause,
        known_error.workaround,
        known_error.fix,
    )


def index_incident(incident: Incident) -> None:
    """The incident's entry and its lessons' entry, written afresh from the database."""
    (fresh,) = _with_texts([incident.pk])
    _put(_entry_for(fresh))
    lesson = _lesson_for(fresh)
    if lesson is None:
        SearchEntry.objects.filter(kind=SearchEntry.Kind.LESSON, incident_id=fresh.pk).delete()
    else:
        _put(lesson)


def index_known_error(known_error: KnownError) -> None:
    _put(_known_entry(known_error))


def on_incident_event(event: Any, incident: Incident) -> None:
    """`incidents.registry` subscriber: what an incident's event changed, indexed in its transaction."""
    index_incident(incident)


# ── Asking ─────────────────────────────────────────────────────────────────────────────────


def _match_sql(terms: list[str], any_word: bool, alias: str = "") -> tuple[str, list[str]]:
    """The condition on an entry (`alias`, or the table) that its words match, through the index."""
    table = alias or SearchEntry._meta.db_table
    if connection.vendor == "postgresql":
        return f"{table}.document @@ to_tsquery('simple', %s)", [_engine_query(terms, any_word)]
    return f"{table}.id IN (SELECT rowid FROM learning_searchtext WHERE learning_searchtext MATCH %s)", [  # noqa: S608 (our table name; the words are a parameter)
        _engine_query(terms, any_word)
    ]


def _engine_query(terms: list[str], any_word: bool) -> str:
    """The query in the engine's own words: each word's blind word, which the index holds for every
    word it begins ("email" finds "emails"), on both engines; all of them, or any for "similar"."""
    tokens = blind_terms(terms)
    if connection.vendor == "postgresql":
        return (" | " if any_word else " & ").join(tokens)
    return (" OR " if any_word else " ").join(f'"{token}"' for token in tokens)


def _score_sql(terms: list[str]) -> tuple[str, list[Any]]:
    """The engine-independent score: 100 per distinct word found, plus occurrence density. A
    word found is any word the query's word begins: the body holds the blind word of each beginning
    of each word, all of one length, so " token" counts them)."""
    table = SearchEntry._meta.db_table
    hits, params = [], []
    for token in blind_terms(terms):
        needle = f" {token}"
        hits.append(f"((LENGTH({table}.body) - LENGTH(REPLACE({table}.body, %s, ''))) / {len(needle)})")
        params.append(needle)
    distinct = " + ".join(f"(CASE WHEN {h} > 0 THEN 100 ELSE 0 END)" for h in hits)
    total = " + ".join(hits)
    sql = f"({distinct}) + (1000 * ({total})) / ({table}.words + 20)"
    return sql, params + params


def entries(
    user: Any,
    text: str,
    *,
    kinds: Iterable[str] | None = None,
    any_word: bool = False,
    incidents: QuerySet[Incident] | None = None,
    candidates: int | None = None,
) -> QuerySet[SearchEntry]:
    """The entries `user` may see that match `text`, best first (a `score` on each). `kinds`:
    those looked in, by default the Search page's (`SearchEntry.SEARCHED`); `candidates`: how
    many of the newest matches are ranked (CANDIDATES unless given)."""
    terms = query_terms(text)
    if not terms:
        return SearchEntry.objects.none()
    limit = CANDIDATES if candidates is None else candidates
    # The newest `limit` matches (found through the index, newest first); only they are scored.
    selects, params = _newest(_sources(user, terms, kinds=kinds, any_word=any_word, incidents=incidents), limit)
    if not selects:
        return SearchEntry.objects.none()
    # One IN over their UNION: an OR of two IN (…) made PostgreSQL read every entry to test each.
    newest = f"{SearchEntry._meta.db_table}.id IN (SELECT id FROM ({' UNION ALL '.join(selects)}) AS newest)"  # noqa: S608 (our SQL)
    return _ranked(SearchEntry.objects.extra(where=[newest], params=params), terms)  # noqa: S610 (our SQL; values are parameters)


def _sources(
    user: Any, terms: list[str], *, kinds: Iterable[str] | None, any_word: bool = False, incidents: Any = None
) -> list[QuerySet[SearchEntry]]:
    """Where the matches come from, newest first: the person's own reach, then outside help's incidents."""
    sources = [matching(user, terms, kinds=kinds, any_word=any_word, incidents=incidents)]
    if incidents is None and not Incident.objects.seen_from_a_root(user):
        sources.append(_helped(user, terms, kinds=kinds, any_word=any_word))
    return sources


def _newest(sources: list[QuerySet[SearchEntry]], limit: int, first: int | None = None) -> tuple[list[str], list[Any]]:
    """A SELECT of the ids of each source's newest `limit` matches (the first source's `first`),
    each marked with the source's place; compiled on their own, so the table keeps its name and
    the match is on the candidate's words."""
    selects: list[str] = []
    params: list[Any] = []
    for place, source in enumerate(sources):
        try:
            sql, found = source.values("id")[: first if place == 0 and first else limit].query.sql_with_params()
        except EmptyResultSet:  # nothing the person may see this way
            continue
        selects.append(f"SELECT id, {place} AS place FROM ({sql}) AS source_{place}")  # noqa: S608 (our SQL)
        params.extend(found)
    return selects, params


def _ranked(candidates: QuerySet[SearchEntry], terms: list[str]) -> QuerySet[SearchEntry]:
    """`candidates` best first: a `score` on each (`_score_sql`), then the newest incident."""
    score, score_params = _score_sql(terms)
    return candidates.annotate(score=RawSQL(score, score_params, output_field=IntegerField())).order_by(  # noqa: S611 (our SQL; the words are parameters)
        F("score").desc(), "-incident_id", "kind", "-key"
    )


def matching(
    user: Any,
    terms: list[str],
    *,
    kinds: Iterable[str] | None = None,
    any_word: bool = False,
    incidents: QuerySet[Incident] | None = None,
) -> QuerySet[SearchEntry]:
    """Every entry `user` may see (among `incidents`, if given) that matches `terms`, the newest
    entry first, unranked: the order in which `entries` takes its CANDIDATES on both engines.

    Where the person sees a county, matches are everywhere: the engine's index is walked newest
    first and visibility joined (`visible_through`) until enough are found. Where they see a
    school or a trust, their own organisations' entries are read (`organisation_id`'s index)
    and matched on their stored words (`body`, the same words the index holds), which costs the
    size of the school or trust, not of the county.
    """
    queryset = SearchEntry.objects.filter(kind__in=list(SearchEntry.SEARCHED if kinds is None else kinds))
    if incidents is not None:
        return _index_match(queryset.filter(incident_id__in=incidents.order_by().values("id")), terms, any_word)
    if Incident.objects.seen_from_a_root(user):
        return _index_match(queryset.filter(visible_through(user, "incident")), terms, any_word)
    # A school or a trust: their own organisations' entries first (the organisation index), then
    # the rule. (Outside help's incidents elsewhere are `_helped`'s.)
    visible = Incident.objects.visible_to(user).order_by().values("id")
    if connection.vendor == "postgresql" and not _schools_only(user):
        # A trust on PostgreSQL, through the engine's index (a school's own entries are few:
        # matched on their words, below). Every word: the trust's entries (the organisation
        # index, its schools' ids given as one array) and the GIN matches, intersected as bitmaps
        # before a row is read; as `organisation IN (subquery)` the GIN index was scanned once per
        # school (a trust's 'wrong parent' at a million incidents: 1,252 ms; 197 as one; 290 on
        # the stored words). Any word ("similar"): most entries match, and `organisation IN
        # (subquery)` lets PostgreSQL walk the entries newest first and stop at the candidates
        # (32 to 50 ms at a million; 114 to 176 as bitmaps, 668 to 1,181 on the stored words).
        organisations = Incident.objects.reach_organisations(user)
        reach = Q(organisation_id__in=organisations) if any_word else Q(AmongFew(F("organisation_id"), organisations))
        return _index_match(queryset.filter(reach, incident_id__in=visible), terms, any_word)
    queryset = queryset.filter(organisation_id__in=Incident.objects.reach_organisations(user), incident_id__in=visible)
    # Newest first, but not by walking the id index: that walk reads the county's entries to
    # find a school's (1.7 s at 1,000,000 on PostgreSQL); "id + 0" leaves the organisation
    # index to find the school's rows, matched on their stored words and then sorted. (Through
    # the engine's index instead, a school's search took 60 to 190 ms at 1,000,000, a trust's
    # about 450 ms; on their stored words 10 to 35 ms and 0.4 to 1.2 s: schools are the many.)
    return _words_match(queryset, terms, any_word).order_by((F("id") + 0).desc())


def _schools_only(user: Any) -> bool:
    """Whether every organisation `user` sees incidents of has none beneath it (`leaves_of`)."""
    leaves = leaves_of(user)
    return all(path in leaves for path in reach_paths(user))


def _helped(user: Any, terms: list[str], *, kinds: Iterable[str] | None, any_word: bool) -> QuerySet[SearchEntry]:
    """The matching entries of incidents that outside help opens to `user` (a few at most)."""
    helped = OutsideAccess.objects.current().filter(person=user.pk).values("incident_id")
    visible = Incident.objects.visible_to(user).order_by().values("id")
    queryset = SearchEntry.objects.filter(incident_id__in=helped).filter(incident_id__in=visible)
    queryset = queryset.filter(kind__in=list(SearchEntry.SEARCHED if kinds is None else kinds))
    return _words_match(queryset, terms, any_word).order_by("-id")


def _index_match(queryset: QuerySet[SearchEntry], terms: list[str], any_word: bool) -> QuerySet[SearchEntry]:
    """Entries matching `terms` through the engine's full-text index."""
    if connection.vendor == "postgresql":
        where, params = _match_sql(terms, any_word)
        return queryset.extra(where=[where], params=params).order_by("-id")  # noqa: S610 (our SQL; the words are a parameter)
    # FTS5 joined, not asked through `id IN (…)`: the virtual table then yields its rows newest
    # first and stops at the limit, instead of building every match first.
    return queryset.order_by().extra(  # noqa: S610 (as above)
        tables=["learning_searchtext"],
        where=[f"learning_searchtext.rowid = {SearchEntry._meta.db_table}.id", "learning_searchtext MATCH %s"],
        params=[_engine_query(terms, any_word)],
        order_by=["-learning_searchtext.rowid"],  # the entry's id, in the order FTS5 walks backwards
    )


def _words_match(queryset: QuerySet[SearchEntry], terms: list[str], any_word: bool) -> QuerySet[SearchEntry]:
    """Entries matching `terms` by their stored blind words, as the index does (a blind word is
    letters and digits only, so LIKE sees no wildcard)."""
    conditions = [Q(body__contains=f" {token} ") for token in blind_terms(terms)]
    return queryset.filter(reduce(or_ if any_word else and_, conditions))


def more_than_ranked(user: Any, text: str, *, kinds: Iterable[str] | None = None) -> bool:
    """Whether more entries match than are ranked (CANDIDATES): the search page says so."""
    terms = query_terms(text)
    return bool(terms) and matching(user, terms, kinds=kinds)[CANDIDATES : CANDIDATES + 1].exists()


def filter_incidents(queryset: QuerySet[Incident], text: str) -> QuerySet[Incident]:
    """The incident list's `q`: registered with `incidents.registry` as the one text search."""
    terms = query_terms(text)
    if not terms:
        return queryset
    match, params = _match_sql(terms, any_word=False, alias="found")
    incidents, entries_table = Incident._meta.db_table, SearchEntry._meta.db_table
    where = (
        f"{incidents}.id IN (SELECT found.incident_id FROM {entries_table} found "  # noqa: S608 (our names)
        f"WHERE found.kind = 'incident' AND {match})"
    )
    return queryset.extra(where=[where], params=params)  # noqa: S610 (our SQL; the words are parameters)


def distinctive_terms(text: str) -> list[str]:
    """The words of `text` that say what it is about: the longest uncommon ones, at most MAX_TERMS."""
    candidates = [w for w in dict.fromkeys(words(text)) if w not in COMMON and len(w) >= 4 and not w.isdigit()]
    return sorted(candidates, key=lambda w: (-len(w), w))[:MAX_TERMS]


def similar(user: Any, incident: Incident, *, kinds: Iterable[str], limit: int = 5) -> list[SearchEntry]:
    """Entries like `incident` (any of its distinctive words), itself left out, best first.
    The same person asking about the same incident again within SIMILAR_KEPT_SECONDS is shown
    the entries found the first time (a report made since is not among them until then)."""
    terms = distinctive_terms(" ".join([incident.description, incident.location, incident.information_involved]))
    if not terms:
        return []
    kinds = sorted(kinds)
    asked = repr((getattr(user, "pk", None), incident.pk, kinds, limit, terms)).encode()
    key = "learning.similar:" + hashlib.sha256(asked).hexdigest()
    kept = caches["process"].get(key)  # [(entry id, incident id)], best first
    if kept is not None:
        # The rule of who may see asked of these few incidents only (asked of all a county DPO
        # sees, SQLite listed 100,000 ids first).
        visible = Incident.objects.visible_to(user).filter(pk__in={i for _, i in kept}).order_by().values("id")
        still = {
            e.pk: e for e in _as_shown(SearchEntry.objects.filter(pk__in=[e for e, _ in kept], incident_id__in=visible))
        }
        return [still[e] for e, _ in kept if e in still]
    ranked = entries(user, " ".join(terms), kinds=kinds, any_word=True, candidates=SIMILAR_CANDIDATES)
    found = list(_as_shown(ranked.exclude(kind=SearchEntry.Kind.INCIDENT, incident_id=incident.pk))[:limit])
    caches["process"].set(key, [(e.pk, e.incident_id) for e in found], SIMILAR_KEPT_SECONDS)
    return found


@dataclass
class Page:
    results: list[SearchEntry]
    has_more: bool
    capped: bool = False  # more matched than were ranked: the best of the newest CANDIDATES


# What a result shows: its title and excerpt, and its incident's address and reference. The
# incident is read for the page's rows only, after ranking (a join would be made for every match).
SHOWN = ("kind", "key", "incident_id", "organisation_id", "title", "excerpt")


def _as_shown(queryset: QuerySet[SearchEntry]) -> QuerySet[SearchEntry]:
    """What a result shows (SHOWN) and its incident's address and reference."""
    return queryset.only(*SHOWN).prefetch_related(
        Prefetch("incident", Incident.objects.only("uuid", "reference", "content_key"))  # the key opens the title
    )


def search(user: Any, text: str, *, kinds: Iterable[str] | None = None, limit: int = 20, offset: int = 0) -> Page:
    """The Search page's results: `entries`, with its candidates read first, one more of the
    person's own than are ranked. Whether more match than are ranked then comes with them; asked
    again (`more_than_ranked`), it was a fifth of a county DPO's search at 100,000 incidents on
    SQLite and two fifths at a million on PostgreSQL."""
    terms = query_terms(text)
    if not terms:
        return Page([], False)
    selects, params = _newest(_sources(user, terms, kinds=kinds), CANDIDATES, first=CANDIDATES + 1)
    if not selects:
        return Page([], False)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        found = cursor.fetchall()
    own = sorted((pk for pk, place in found if place == 0), reverse=True)  # newest first, as matched
    helped = [pk for pk, place in found if place]  # outside help's (`_sources`)
    ranked = _as_shown(_ranked(SearchEntry.objects.filter(pk__in=own[:CANDIDATES] + helped), terms))
    rows = list(ranked[offset : offset + limit + 1])
    return Page(rows[:limit], len(rows) > limit, capped=bool(rows) and len(own) > CANDIDATES)


def _imported(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """An incident imported from an older log is written without an event: index it here."""
    if created:
        index_incident(instance.incident)


def connect_signals() -> None:
    from django.db.models.signals import post_save

    from insights.models import ImportedRow

    post_save.connect(_imported, sender=ImportedRow, dispatch_uid="learning.search.imported")


def forget(incident: Incident) -> None:
    """An incident disposed of (retention): its entry and its lessons' go, and no word of them is
    left in the engine's index. Its known errors are the organisation's knowledge and stay.

    FTS5 (an external-content table) only marks a deleted row's words as deleted in its segments
    until they are merged: "optimize" merges them now, so the words are gone from the file, not
    just unfindable. It rewrites the index, which at 100,000 entries takes about a second; the
    disposals of a month are few. PostgreSQL's generated column goes with its row (vacuum
    reclaims the dead row, as for every table).
    """
    SearchEntry.objects.filter(
        incident=incident, kind__in=[SearchEntry.Kind.INCIDENT, SearchEntry.Kind.LESSON]
    ).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO learning_searchtext(learning_searchtext) VALUES ('optimize')")


def rebuild(batch: int = 2000) -> int:
    """Every entry written afresh from its source, in batches; returns the number written.

    Written incident by incident, oldest first, each incident's entries together (its own, its
    lesson, and where people are named in it), so that the newest entries are the newest
    incidents', as when they are written one by one: a search over a county walks the entries
    newest first (`matching`). Written kind by kind instead, the million entries of "find a
    person" came last, and a county DPO's search on PostgreSQL read 964,755 of them before its
    first match (560 ms at 1,000,000 incidents)."""
    from django.db import transaction

    from . import places  # where people are named: the entries "find a person" reads

    written = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        ids = list(Incident.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            rows = [_entry_for(incident) for incident in _with_texts(chunk)]
            lessons = [row for row in (_lesson_for(incident) for incident in _with_texts(chunk)) if row]
            found = places.entries_for(chunk)
            made = sorted(rows + lessons + found, key=lambda entry: entry.incident_id)  # stable: kinds keep their order
            SearchEntry.objects.bulk_create(made)
            written += len(made)
        known = [_known_entry(k) for k in KnownError.objects.select_related("incident").order_by("pk").iterator()]
        SearchEntry.objects.bulk_create(known, batch_size=batch)
    return written + len(known)


def _with_texts(ids: list[int]) -> list[Incident]:
    from django.db.models import Prefetch

    actions = Incident._meta.get_field("remedial_actions").related_model
    return list(
        Incident.objects.filter(pk__in=ids)
        .select_related("incident_type", "outcome_report")
        .prefetch_related(
            Prefetch("internal_notes"),
            Prefetch("remedial_actions", actions._default_manager.only("incident_id", "title")),
        )
    )


def _row(kind: str, key: int, incident: Incident, title: str, excerpt: str, *texts: str) -> SearchEntry:
    body, count = normalised(*texts)
    return SearchEntry(
        kind=kind,
        key=key,
        incident=incident,  # the instance: its key seals the title and excerpt without a query
        organisation_id=incident.organisation_id,
        title=title[:300],
        excerpt=_one_line(excerpt),
        body=body,
        words=count,
    )


def _report(incident: Incident) -> OutcomeReport | None:
    try:
        return incident.outcome_report
    except OutcomeReport.DoesNotExist:
        return None


def _entry_for(incident: Incident) -> SearchEntry:
    report = _report(incident)
    return _row(SearchEntry.Kind.INCIDENT, incident.pk, incident, *_incident_texts(incident, report))


def _lesson_for(incident: Incident) -> SearchEntry | None:
    report = _report(incident)
    if report is None or report.status != OutcomeReport.Status.ACCEPTED or not report.lessons_learned.strip():
        return None
    return _row(SearchEntry.Kind.LESSON, report.pk, incident, *_lesson_texts(incident, report))


def _known_entry(known_error: KnownError) -> SearchEntry:
    return _row(SearchEntry.Kind.KNOWN_ERROR, known_error.pk, known_error.incident, *_known_texts(known_error))


# ── Where the words stand in a text shown (find a person) ─────────────────────────────────
# Matching of clear text lives here only, beside `words`: when the index keeps keyed digests
# (decision 0038, point 4), these compare the digests of a shown text's words instead.

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
JOINER = re.compile(r"[\s\-'’.]{1,3}")
# Capitalised words that name no one; any other capitalised word inside a sentence may be a name.
_NOT_NAMES = (
    "i mr mrs ms miss dr monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december year reception sen send dpo siro ico "
    "it uk nhs gdpr"
)
NOT_NAMES = frozenset(_NOT_NAMES.split())


def _found(word: str, terms: list[str]) -> bool:
    return any(token.startswith(term) for token in words(word) for term in terms)


def mentions(text: str, terms: list[str]) -> bool:
    """Whether any word of `text` begins with one of `terms` (as the index matches)."""
    return any(token.startswith(term) for token in words(text) for term in terms)


def marks(text: str, terms: list[str]) -> list[tuple[str, str]]:
    """`text` cut into (piece, mark): "match" for the words searched for, "redact" for what may
    be someone else's (docs/find-a-person.md, "What is marked for redaction"), "" for the rest.

    An email address is the person's when a word before its @ was searched for; a phone number
    when all its digits were; otherwise it is marked for redaction. A word is marked for
    redaction when it may be a name (a capital letter inside a sentence, not a month, a day or
    a title) or an identifier (five digits or more) and was not searched for.
    """
    pieces: list[tuple[str, str]] = []
    at = 0
    spans = [(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    spans += [(m.start(), m.end(), "phone") for m in PHONE.finditer(text) if not _inside(m.start(), spans)]
    spans += [(m.start(), m.end(), "word") for m in WORD.finditer(text) if not _inside(m.start(), spans)]
    for start, end, what in sorted(spans):
        piece = text[start:end]
        if what == "email":
            mark = "match" if _found(piece.split("@")[0], terms) else "redact"
        elif what == "phone":
            mark = "match" if all(_found(d, terms) for d in WORD.findall(piece)) else "redact"
        elif _found(piece, terms):
            mark = "match"
        elif _name_like(text, start, piece):
            mark = "redact"
        else:
            continue
        pieces += [(text[at:start], ""), (piece, mark)]
        at = end
    pieces.append((text[at:], ""))
    return _joined([p for p in pieces if p[0]])


def _inside(position: int, spans: list[tuple[int, int, str]]) -> bool:
    return any(start <= position < end for start, end, _ in spans)


def _name_like(text: str, start: int, word: str) -> bool:
    if sum(ch.isdigit() for ch in word) >= 5:
        return True
    if not word[:1].isupper() or words(word)[0] in NOT_NAMES:
        return False
    before = text[:start].rstrip()
    return bool(before) and before[-1] not in '.!?\n"“(–'


def _joined(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Neighbours with the same mark, and what joins two marked words (a space, a hyphen, an
    apostrophe: "Pemberton-Oyelaran"), as one piece."""
    out: list[tuple[str, str]] = []
    for piece, mark in pieces:
        if out and out[-1][1] == mark:
            out[-1] = (out[-1][0] + piece, mark)
        elif len(out) >= 2 and mark and JOINER.fullmatch(out[-1][0]) and out[-2][1] == mark:
            space = out.pop()[0]
            out[-1] = (out[-1][0] + space + piece, mark)
        else:
            out.append((piece, mark))
    return out
