"""Demo remedial actions and evidence on the demo incidents: some overdue, some done.

Called at the end of demo.load.load(). Every name and text here is invented.
"""

import io
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from actions.models import RemedialAction
from actions.services import cancel_action, complete_action, create_action
from evidence.models import Evidence
from evidence.services import add_evidence
from incidents.models import Incident
from organisations.models import Organisation, Role

# (title, details, days from today it is due, how it ends: "open", "done" or "cancelled", change reference)
ACTIONS = [
    ("Turn on a one-minute delay on sending for the office mailbox", "", -12, "open", "CHG-2041"),
    ("Remind all staff to check recipients before sending class lists", "At the next staff briefing.", -30, "done", ""),
    ("Send class lists only from the management information system", "", 20, "open", ""),
    (
        "Replace the unencrypted memory sticks in the staff room",
        "Order encrypted sticks; collect the old ones.",
        -3,
        "open",
        "CHG-2055",
    ),
    ("Add the visitors' sign-in sheet to the data protection training", "", 45, "open", ""),
    ("Move the shredding bin next to the photocopier", "", -60, "done", ""),
    ("Review who can open the SEN folder on the shared drive", "", -5, "cancelled", ""),
]

NOTE = (
    "Note of a telephone call, taken by the incident manager.\n\n"
    "The parent who received the email confirmed that they have deleted it from their inbox and "
    "from their deleted items, and that they did not forward it. They will confirm in writing.\n"
)


def screenshot_png(caption: str) -> bytes:
    """A small made-up 'screenshot': a grey box with a caption."""
    image = Image.new("RGB", (480, 160), (243, 242, 241))
    ImageDraw.Draw(image).text((16, 70), caption, fill=(11, 12, 12))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def manager_for(organisation: Organisation) -> Any:
    holders = organisation.holders(Role.INCIDENT_MANAGER) or organisation.holders(Role.SIRO)
    return holders[0] if holders else None


def owners_for(organisation: Organisation) -> list[Any]:
    people = []
    for role in (Role.INVESTIGATOR, Role.INCIDENT_MANAGER, Role.SIRO):
        people.extend(organisation.holders(role))
    return people


@transaction.atomic
def load(organisations: dict[str, Organisation], users: dict[str, Any]) -> None:
    today = timezone.localdate()
    worked_on = list(
        Incident.objects.filter(
            status__in=[Incident.Status.INVESTIGATING, Incident.Status.OUTCOME_SUBMITTED, Incident.Status.CLOSED]
        )
        .select_related("organisation")
        .order_by("reported_on")
    )
    for number, incident in enumerate(worked_on):
        manager = manager_for(incident.organisation)
        if manager is None:
            continue
        add_evidence(
            incident=incident,
            content=screenshot_png(f"Sent items: message to the wrong recipient ({incident.reference})"),
            original_name="sent-items-screenshot.png",
            actor=manager,
            description="Screenshot of the sent message, taken by the incident manager.",
        )
        if number % 2 == 0:
            add_evidence(
                incident=incident,
                content=NOTE.encode(),
                original_name="call-note.txt",
                actor=manager,
                source=Evidence.Source.REPORTER,
                description="Note of the call with the recipient, confirming deletion.",
            )
        owners = owners_for(incident.organisation) or [manager]
        for offset in range(2):
            title, details, due_in, ending, change = ACTIONS[(number * 2 + offset) % len(ACTIONS)]
            action = create_action(
                by=manager,
                incident=incident,
                title=title,
                details=details,
                owner=owners[(number + offset) % len(owners)],
                due_on=today + timedelta(days=due_in),
                source=RemedialAction.Source.INVESTIGATION if offset == 0 else RemedialAction.Source.OUTCOME_REPORT,
                change_reference=change,
                tell_owner=False,
            )
            if ending == "done":
                complete_action(action, by=action.owner, note="Done and checked by the incident manager.")
            elif ending == "cancelled":
                cancel_action(action, by=manager, reason="Covered by the trust's new access review.")
