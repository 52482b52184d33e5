"""The one way the rest of Incident Desk tells people things.

    notify(users=[...], kind="incident_major", incident=incident, context={...})

Call it inside the transaction that makes the change: what it queues exists if and only
if the change committed, and is sent by the worker after commit, never on the request
path. `kind` names the templates `notifications/email/<kind>_subject.txt` and
`<kind>.txt`; the context they get is the incident (reference, organisation), a link and
`context`. Never put a report's contents or personal data in `context`: bodies carry the
reference, what is needed and a link.

`mandatory=False` marks what a person may choose to receive as a daily digest instead.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    incident: Any = None,
    organisation: Any = None,
    link: str = "",
    context: dict[str, Any] | None = None,
    mandatory: bool = True,
) -> None:
    """Queue a notification of `kind` to each of `users` (deduplicated, active users only)."""
    from .tasks import send_notification

    user_ids = sorted({u.pk for u in users if u is not None and getattr(u, "is_active", True)})
    if not user_ids:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must be called inside the transaction that makes the change")
    send_notification.enqueue(
        user_ids=user_ids,
        kind=kind,
        incident_id=getattr(incident, "pk", None),
        organisation_id=getattr(organisation, "pk", None) or getattr(incident, "organisation_id", None),
        link=link,
        context=dict(context or {}),
        mandatory=mandatory,
    )
