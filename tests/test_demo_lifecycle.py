"""The demo data reaches every state through the real lifecycle steps."""

from audit.log import verify
from audit.models import Event
from demo import load as demo
from incidents.models import Incident, OutcomeReport


def test_demo_has_every_state_and_a_closed_major_incident_with_its_outcome_report(db: None) -> None:
    demo.load(incident_count=40)
    statuses = set(Incident.objects.values_list("status", flat=True))
    assert statuses == set(Incident.Status.values)
    closed_major = Incident.objects.filter(status="closed", severity="major")
    assert closed_major.exists()
    report = OutcomeReport.objects.get(incident=closed_major.first())
    assert report.status == OutcomeReport.Status.ACCEPTED
    assert report.reviews.filter(reviewer_role="dpo", decision="accepted").exists()
    # Every status change is a real step's event, never a made-up one.
    assert not Event.objects.filter(action="incident.status_changed").exists()
    assert Event.objects.filter(action="incident.closed").count() == Incident.objects.filter(status="closed").count()
    checked, broken = verify()
    assert broken is None and checked > 0
    # Retention: old incidents wait on this month's disposal list; the one on legal hold is not on it.
    from retention.models import DisposalEntry

    waiting = DisposalEntry.objects.filter(decision="waiting")
    held = Incident.objects.get(legal_hold_on__isnull=False)
    assert waiting.count() >= 3 and not waiting.filter(incident=held).exists()


def test_every_demo_incident_page_renders_for_the_dpo(client, db: None) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    demo.load(incident_count=18)
    client.force_login(get_user_model().objects.get(email="dpo@example.org"))
    for incident in Incident.objects.all():
        assert client.get(reverse("incidents:detail", args=[incident.uuid])).status_code == 200
        if OutcomeReport.objects.filter(incident=incident, round__gt=0).exists():
            assert client.get(reverse("incidents:outcome", args=[incident.uuid])).status_code == 200
    for name in ("queue", "mine", "serious"):
        assert client.get(reverse(f"incidents:{name}")).status_code == 200
