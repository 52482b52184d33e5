"""How long a receipt look-up takes for a right, a right-but-unknown and a malformed receipt.

    .venv/bin/python bench/receipt_lookup.py [--reports 2000] [--rounds 2000]
    DATABASE_URL=postgres://... .venv/bin/python bench/receipt_lookup.py

Makes a throwaway test database (SQLite by default, or the DATABASE_URL server's
test_<name>), stores `--reports` anonymous reports with receipts, then times, interleaved
in random order so drift hits all kinds alike:
- the service (`find_by_receipt(normalise_receipt(text))`): one HMAC, one indexed query,
  one constant-time comparison;
- the whole POST /r/receipt/ through the middleware (rate limit raised for the run).
Prints median, mean and 95th percentile in microseconds per kind, and the difference of
medians between kinds. Not a test: tests never assert timings. On SQLite it uses the same
test database file as pytest (var/test.sqlite3): do not run both at once.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args.reports, args.rounds)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(reports: int, rounds: int) -> None:
    from django.db import transaction
    from django.test import Client

    from anonymous import ratelimit
    from anonymous.keys import format_receipt, new_receipt, normalise_receipt, receipt_digest
    from anonymous.models import Receipt
    from anonymous.services import find_by_receipt, page_for
    from incidents.models import Incident
    from organisations.models import Organisation

    organisation = Organisation.objects.create(name="Bench School", kind=Organisation.Kind.SCHOOL)
    page_for(organisation)
    known: list[str] = []
    with transaction.atomic():
        for i in range(reports):
            incident = Incident.objects.create(
                organisation=organisation,
                description=f"Bench report {i}",
                reported_on=django.utils.timezone.now(),
                reporter_anonymous=True,
            )
            receipt = new_receipt()
            Receipt.objects.create(incident=incident, digest=receipt_digest(receipt))
            known.append(receipt)
    kinds = {
        "right": lambda: format_receipt(random.choice(known)),
        "unknown": lambda: format_receipt(new_receipt()),
        "malformed": lambda: random.choice(["12", "hello", "1234 5678", "0" * 39, ""]),
    }

    def service(text: str) -> None:
        find_by_receipt(normalise_receipt(text))

    client = Client()
    ratelimit.RECEIPT_LOOKUP = ratelimit.Limit("receipt", 10**9, 600)

    def view(text: str) -> None:
        client.post("/r/receipt/", {"receipt": text})

    for label, call in (("service", service), ("POST /r/receipt/", view)):
        ratelimit.reset()
        for _ in range(50):  # warm up
            call(kinds["right"]())
        samples: dict[str, list[float]] = {kind: [] for kind in kinds}
        order = [kind for kind in kinds for _ in range(rounds)]
        random.shuffle(order)
        for kind in order:
            text = kinds[kind]()
            start = time.perf_counter_ns()
            call(text)
            samples[kind].append((time.perf_counter_ns() - start) / 1000)
        print(f"\n{label} on {connection.vendor}, {reports} receipts stored, {rounds} look-ups per kind (µs)")
        print(f"  {'kind':<10} {'median':>9} {'mean':>9} {'p95':>9}")
        medians = {}
        for kind, values in samples.items():
            values.sort()
            medians[kind] = statistics.median(values)
            p95 = values[int(len(values) * 0.95)]
            print(f"  {kind:<10} {medians[kind]:>9.1f} {statistics.fmean(values):>9.1f} {p95:>9.1f}")
        print(
            f"  median differences: unknown-right {medians['unknown'] - medians['right']:+.1f} µs, "
            f"malformed-right {medians['malformed'] - medians['right']:+.1f} µs"
        )


if __name__ == "__main__":
    main()
