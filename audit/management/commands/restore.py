from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace this installation's database and evidence files with a backup's, add the backup's record "
        "keys and content keys to this installation's files, then check the record (verify_events). Stop "
        "the service and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="An archive written by manage.py backup.")
        parser.add_argument(
            "--different-secret-key",
            action="store_true",
            help="Restore although SECRET_KEY differs (anonymous reporters' receipts will stop working).",
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"There is no backup at {archive}.")
        if options["interactive"]:
            answer = input("This replaces the database and evidence files here with the backup's. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restored = restore(archive, different_secret_key=options["different_secret_key"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Database restored; {restored.files} evidence files written.")
        if restored.other_files_left:
            self.stdout.write(f"{restored.other_files_left} files not in the backup were left in the evidence store.")
        if restored.keys_added:
            self.stdout.write(f"{restored.keys_added} record key(s) added to the keys file.")
        if restored.content_keys_added:
            self.stdout.write(f"{restored.content_keys_added} master key(s) added to the content keys file.")
        if restored.previous_checkpoint:
            self.stdout.write(
                f"The checkpoint here before was kept as {restored.previous_checkpoint}: events after the backup "
                "are not in the restored database."
            )
        for line in restored.after:
            self.stdout.write(line)
        report = restored.report
        if not report.intact:
            problems = "\n".join(f"- {problem.describe()}" for problem in report.breaks)
            raise CommandError(f"Restored, but the record is not intact:\n{problems}")
        self.stdout.write(f"The record is intact: {report.events} events in {report.chains} chains.")
