from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Check the record: recompute every organisation's keyed event chain, compare the chains with the "
        "latest signed checkpoint, and run the other apps' checks (evidence files against their digests). "
        "Exits non-zero and lists each problem found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            type=Path,
            help="Compare with this checkpoint file (a copy emailed to the DPO) instead of RECORD_CHECKPOINT_FILE.",
        )
        parser.add_argument("--skip-files", action="store_true", help="Do not re-read evidence files.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_all(checkpoint_path=options["checkpoint"], run_checks=not options["skip_files"])
        if not report.intact:
            problems = "\n".join(f"- {problem.describe()}" for problem in report.breaks)
            raise CommandError(
                f"The record is not intact: {len(report.breaks)} problem(s) found.\n{problems}\n"
                f"{report.events} events checked in {report.chains} chains."
            )
        self.stdout.write(f"All {report.events} events intact in {report.chains} chains.")
        if report.checkpoint is not None:
            self.stdout.write(
                f"Every chain reaches the checkpoint of {report.checkpoint.describe()} "
                f"({len(report.checkpoint.heads)} chains)."
            )
            age = datetime.now(UTC) - report.checkpoint.written_on
            if options["checkpoint"] is None and age > timedelta(hours=1):
                # Written every 15 minutes: an old one means the scheduler or the worker is not running.
                self.stdout.write(
                    self.style.WARNING(
                        f"The checkpoint is {age // timedelta(minutes=1)} minutes old: is the scheduler running?"
                    )
                )
        else:
            self.stdout.write("No checkpoint to compare with yet (python manage.py checkpoint_record writes one).")
        for result in report.checks:
            self.stdout.write(f"All {result.checked} {result.what} match the record.")
            for note in result.notes:
                self.stdout.write(self.style.WARNING(note))
