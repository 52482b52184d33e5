"""Evidence files checked against the record, for `verify_events` (registered in apps.py).

Each file is opened (sealed files are decrypted, every chunk's tag checked) and its clear
bytes re-hashed, then compared with two digests: the evidence row's, and the one written in
its upload event (which the keyed chain protects, so changing both the file and the row's
digest is still seen). A missing file, or a sealed file that does not open, is a problem too.

Not problems, but counted in the notes: files still stored in clear (from before sealing:
`manage.py seal_evidence` seals them), and files whose incident's key was destroyed by a
disposal (they can never be opened; disposal removes them).
"""

from audit.log import label
from audit.models import Event
from audit.sealing import SealingError
from audit.sealing_files import KeyDestroyed, OpeningReader
from audit.verify import Break, CheckResult

from . import storage
from .models import Evidence


def check_files() -> CheckResult:
    result = CheckResult(what="evidence files", checked=0)
    # Whole rows: an incident's event content is sealed as one value, opened as it is read;
    # an event whose incident's key was destroyed reads as `disposed`, its digest unknowable.
    uploaded = {
        event.target_id: (event.pk, (event.after or {}).get("sha256"), getattr(event, "disposed", False))
        for event in Event.objects.filter(action="evidence.uploaded", target_type=label(Evidence()))
    }
    in_clear, destroyed = 0, 0
    for evidence in Evidence.objects.select_related("incident").order_by("pk").iterator(chunk_size=500):
        result.checked += 1
        event_id, recorded, disposed = uploaded.get(str(evidence.pk), (None, None, False))
        org = evidence.incident.organisation_id
        name = f"evidence {evidence.uuid} ('{evidence.original_name}', {evidence.incident})"
        if disposed:
            destroyed += 1
            continue
        if recorded is None:
            result.breaks.append(Break(org, None, None, f"{name} has no upload event in the record"))
            continue
        if recorded != evidence.sha256:
            result.breaks.append(Break(org, None, event_id, f"the digest of {name} differs from the record's"))
            continue
        try:
            with storage.open_clear(evidence.stored_name, storage.binding(evidence.uuid)) as handle:
                sealed = isinstance(handle.raw, OpeningReader)
                digest = storage.hash_of(handle)
        except FileNotFoundError:
            result.breaks.append(Break(org, None, event_id, f"the file of {name} is missing"))
            continue
        except KeyDestroyed:
            destroyed += 1
            continue
        except SealingError as error:
            result.breaks.append(Break(org, None, event_id, f"the sealed file of {name} does not open: {error}"))
            continue
        in_clear += not sealed
        if digest != recorded:
            result.breaks.append(Break(org, None, event_id, f"the file of {name} no longer matches its digest"))
    if in_clear:
        result.notes.append(
            f"{in_clear} evidence file(s) are stored in clear, from before sealing: run python manage.py seal_evidence."
        )
    if destroyed:
        result.notes.append(
            f"{destroyed} evidence file(s) belong to incidents whose key was destroyed: they can no longer be opened."
        )
    return result
