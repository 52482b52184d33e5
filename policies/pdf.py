"""A policy's version as a PDF, made the one way every PDF is (`lib/pdf.py`)."""

from pathlib import Path
from typing import Any

from lib import clock, pdf

from .models import PolicyPoint, PolicyVersion

TEMPLATE = Path(__file__).resolve().parent / "typst" / "policy.typ"


def _day(value: Any) -> str:
    return clock.show(value, clock.Precision.DAY, long=True) if value else ""


def policy_pdf(version: PolicyVersion) -> bytes:
    policy = version.policy
    titles = policy.organisation.role_titles()
    points = list(version.points.order_by("position", "id"))
    sections = [
        {
            "title": str(label),
            "points": [{"number": p.number, "text": p.text} for p in points if p.section == value],
        }
        for value, label in PolicyPoint.Section.choices
        if any(p.section == value for p in points)
    ]
    approved = (
        f"{version.approved_by.full_name or version.approved_by.email}, {titles.get(version.approved_by_role, '')}, "
        f"{_day(version.approved_on)}"
        if version.approved_by is not None
        else "Not yet approved"
    )
    control = [
        ["Version", str(version.number)],
        ["Owner", titles.get(policy.owner_role, "")],
        ["Approved by", approved],
        ["Published", _day(version.published_at) or "Not yet published"],
        ["Review by", _day(version.review_by) or "Set when it is published"],
        ["What changed", version.summary_of_changes or "Not written"],
    ]
    data = {
        "title": policy.title,
        "organisation": policy.organisation.name,
        "number": version.number,
        "status": version.get_status_display().lower(),
        "sections": sections,
        "control": control,
    }
    return pdf.render_pdf(TEMPLATE, data, title=f"{policy.title}, version {version.number}")
