"""Key each escalation already sent by its occasion (`deadlines.scan.occasion`), as the scan now does.

Before, an escalation was keyed by the due date it passed, so a timescale edit or a
reclassification that moved the date sent it again. The earliest escalation of each
incident and kind (or each action without an agreed date) that belongs to the deadline's
current clock takes the new key, so the scan sees the occasion as told; the later repeats
keep their old keys as the record of what was sent. ICO reminders become "clock:48h" etc.,
once per reminder point per incident. Running it again changes nothing.
"""

from typing import Any

from django.db import migrations
from django.utils import timezone

INCIDENT_KINDS = {
    "triage_overdue": "triage",
    "urgent_untriaged": "urgent_triage",
    "investigation_overdue": "outcome",
    "reporter_update_due": "reporter_update",
}


def key(deadline: Any) -> str:
    start = deadline.starts_at or deadline.due_at
    return "from:" + timezone.localtime(start).strftime("%Y%m%dT%H%M")


def rekey(apps: Any, schema_editor: Any) -> None:
    Escalation = apps.get_model("deadlines", "Escalation")
    Deadline = apps.get_model("deadlines", "Deadline")
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in Escalation.objects.order_by("created_on", "pk").select_related("action"):
        if row.action_id is not None:
            if row.action.due_on is None:
                groups.setdefault(("action", row.action_id, row.kind), []).append(row)
        elif row.kind == "ico_clock":
            point = row.threshold.rsplit(":", 1)[-1]
            groups.setdefault(("ico", row.incident_id, row.kind, point), []).append(row)
        elif row.kind in INCIDENT_KINDS:
            groups.setdefault(("incident", row.incident_id, row.kind), []).append(row)
    for group, rows in groups.items():
        if group[0] == "ico":
            wanted = "clock:" + group[3]
            if not any(r.threshold == wanted for r in rows):
                Escalation.objects.filter(pk=rows[0].pk).update(threshold=wanted)
            continue
        if group[0] == "action":
            deadline = Deadline.objects.filter(action_id=group[1]).first()
        else:
            deadline = Deadline.objects.filter(
                incident_id=group[1], action__isnull=True, kind=INCIDENT_KINDS[group[2]]
            ).first()
        if deadline is None:
            continue
        wanted = key(deadline)
        if any(r.threshold == wanted for r in rows):
            continue
        start = deadline.starts_at or deadline.due_at
        current = [r for r in rows if r.created_on >= start]
        if current:
            Escalation.objects.filter(pk=current[0].pk).update(threshold=wanted)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0004_fill_deadlines")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
