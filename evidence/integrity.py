"""Evidence files checked against the record, for `verify_events` (registered in apps.py).

Each file's stored bytes are re-hashed and compared with two digests: the evidence row's,
and the one written in its upload event (which the keyed chain protects, so changing both
the file and the row's digest is still seen). A missing file is a problem too.
"""

from audit.log import label
from audit.models import Event
from audit.verify import Break, CheckResult

from . import storage
from .models import Evidence


def check_files() -> CheckResult:
    result = CheckResult(what="evidence files", checked=0)
    uploaded = {
        event.target_id: (event.pk, (event.after or {}).get("sha256"))
        for event in Event.objects.filter(action="evidence.uploaded", target_type=label(Evidence())).only(
            "pk", "target_id", "after"
        )
    }
    for evidence in Evidence.objects.select_related("incident").order_by("pk").iterator(chunk_size=500):
        result.checked += 1
        event_id, recorded = uploaded.get(str(evidence.pk), (None, None))
        org = evidence.incident.organisation_id
        name = f"evidence {evidence.uuid} ('{evidence.original_name}', {evidence.incident})"
        if recorded is None:
            result.breaks.append(Break(org, None, None, f"{name} has no upload event in the record"))
            continue
        if recorded != evidence.sha256:
            result.breaks.append(Break(org, None, event_id, f"the digest of {name} differs from the record's"))
            continue
        try:
            digest = storage.digest(evidence.stored_name)
        except FileNotFoundError:
            result.breaks.append(Break(org, None, event_id, f"the file of {name} is missing"))
            continue
        if digest != recorded:
            result.breaks.append(Break(org, None, event_id, f"the file of {name} no longer matches its digest"))
    return result
