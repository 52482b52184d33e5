"""Reports by email in the demo: Brookside's intake address, and one report a parent emailed."""

from email.message import EmailMessage
from typing import Any

from inbound import receiving
from inbound.services import set_address
from organisations.models import Organisation

BROOKSIDE_INTAKE = "incidents@brookside.example.org"


def load(organisations: dict[str, Organisation], users: dict[str, Any]) -> None:
    brookside = organisations["brookside"]
    set_address(brookside, BROOKSIDE_INTAKE, by=users["sbm@brookside.example.org"])
    mail = EmailMessage()
    mail["From"] = "Jordan Fictional <jordan.parent@home.example>"
    mail["To"] = BROOKSIDE_INTAKE
    mail["Subject"] = "Another child's report in my son's book bag"
    mail["Message-ID"] = "<demo-parent-report@home.example>"
    mail.set_content(
        "My son came home with another pupil's end-of-term report in his book bag. "
        "It has the child's name, grades and a note about their health. I have kept it safe at home."
    )
    receiving.receive(
        mail.as_bytes(), recipients=[BROOKSIDE_INTAKE], via="smtp", mail_from="jordan.parent@home.example"
    )
