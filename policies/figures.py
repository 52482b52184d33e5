"""The acknowledgement figure on the management dashboard (`insights.dashboard.add_figure`)."""

from typing import Any

from django.urls import reverse

from insights.dashboard import Figure

from .register import figure


def acknowledged_figure(scope: Any) -> Figure | None:
    done, asked = figure(scope.organisation)
    if not asked:
        return None
    share = round(100 * done / asked)
    text = f"of staff have read the security incident policy in force ({done} of {asked})"
    href = reverse("policies:register", args=[scope.organisation.uuid]) if scope.is_handler else None
    return Figure("policy_acknowledged", f"{share}%", text, href)
