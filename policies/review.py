"""When a policy's review is due: the one rule, asked by the home page, the policy pages and the job.

A published version carries the date it must be reviewed by (`review_by`, a year after
publishing unless the publisher chose another). The review counts as done when the next version
is published. The deadlines app stores only incidents' and remedial actions' due moments (it
stands below this app and knows nothing of policies), so the rule of a review is kept here:

- due soon from `REVIEW_WARNING_DAYS` before the date, overdue from the date itself;
- the policy's owner (its owner role's holders) and the organisation admins are told once when it
  becomes due soon and once when it is overdue (`reminders.chase_reviews`, run each morning).
"""

from datetime import date, timedelta

from .models import PolicyVersion

REVIEW_WARNING_DAYS = 30


def review_state(version: PolicyVersion, today: date) -> str:
    """ "overdue", "soon" or "" (not published, no date, or not yet near)."""
    if version.status != PolicyVersion.Status.PUBLISHED or version.review_by is None:
        return ""
    if today >= version.review_by:
        return "overdue"
    if today >= version.review_by - timedelta(days=REVIEW_WARNING_DAYS):
        return "soon"
    return ""


def thresholds_reached(version: PolicyVersion, today: date) -> list[str]:
    """The moments of the review's chase that have come: each is told once (`Reminder.threshold`)."""
    state = review_state(version, today)
    reached = {"soon": ["soon"], "overdue": ["soon", "overdue"]}.get(state, [])
    return [f"{name}:{version.review_by}" for name in reached]


def chased_from(today: date) -> date:
    """Review dates on or before this one have something to chase today: one database condition."""
    return today + timedelta(days=REVIEW_WARNING_DAYS)
