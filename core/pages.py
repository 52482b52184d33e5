"""A short working list read a page at a time, in its own order, without counting it.

For lists bounded by open work rather than by history (running ICO clocks, open major and
critical incidents): 50 rows a page, the page after known by reading one row more. A list
that grows with a county's history pages by keyset instead (`core/keyset.py`).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50


@dataclass
class WorkPage:
    rows: list[Any]
    number: int
    has_more: bool
    size: int
    querystring: str  # the page's own query without `page`, for the links: "" or "closed=1&"

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def paged(self) -> bool:
        return self.number > 1 or self.has_more


def page_number(request: HttpRequest) -> int:
    """The page `?page=` asks for: the first if it is missing or not a number."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def work_page(queryset: QuerySet[Any], request: HttpRequest, size: int = PAGE_SIZE) -> WorkPage:
    """The page `?page=` asks for (`page_number`)."""
    number = page_number(request)
    start = (number - 1) * size
    found = list(queryset[start : start + size + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return WorkPage(found[:size], number, len(found) > size, size, f"{query.urlencode()}&" if query else "")
