"""The demo breaches show what the issue must show: a running clock and a completed ICO report."""

from audit.log import verify
from breaches.clock import ico_clock_state
from demo import load as demo


def test_demo_breaches_show_a_running_clock_an_overdue_one_and_a_completed_ico_report(db) -> None:
    running, overdue, reported, record_only = demo.load(incident_count=4)["breaches"]
    state = ico_clock_state(running)
    assert state.state == "running" and state.hours_left == 51
    assert ico_clock_state(overdue).state == "overdue"
    assert reported.ico_reference == "IC-000000-DEMO1"
    assert reported.ico_submissions.count() == 2
    assert reported.individuals_told_on is not None
    assert ico_clock_state(reported).state == "reported"
    assert record_only.ico_decision == "record_only"
    assert ico_clock_state(record_only).state == "not_needed"
    assert verify()[1] is None  # every step went on the record, chains intact
