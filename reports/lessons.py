"""Lessons learned for the governor pack: the hook the lifecycle's outcome reports fill.

The outcome report (findings, root cause, lessons learned) belongs to the lifecycle
work. Until its model is on main this returns nothing, and the pack says that no
lessons were recorded. On merge, point `lessons_learned` at the outcome reports of the
incidents given, returning each summary with its incident type, never a name.
"""

from typing import Any


def lessons_learned(incidents: Any) -> list[dict[str, str]]:
    """[{"type": ..., "lesson": ...}] for the incidents' outcome reports in the period."""
    return []
