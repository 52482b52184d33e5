from typing import Any

from django.core.management.base import BaseCommand

from audit import checkpoint, keys


class Command(BaseCommand):
    help = (
        "Start signing the record with a new key (creating RECORD_KEYS_FILE if there is none). "
        "Older keys stay in the file so older events still verify; back the file up after."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        new, previous = keys.rotate()
        if previous is None:
            self.stdout.write(f"Created {keys.keys_path()} with key {new}.")
            return
        self.stdout.write(f"New events are signed with key {new}; key {previous} is kept for older events.")
        # A checkpoint under the new key, so the next verify_events compares with a fresh one.
        written = checkpoint.write()
        self.stdout.write(f"Checkpoint of {written.describe()} written to {checkpoint.default_path()}.")
