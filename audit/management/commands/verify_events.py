from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.log import verify


class Command(BaseCommand):
    help = "Recompute every organisation's event chain; exit non-zero at the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = verify()
        if broken is not None:
            where = f"event id {broken.event_id}" if broken.event_id else "the end of the chain"
            raise CommandError(
                f"Broken at organisation {broken.organisation_id}, position {broken.sequence} ({where}): "
                f"{broken.problem}. {checked} events before it are intact."
            )
        self.stdout.write(f"All {checked} events intact.")
