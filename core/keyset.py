"""Keyset pages and bounded counts: a long list costs the same on its first page and its last.

A page is asked for by where it starts (`?after=` the last row of the page before it) or ends
(`?before=` the first row of the page after it), never by its number: the database walks the
index of the list's sort from that row and reads one page, where an offset reads and throws
away every row before it. The cursor is the sort value and the id, in the address, so the
links work without JavaScript and can be bookmarked.

The count is exact up to `COUNT_CAP`; beyond it, an estimate said as one ("about 190,000"):
the rate at which the newest `COUNT_CAP` rows arrived, carried back to the oldest row. Both
read at most `COUNT_CAP` + 1 index entries and one more row, whatever the list's length.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

COUNT_CAP = 1000


@dataclass
class Tally:
    """How many rows a list holds: `exact`, or an estimate (`about`) when there are more than the cap."""

    number: int
    exact: bool

    def __str__(self) -> str:
        return f"{self.number:,}" if self.exact else f"about {self.number:,}"


@dataclass
class KeysetPage:
    """One page of a list sorted newest first by `key` then id; the template's `page_obj`."""

    object_list: list[Any]
    has_next: bool
    has_previous: bool
    key: str
    tally: Tally | None = None
    cursor: str = field(default="")  # where this page starts, for a form that must find it again

    def _cursor(self, row: Any) -> str:
        return cursor_of(row, self.key)

    @property
    def next_cursor(self) -> str:
        return self._cursor(self.object_list[-1]) if self.object_list else ""

    @property
    def previous_cursor(self) -> str:
        return self._cursor(self.object_list[0]) if self.object_list else ""


def cursor_of(row: Any, key: str) -> str:
    """Where a page starting after `row` starts: its `key` and id (a model or a values() row)."""
    if isinstance(row, dict):  # a values() row, as the monitoring log reads them
        return f"{row[key].isoformat()}~{row['id']}"
    return f"{getattr(row, key).isoformat()}~{row.pk}"


def parse_cursor(text: str | None) -> tuple[datetime, int] | None:
    """`2026-12-05T17:10:00+00:00~1234` → (moment, id); None for anything else."""
    value, _, pk = (text or "").rpartition("~")
    try:
        moment = parse_datetime(value)
        number = int(pk)
    except ValueError:
        return None
    if moment is None:
        return None
    return (moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)), number


def keyset_page(queryset: QuerySet[Any], data: Any, *, key: str, size: int) -> KeysetPage:
    """The page of `queryset` (newest `key` first, then highest id) that `data` (the GET) asks for."""
    after, before = parse_cursor(data.get("after")), parse_cursor(data.get("before"))
    newest_first = queryset.order_by(f"-{key}", "-pk")
    if before is not None:
        moment, pk = before
        # The `key__gte` bound lets the index range start at the cursor; the OR splits the ties.
        rows = list(
            queryset.filter(
                Q(**{f"{key}__gt": moment}) | Q(**{key: moment, "pk__gt": pk}), **{f"{key}__gte": moment}
            ).order_by(key, "pk")[: size + 1]
        )
        page = KeysetPage(rows[:size][::-1], has_next=True, has_previous=len(rows) > size, key=key)
    else:
        if after is not None:
            moment, pk = after
            newest_first = newest_first.filter(
                Q(**{f"{key}__lt": moment}) | Q(**{key: moment, "pk__lt": pk}), **{f"{key}__lte": moment}
            )
        rows = list(newest_first[: size + 1])
        page = KeysetPage(rows[:size], has_next=len(rows) > size, has_previous=after is not None, key=key)
    page.cursor = page.previous_cursor
    return page


def tally(queryset: QuerySet[Any], *, key: str, cap: int = COUNT_CAP) -> Tally:
    """How many rows `queryset` holds, exactly up to `cap`, else estimated; always one query.

    It reads the newest `cap` + 1 rows' keys through the sort's index (how many, the newest and
    the oldest of them) and, through the same index from the other end, the oldest row's key.
    Beyond the cap the estimate assumes rows kept arriving at the rate of the newest `cap`:
    cap * (newest - oldest) / (newest - the cap-th newest).
    """
    # The oldest row's key rides along as an uncorrelated scalar subquery, asked once: one round trip.
    first = Subquery(queryset.order_by(key, "pk").values(key)[:1])
    newest = queryset.order_by(f"-{key}", "-pk").annotate(oldest_key=first).values(key, "oldest_key")[: cap + 1]
    # Aggregating a sliced queryset is a subquery: the slice stays inside, the figures outside.
    figures = newest.aggregate(counted=Count("*"), edge=Min(F(key)), top=Max(F(key)), oldest=Min("oldest_key"))
    counted, edge, top, oldest = figures["counted"], figures["edge"], figures["top"], figures["oldest"]
    if counted <= cap or edge is None or oldest is None:
        return Tally(counted, exact=True)
    span, recent = (top - oldest).total_seconds(), (top - edge).total_seconds()
    estimate = cap * span / recent if recent > 0 else counted
    return Tally(max(round_figure(estimate), cap + 1), exact=False)


def round_figure(value: float) -> int:
    """Two significant figures: an estimate says no more than it knows (187,412 → 190,000)."""
    number = int(value)
    if number < 100:
        return number
    digits = len(str(number)) - 2
    return round(number, -digits)
