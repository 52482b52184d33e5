"""The kinds of notification people may choose a daily digest for, in plain words.

Anything not listed here that a caller sends with `mandatory=False` follows the
person's choice for "everything else". Deadlines and escalations are never listed:
they are mandatory.
"""

OPTIONAL_KINDS = {
    "report_received": "A new incident is reported where you handle incidents",
    "reporter_progress": "Progress on an incident you reported",
    "informed_major": "A major or critical incident is recorded (governance viewers)",
}
OTHER = "*"
OTHER_LABEL = "Anything else that is not a deadline or escalation"
