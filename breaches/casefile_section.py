"""The breach record's section in the incident's case file (registered in BreachesConfig.ready)."""

from typing import Any

from django.utils import dateformat, timezone

from incidents.models import Incident

from .clock import ico_clock_state
from .models import Assessment, Decision, IcoSubmission, IndividualsNotice


def _when(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j F Y, H:i") if value else "Not recorded"


def _name(user: Any) -> str:
    return (user.full_name or user.email) if user else "No account"


def breach_sections(incident: Incident, viewer: Any) -> list[dict[str, Any]]:
    """Every assessment, decision, report to the ICO and notice to people; nothing if there are none."""
    assessments = list(Assessment.objects.filter(incident=incident).select_related("assessed_by").order_by("version"))
    decisions = list(Decision.objects.filter(assessment__incident=incident).select_related("decided_by", "assessment"))
    submissions = list(IcoSubmission.objects.filter(incident=incident))
    notices = list(IndividualsNotice.objects.filter(incident=incident))
    if not (assessments or decisions or submissions or notices):
        return []
    rows = [{"label": "72-hour ICO clock", "value": ico_clock_state(incident).text}]
    for a in assessments:
        r = a.result
        rows.append(
            {
                "label": f"Assessment {a.version} ({_name(a.assessed_by)}, {_when(a.assessed_on)})",
                "value": f"{a.outcome_words}. Harm {r['likelihood']['words']}, impact {r['impact']['words']}; "
                f"ENISA {r['enisa']['score']:g} ({r['enisa']['band']}); suggested severity {r['suggested_severity']}.",
            }
        )
    for d in sorted(decisions, key=lambda d: d.decided_on):
        rows.append(
            {
                "label": f"Decision ({_name(d.decided_by)}, {_when(d.decided_on)})",
                "value": f"{d.get_decision_display()}"
                + ("" if d.agrees else f" (overriding assessment {d.assessment.version})")
                + f". {d.reason}",
            }
        )
    for s in submissions:
        rows.append(
            {
                "label": f"{s.get_phase_display()} to the ICO",
                "value": f"{_when(s.submitted_on)}; case reference {s.ico_reference or 'none yet'}"
                + (f"; reasons for delay: {s.delay_reason}" if s.delay_reason else "")
                + (f"; ICO's response: {s.ico_response}" if s.ico_response else ""),
            }
        )
    for n in notices:
        rows.append(
            {
                "label": f"{n.get_audience_display()} told",
                "value": f"{_when(n.told_on)} by {n.get_method_display().lower()}"
                + (f", {n.how_many} people" if n.how_many is not None else ""),
            }
        )
    return [{"title": "Personal data breach assessment", "rows": rows}]
