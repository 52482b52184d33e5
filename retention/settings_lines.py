"""The retention schedule's line on an organisation's settings page (`organisations.settings_hub`)."""

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import Basis
from .schedule import FIELD_NAMES, effective_with_sources


def schedule_line(organisation: Organisation) -> str:
    values, sources = effective_with_sources(organisation)
    own = sum(1 for n in FIELD_NAMES if sources[n] == "this organisation")
    start = "the end of the school year" if values.basis == Basis.SCHOOL_YEAR else "closure"
    line = f"Breaches kept {values.breach_years} years, other incidents {values.incident_years}, from {start}"
    return line + (f"; {own} of {len(FIELD_NAMES)} set here." if own else "; none set here.")


def register() -> None:
    add_setting(
        "Retention and disposal",
        order=57,
        state=schedule_line,
        links=lambda o: [(reverse("retention:schedule", args=[o.uuid]), "Change")],
    )
