"""`python manage.py assess_breach FILE.json [FILE.json ...]` (or `-` for stdin): the engine's result as JSON.

One file holding one set of facts prints one result object. For batch use and review,
give several files, or a file holding a JSON array of facts: the output is then a list
with one entry per set of facts, each naming where it came from.
"""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from breaches.engine import FactsError, assess_dict


class Command(BaseCommand):
    help = "Assess personal data breaches from facts in JSON files (schema: docs/assessment.md) and print the results."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="JSON files of facts, or - for standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        results: list[dict[str, Any]] = []
        for path in options["files"]:
            data = self.read(path)
            batch = data if isinstance(data, list) else [data]
            for index, facts in enumerate(batch):
                source = f"{path}[{index}]" if isinstance(data, list) else path
                try:
                    results.append({"source": source, "result": assess_dict(facts)})
                except FactsError as exc:
                    raise CommandError(f"{source}: {exc}") from exc
        if len(options["files"]) == 1 and len(results) == 1 and not isinstance(data, list):
            output: Any = results[0]["result"]
        else:
            output = results
        self.stdout.write(json.dumps(output, indent=2, ensure_ascii=False))

    def read(self, path: str) -> Any:
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}.") from exc
