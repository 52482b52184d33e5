from typing import Any

from django.core.management.base import BaseCommand

from learning import search


class Command(BaseCommand):
    help = "Write every search entry afresh from the incidents, outcome reports and known errors."

    def handle(self, *args: Any, **options: Any) -> None:
        written = search.rebuild()
        self.stdout.write(f"Search index rebuilt: {written} entries.")
