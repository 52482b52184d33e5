"""The timescales' line on an organisation's settings page (`organisations.settings_hub`)."""

from collections import Counter

from django.urls import reverse

from organisations.models import Organisation
from organisations.settings_hub import add_setting

from .models import FIELD_NAMES, effective_with_sources


def timescales_line(organisation: Organisation) -> str:
    _, sources = effective_with_sources(organisation)
    counted = Counter(sources[n] for n in FIELD_NAMES)
    own = counted.pop("this organisation", 0)
    usual = counted.pop("default", 0)
    parts = [f"{own} of {len(FIELD_NAMES)} set here" if own else "None set here"]
    parts += [f"{n} from {name}" for name, n in sorted(counted.items())]
    if usual:
        parts.append(f"{usual} the usual ones")
    if own == len(FIELD_NAMES):
        return f"All {own} set here."
    if usual == len(FIELD_NAMES):
        return "None set here: the usual timescales are used."
    return ", ".join(parts) + "."


def register() -> None:
    add_setting(
        "Timescales",
        order=50,
        state=timescales_line,
        links=lambda o: [(reverse("deadlines:timescales", args=[o.uuid]), "Change")],
    )
