"""The policies' part of the governor pack (`insights.pack.add_part`): counts only, no names.

The acknowledgement figure is the register's own (`register.figure`, as on the dashboard); the
exceptions are those in force on the period's last day (`PolicyException.objects.in_force`).
"""

from typing import Any

from .exceptions import point_label
from .models import PolicyException
from .register import figure


def pack_part(scope: Any, period: Any) -> dict[str, Any]:
    done, asked = figure(scope.organisation)
    acknowledgements = []
    if asked:
        acknowledgements.append(
            {
                "label": "The security incident policy in force (today)",
                "acknowledged": done,
                "people": asked,
                "percent": round(100 * done / asked),
            }
        )
    in_force = (
        PolicyException.objects.in_force(period.end)
        .filter(organisation__path__startswith=scope.organisation.path)
        .select_related("point__version__policy")
    )
    counts: dict[str, int] = {}
    for exception in in_force:
        label = point_label(exception.point)
        counts[label] = counts.get(label, 0) + 1
    return {
        "acknowledgements": acknowledgements,
        "exceptions": [{"label": label, "count": n} for label, n in sorted(counts.items())],
        "exceptions_total": sum(counts.values()),
    }
