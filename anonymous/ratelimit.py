"""Rate limits for the public pages, kept in the `ratelimits` cache.

The key is the keyed client hash from the middleware (never an address). The cache is a
database table (`anonymous_ratelimits`, made by this app's migration) so every worker
process shares the counts; it holds only hashes and counts, each for one window.
"""

import time
from dataclasses import dataclass

from django.core.cache import caches

CACHE = "ratelimits"


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


REPORT = Limit("report", 20, 3600)
RECEIPT_LOOKUP = Limit("receipt", 10, 600)
MESSAGE = Limit("message", 30, 3600)


def hit(limit: Limit, client: str) -> bool:
    """Count one use by `client`; True while within the limit.

    Every call does the same cache work (add, then incr), whatever the outcome.
    """
    cache = caches[CACHE]
    window = int(time.time()) // limit.seconds
    key = f"{limit.name}:{client}:{window}"
    cache.add(key, 0, timeout=limit.seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.seconds)
        used = 1
    return used <= limit.count
