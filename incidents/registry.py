"""The one registry through which apps above `incidents` take part in an incident's life.

Four things are registered here, each from the registering app's `AppConfig.ready()`:

- **Reactions to events** (`subscribe`): steps write their event; other apps react.
- **Blockers of a step** (`add_blocker`): a higher app's condition on a step, e.g. the breach
  record's "a personal data breach needs an assessment and a decision before closing". The
  step refuses with these words, and the page lists the same words, so they never disagree.
- **Case-file sections** (`add_section`): the parts of the case file other apps hold.
- **Followers of a merge** (`add_follower`): what a higher app holds of a duplicate (its
  evidence) and moves to the incident it is merged into, reporting what moved for the events.
- **Lists on the incident page** (`add_page_list`): a higher app's rows of the incident (the
  breach record's assessments) that the page fetches with its own lists, in one query.
- **The text search** (`set_text_search`): the one full-text search (the `learning` app's index),
  which the incident list's `q` and the API's list filter through.

Reactions to events
-------------------

A lifecycle step (and any other change to an incident that other apps care about) writes one
event on the record through `publish`. Apps on higher floors subscribe in their
`AppConfig.ready()`:

    from incidents.registry import subscribe
    subscribe(recompute_deadlines, "incident.")

and are called, in order of subscription, inside the step's transaction with the stored
`audit.Event` and the incident: what they write commits or rolls back with the step, and they
queue anything that leaves the building (email, jobs) for after the commit. The step never
imports them, so nothing below `incidents` depends on anything above it.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit.log import record

if TYPE_CHECKING:
    from audit.models import Event

    from .models import Incident

Subscriber = Callable[["Event", "Incident"], None]

_subscribers: list[tuple[tuple[str, ...], Subscriber]] = []


def subscribe(subscriber: Subscriber, *prefixes: str) -> None:
    """Call `subscriber(event, incident)` after each published event whose action starts with a prefix.

    No prefixes: every event. Subscribing the same function twice has no effect.
    """
    if any(existing is subscriber for _, existing in _subscribers):
        return
    _subscribers.append((prefixes, subscriber))


def publish(
    incident: "Incident",
    action: str,
    by: Any,
    *,
    target: Any = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    at: Any = None,
) -> "Event":
    """Write the event on the incident's record, then let the subscribers react (same transaction)."""
    event = record(
        organisation_id=incident.organisation_id,
        action=action,
        actor=by,
        record=incident,
        target=target,
        before=before,
        after=after,
        reason=reason,
        at=at,
    )
    for prefixes, subscriber in list(_subscribers):
        if not prefixes or action.startswith(prefixes):
            subscriber(event, incident)
    return event


# ── Blockers of a step ───────────────────────────────────────────────────────────────────

Blocker = Callable[["Incident"], list[str]]
_blockers: dict[str, list[Blocker]] = {}


def add_blocker(step: str, blocker: Blocker) -> None:
    """`blocker(incident)` returns what stands in the way of `step`, in plain words (empty: nothing)."""
    registered = _blockers.setdefault(step, [])
    if blocker not in registered:
        registered.append(blocker)


def registered_blockers(step: str, incident: "Incident") -> list[str]:
    return [words for blocker in _blockers.get(step, []) for words in blocker(incident)]


# ── What follows a duplicate into the incident it is merged into ────────────────────────

# Each function takes (duplicate, survivor, by), moves what its app holds of the duplicate to
# the survivor (inside the merge's transaction) and returns what it moved, as JSON-able
# values keyed by its own name (`{"evidence": ["<uuid>", ...]}`): the merge writes that on
# both incidents' events, so what moved is on the record without an event of its own.
Follower = Callable[["Incident", "Incident", Any], dict[str, Any]]
_followers: list[Follower] = []


def add_follower(follower: Follower) -> None:
    if follower not in _followers:
        _followers.append(follower)


def follow(duplicate: "Incident", survivor: "Incident", by: Any) -> dict[str, Any]:
    moved: dict[str, Any] = {}
    for follower in list(_followers):
        moved |= follower(duplicate, survivor, by)
    return moved


# ── Case-file sections ───────────────────────────────────────────────────────────────────

# Each function takes (incident, viewer) and returns sections as
# [{"title": str, "rows": [{"label": str, "value": str}]}], leaving out what `viewer` may not see.
Section = dict[str, Any]
SectionBuilder = Callable[["Incident", Any], list[Section]]
_sections: list[SectionBuilder] = []


def add_section(builder: SectionBuilder) -> SectionBuilder:
    if builder not in _sections:
        _sections.append(builder)
    return builder


def remove_section(builder: SectionBuilder) -> None:
    if builder in _sections:
        _sections.remove(builder)


def extra_sections(incident: "Incident", viewer: Any) -> list[Section]:
    return [section for build in list(_sections) for section in build(incident, viewer)]


# ── Lists on the incident page ────────────────────────────────────────────────────────

# Each entry names a reverse relation of the incident (`"breach_assessments"`) and a function
# returning the queryset of its rows as the page shows them (ordering, `select_related`,
# annotations). The page fetches them with its own lists, all in one query (`core.rows`), and
# leaves them where `incident.<relation>.all()` reads them, as a prefetch would.
PageList = Callable[[], Any]
_page_lists: dict[str, PageList] = {}


def add_page_list(relation: str, rows: PageList) -> None:
    _page_lists[relation] = rows


def page_lists() -> dict[str, PageList]:
    return dict(_page_lists)


# ── The text search ──────────────────────────────────────────────────────────────────────

TextSearch = Callable[[Any, str], Any]
_text_search: list[TextSearch] = []


def set_text_search(search: TextSearch) -> None:
    """`search(incident_queryset, words)` narrows the queryset to the incidents the words find."""
    _text_search[:] = [search]


def text_search(queryset: Any, words: str) -> Any:
    if not _text_search:
        raise RuntimeError("No text search is registered: the learning app holds it.")
    return _text_search[0](queryset, words)
