from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit import keys, sealing
from incidents.models import Incident


class Command(BaseCommand):
    help = (
        "Start wrapping incidents' data keys with a new master key in CONTENT_KEYS_FILE (creating the file if "
        "there is none), then re-wrap every incident's data key under it, in batches, while the service runs. "
        "Older master keys stay in the file for reading. Run it again after an interruption: it carries on. "
        "Back the keys file up after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Incidents re-wrapped per transaction.")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Do not add a new master key: finish re-wrapping under the current one (after an interruption).",
        )
        parser.add_argument(
            "--retire-unused",
            action="store_true",
            help="Afterwards, remove older master keys that no incident's data key is wrapped with any more "
            "(the oldest is kept: the search words are keyed by it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = sealing.keys_path()
        if options["resume"]:
            current = sealing.ring().current
            self.stdout.write(f"Carrying on with master key {current}.")
        else:
            current, previous = keys.rotate(path)
            if previous is None:
                # A new installation (before its first migrate): no data key is wrapped yet.
                self.stdout.write(f"Created {path} with master key {current}. Back it up now.")
                return
            self.stdout.write(f"New data keys are wrapped with master key {current}; {previous} is kept for reading.")
        done = sealing.rewrap_all(Incident, batch_size=options["batch_size"])
        self.stdout.write(f"Re-wrapped {done.rewrapped} incident data key(s) under {current}.")
        if done.changed_meanwhile:
            self.stdout.write(f"{done.changed_meanwhile} changed while this ran (disposed of, or another run).")
        left = sealing.master_keys_in_use(Incident) - {current}
        if left:
            # Wrapped by a process that still read the old file as this ran: a second run catches them.
            self.stdout.write(self.style.WARNING(f"Still in use: {sorted(left)}. Run again with --resume."))
        if options["retire_unused"]:
            ring = sealing.ring()
            keep = {ring.current, min(ring.keys)} | left
            gone = keys.retire(set(ring.keys) - keep, path)
            self.stdout.write(
                f"Retired {len(gone)} master key(s) no data key uses: {gone}." if gone else "No master key to retire."
            )
        self.stdout.write(f"Back up {path} now: without it, no incident's content can be read.")
