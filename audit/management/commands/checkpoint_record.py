from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audit import checkpoint


class Command(BaseCommand):
    help = "Write a signed checkpoint of every chain head to RECORD_CHECKPOINT_FILE (and email it with --email)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, help="Write here instead of RECORD_CHECKPOINT_FILE.")
        parser.add_argument("--email", action="store_true", help="Also email a copy to RECORD_CHECKPOINT_EMAILS.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or checkpoint.default_path()
        written = checkpoint.write(path)
        self.stdout.write(f"Checkpoint of {written.describe()}: {len(written.heads)} chains, written to {path}.")
        if options["email"]:
            sent = checkpoint.email(written, settings.RECORD_CHECKPOINT_EMAILS)
            self.stdout.write(f"Emailed to {sent} address(es)." if sent else "RECORD_CHECKPOINT_EMAILS is empty.")
