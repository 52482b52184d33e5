"""Text helpers for pages and exports, knowing nothing of incidents."""

import re

SUMMARY_LENGTH = 100


def one_line(text: str | None, limit: int = SUMMARY_LENGTH) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters with an ellipsis.

    "The laptop was left on the 8.15 train and has not been handed in; it held the
    SEN register" -> "The laptop was left on the 8.15 train and has not been handed in; it held the SEN…"
    Line breaks and runs of spaces become one space; a single word longer than `limit` is cut
    inside the word, as there is no boundary to cut at.
    """
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-–") + "…"
