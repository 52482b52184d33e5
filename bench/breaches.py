"""How fast the breach engine and the breach documents are. Not a test: run it and read the figures.

.venv/bin/python bench/breaches.py
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")

import django

django.setup()

from breaches import documents, engine  # noqa: E402


def random_facts(rng: random.Random) -> engine.Facts:
    return engine.Facts(
        data_categories=frozenset(rng.sample(sorted(engine.DATA_CATEGORIES), rng.randint(0, 5))),
        data_subjects=frozenset(rng.sample(sorted(engine.DATA_SUBJECTS), rng.randint(0, 3))),
        children_involved=rng.random() < 0.5,
        people_count=rng.choice([None, 1, 30, 600, 5000]),
        breach_types=frozenset(rng.sample(sorted(engine.BREACH_TYPES), rng.randint(1, 3))),
        recipient=rng.choice([None, *engine.RECIPIENTS]),
        encrypted_key_safe=rng.random() < 0.2,
        recovered_or_deleted=rng.random() < 0.3,
        exfiltration=rng.choice(list(engine.EXFILTRATION)),
        backup_available=rng.choice([None, True, False]),
        restoration_hours=rng.choice([None, 2, 30, 500]),
        malicious=rng.random() < 0.3,
        contained=rng.random() < 0.6,
        consequences=frozenset(rng.sample(sorted(engine.CONSEQUENCES), rng.randint(0, 3))),
    )


def timed(label: str, runs: int, fn) -> None:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    median, worst = statistics.median(samples) * 1000, max(samples) * 1000
    print(f"{label:<34} median {median:8.2f} ms  max {worst:8.2f} ms  ({runs} runs)")


def main() -> None:
    rng = random.Random(4)
    facts = [random_facts(rng) for _ in range(10_000)]
    start = time.perf_counter()
    outcomes: dict[str, int] = {}
    for f in facts:
        outcome = engine.assess(f).outcome
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    elapsed = time.perf_counter() - start
    print(f"engine: {len(facts)} assessments in {elapsed:.2f} s ({len(facts) / elapsed:,.0f} a second)")
    print("outcomes on random facts:", dict(sorted(outcomes.items())))
    # The uncertainty reading re-assesses with each open fact changed (docs/decisions/0029):
    # the rules alone, for comparison.
    start = time.perf_counter()
    for f in facts:
        engine.decide(f)
    bare = time.perf_counter() - start
    print(f"rules alone (no uncertainty reading): {len(facts) / bare:,.0f} a second")
    section = documents.Section("About the breach")
    for n in range(12):
        section.add(f"Question {n}", "A fairly long answer about what happened and when. " * 6)
    data = documents.DocumentData(
        title="Personal data breach report: INC-2026-00001",
        organisation="Benchmark School",
        footer="Benchmark",
        meta=["Organisation: Benchmark School"],
        sections=[section] * 8,
    )
    timed("ICO report PDF (typst, ~3 pages)", 10, lambda: documents.render_pdf(data))
    timed("ICO report DOCX (docxtpl)", 10, lambda: documents.render_docx(data))


if __name__ == "__main__":
    main()
