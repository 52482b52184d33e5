"""A generated corpus of incidents for the search's tests and its benchmark (`bench/search.py`).

Deterministic for a seed: the same descriptions, in the same order, on either engine. Written
with `bulk_create` and indexed with `search.rebuild`, so 100,000 incidents take seconds.
"""

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.utils import timezone

from incidents.models import Incident

# A vocabulary wide enough that a word matches a few hundredths of the corpus, as real words do.
SUBJECTS = [
    "laptop", "phone", "tablet", "memory stick", "class list", "report card", "medical form", "safeguarding note",
    "payroll file", "exam results", "consent form", "visitor book", "printer", "shared drive", "email", "letter",
]  # fmt: skip
EVENTS = [
    "was lost on the bus", "was left in the staffroom", "was sent to the wrong parent", "was stolen from a car",
    "was posted to the wrong address", "was found in a recycling bin", "was shared on a group chat",
    "was opened by a phishing link", "was printed on the wrong printer", "was seen by a visitor",
]  # fmt: skip
PLACES = ["library", "office", "hall", "playground", "minibus", "reception", "kitchen", "corridor", "car park"]
EXTRA = [
    "autocomplete", "password", "encryption", "backup", "folder", "spreadsheet", "ransomware", "courier",
    "shredder", "cabinet", "whiteboard", "webcam", "supply teacher", "governor", "contractor", "volunteer",
]  # fmt: skip


def description(rng: random.Random) -> tuple[str, str]:
    words = " ".join(rng.sample(EXTRA, rng.randint(0, 3)))
    text = f"A {rng.choice(SUBJECTS)} {rng.choice(EVENTS)} near the {rng.choice(PLACES)}. {words}".strip()
    return text, rng.choice(PLACES)


def make_incidents(organisations: Sequence[Any], count: int, *, seed: int = 7, batch: int = 5000) -> list[int]:
    """`count` incidents spread over `organisations`, with references; returns their ids."""
    rng = random.Random(seed)  # noqa: S311 (a repeatable corpus, not a secret)
    start = timezone.now() - timedelta(days=365 * 3)
    made: list[int] = []
    for first in range(0, count, batch):
        rows = []
        for n in range(first, min(count, first + batch)):
            text, place = description(rng)
            rows.append(
                Incident(
                    organisation=organisations[n % len(organisations)],
                    description=text,
                    location=place,
                    reported_on=start + timedelta(minutes=15 * n),
                )
            )
        created = Incident.objects.bulk_create(rows)
        ids = [row.pk for row in created] if created and created[0].pk else []
        if not ids:
            ids = list(Incident.objects.order_by("-pk").values_list("pk", flat=True)[: len(rows)])[::-1]
        year = timezone.localtime(start).year
        Incident.objects.bulk_update(
            [Incident(pk=pk, reference=Incident.make_reference(pk, year)) for pk in ids],
            ["reference"],
            batch_size=batch,
        )
        made += ids
    return made
