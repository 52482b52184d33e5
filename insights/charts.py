"""Bar charts as server-rendered SVG: no JavaScript, an accessible name and description,
and the same numbers in a table beside each chart (the table is the source of truth)."""

from typing import Any
from urllib.parse import urlencode

from .dashboard import Bar

ROW_HEIGHT = 28
LABEL_WIDTH = 230
BAR_WIDTH = 300


def chart(
    key: str, title: str, bars: list[Bar], log_url: str | None, scope_uuid: str, value_label: str = "Incidents"
) -> dict[str, Any]:
    """What the chart template needs: geometry for the SVG, links for the table."""
    top = max((bar.value for bar in bars), default=0) or 1
    rows = []
    for index, bar in enumerate(bars):
        href = f"{log_url}?{urlencode({'scope': scope_uuid, **bar.query})}" if log_url else ""
        rows.append(
            {
                "label": bar.label,
                "value": bar.value,
                "href": href,
                "y": index * ROW_HEIGHT,
                "text_y": index * ROW_HEIGHT + 18,
                "width": round(BAR_WIDTH * bar.value / top),
                "value_x": LABEL_WIDTH + round(BAR_WIDTH * bar.value / top) + 6,
            }
        )
    summary = "; ".join(f"{bar.label}: {bar.value}" for bar in bars) or "No incidents."
    return {
        "key": key,
        "title": title,
        "description": f"Bar chart of {value_label.lower()}. {summary}.",
        "rows": rows,
        "height": max(len(bars), 1) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH,
        "total_width": LABEL_WIDTH + BAR_WIDTH + 60,
        "value_label": value_label,
    }
