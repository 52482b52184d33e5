"""`python manage.py assess_breach FILE.json` (or `-` for stdin): the engine's result as JSON."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from breaches.engine import FactsError, assess_dict


class Command(BaseCommand):
    help = "Assess a personal data breach from facts in a JSON file (schema: docs/assessment.md) and print the result."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="A JSON file of facts, or - to read standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}.") from exc
        try:
            result = assess_dict(data)
        except FactsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
