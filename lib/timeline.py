"""A timeline a person can read: runs of the same event folded into one line.

The record keeps every event; a document that lists them ("Checklist item updated" thirteen
times in a row) hides what happened among the repeats. `fold` turns each run of entries that
say the same thing, by the same person, with no reason of their own, into one entry: the
first and last time, and how many.
"""

from collections.abc import Iterable
from typing import Any

# The keys of an entry that must match for two entries to be the same thing.
SAME = ("what", "who")


def fold(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entries` (dicts with "when" and "what", maybe "who" and "reason"), in order, with each
    run of two or more alike folded into one: "what (13 times)", "when" from first to last."""
    folded: list[dict[str, Any]] = []
    run = 0
    last_when = ""
    for entry in entries:
        previous = folded[-1] if folded else None
        if (
            previous is not None
            and not entry.get("reason")
            and not previous.get("reason")
            and all(entry.get(key) == previous.get(key) for key in SAME)
        ):
            run += 1
            last_when = entry["when"]
            continue
        _close(folded, run, last_when)
        folded.append(dict(entry))
        run = 1
    _close(folded, run, last_when)
    return folded


def _close(folded: list[dict[str, Any]], run: int, last_when: str) -> None:
    if run > 1:
        entry = folded[-1]
        entry["what"] = f"{entry['what']} ({run} times)"
        if last_when != entry["when"]:
            entry["when"] = f"{entry['when']} to {last_when}"
