"""The built-in security-incident policy: the text a new policy is drafted from.

Written for Incident Desk in its own words, on the structure the published model policies
share: numbered points, each with what staff must do (MUST), why (WHY) and how (HOW), then
what to do when a point cannot be followed, how to suggest a change, and what a breach of the
policy means. The MUST, WHY and HOW of one number are one point: they share its key in every
version. An organisation changes any of it before it is approved and published.
"""

from dataclasses import dataclass

from .models import PolicyPoint

Section = PolicyPoint.Section

TITLE = "Information security incident policy"


@dataclass(frozen=True)
class Point:
    must: str
    why: str
    how: str


POINTS: tuple[Point, ...] = (
    Point(
        must="Tell us straight away when you notice something that has put, or could put, information at risk.",
        why="The sooner we know, the sooner we can limit the harm, and some incidents must be reported to the "
        "regulator within 72 hours of our becoming aware of them. Every report, even of a near miss, shows us "
        "where we can do better.",
        how="Use Report an incident in Incident Desk, at any time of day or night. If you cannot sign in, tell "
        "the incident manager in person or by phone and they will record it for you.",
    ),
    Point(
        must="Say what you know when you report, and do not wait until you know everything.",
        why="What you saw helps us judge how serious it is and who needs to act first.",
        how="Describe what happened, when, where, which information or equipment was involved, who it is about "
        "and anything already done to put it right. Leave blank what you do not know.",
    ),
    Point(
        must="Do not investigate or test a weakness yourself, and do not delete anything that may be evidence.",
        why="Trying it out can make the harm worse, and evidence that has been changed cannot be relied on later.",
        how="Leave devices, emails and papers as they are, note what you saw, and wait to be asked before "
        "doing anything else.",
    ),
    Point(
        must="The incident manager records, classifies and arranges the investigation of every report.",
        why="One person seeing every report makes sure none is lost and each gets the care its severity needs.",
        how="The incident manager sets the severity, names an investigating officer, and makes sure the "
        "investigation checklist is worked through and an outcome report is written.",
    ),
    Point(
        must="Major and critical incidents are overseen by the Senior Information Risk Owner with the "
        "Data Protection Officer.",
        why="The most serious incidents need senior attention, expert advice and an independent view.",
        how="The Senior Information Risk Owner leads critical investigations and works with the Data Protection "
        "Officer on major ones; together they decide whether the regulator and the people affected must be told.",
    ),
    Point(
        must="Keep to the timescales for each step and escalate when one is missed.",
        why="Incidents that are dealt with late cause more harm and can break the law.",
        how="Incident Desk shows what is due and when, and tells the people above when something is overdue.",
    ),
    Point(
        must="Learn from every incident so it does not happen again.",
        why="An incident that is closed without a lesson is likely to happen again.",
        how="Each outcome report says what went wrong and what will change, with remedial actions that have an "
        "owner and a date.",
    ),
)

CLOSING: tuple[tuple[str, str], ...] = (
    (
        Section.EXCEPTIONS,
        "If you have a good reason why you cannot follow a point of this policy, ask for an exception before "
        "you act against it. Say which point, why, what the risk is and what you will do instead to keep "
        "information safe. The Senior Information Risk Owner or the Data Protection Officer decides, and an "
        "exception lasts for a limited time only.",
    ),
    (
        Section.CHANGES,
        "If this policy gets in the way of your work or misses something, tell the incident manager. If they "
        "agree, they will propose a change to the policy's owner, who will consider it at the next review.",
    ),
    (
        Section.BREACHES,
        "A breach of this policy will be looked into and may lead to disciplinary action. A serious breach "
        "may be treated as gross misconduct.",
    ),
)


def points() -> list[PolicyPoint]:
    """The template as unsaved points (no version yet): numbered, in order, each point's three
    lines sharing one key."""
    from .models import new_point_key

    made: list[PolicyPoint] = []
    for index, point in enumerate(POINTS, start=1):
        key = new_point_key()
        for section, text in ((Section.MUST, point.must), (Section.WHY, point.why), (Section.HOW, point.how)):
            made.append(PolicyPoint(section=section, number=str(index), position=index, text=text, key=key))
    for position, (closing, text) in enumerate(CLOSING, start=1):
        made.append(PolicyPoint(section=closing, number="", position=position, text=text, key=new_point_key()))
    return made
