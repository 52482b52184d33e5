"""The demo data carries remedial actions (overdue, open, done) and evidence that matches its digest."""

import hashlib

from actions.models import RemedialAction
from audit.log import verify
from demo import load as demo
from evidence.models import Evidence
from evidence.services import read_evidence


def test_demo_has_overdue_open_and_done_actions_and_sound_evidence(db: None) -> None:
    demo.load(incident_count=18)
    actions = list(RemedialAction.objects.all())
    assert any(a.is_overdue() for a in actions)
    assert any(a.status == "open" and not a.is_overdue() for a in actions)
    assert any(a.status == "done" for a in actions) and any(a.status == "cancelled" for a in actions)
    # Actions decided in a six-month type review (reports demo) belong to no incident.
    assert all(a.owner is not None and (a.incident is not None or a.source == "type_review") for a in actions)
    evidence = list(Evidence.objects.all())
    assert {e.content_type for e in evidence} == {"image/png", "text/plain"}
    assert all(hashlib.sha256(read_evidence(e)).hexdigest() == e.sha256 for e in evidence)
    assert verify()[1] is None  # every event the demo wrote is on an unbroken chain
