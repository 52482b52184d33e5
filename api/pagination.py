"""Cursor pagination: a page of a list and an opaque cursor to the next, stable while rows
are added (a new report never shifts the next page, as an offset would).

The cursor is the last row's (reported_on, id) in the list's order (newest first), base64 so
nobody builds one by hand; a cursor that does not decode is a 422 like any invalid input.
"""

import base64
import binascii
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from .errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
BAD_CURSOR = "This cursor is not one we gave. Start again without it."


def encode(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = text.split("|")
        found = datetime.fromisoformat(moment), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid({"cursor": [BAD_CURSOR]}) from None
    if found[0].tzinfo is None:
        raise Invalid({"cursor": [BAD_CURSOR]})
    return found


def page(
    queryset: QuerySet[Any], *, cursor: str | None, limit: int, field: str = "reported_on"
) -> tuple[list[Any], str | None]:
    """Up to `limit` rows after `cursor`, newest first by `field` then id; and the next cursor."""
    ordered = queryset.order_by(f"-{field}", "-id")
    if cursor:
        moment, pk = decode(cursor)
        ordered = ordered.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "id__lt": pk}))
    rows = list(ordered[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None
