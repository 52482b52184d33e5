from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one archive with the database (SQLite online backup or pg_dump), every evidence file, the "
        "record's keys, the content keys and a checkpoint. Store it encrypted, away from this server (docs/deploy.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive",
            nargs="?",
            type=Path,
            help="Where to write it (default: VAR_DIR/backups/incidentdesk-<time>.tar.gz).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = options["archive"] or (
            Path(settings.VAR_DIR) / "backups" / f"incidentdesk-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz"
        )
        try:
            manifest = backup(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup written to {archive}: the {manifest['engine']} database, {len(manifest['files'])} files "
            "the record's keys and the content keys."
        )
