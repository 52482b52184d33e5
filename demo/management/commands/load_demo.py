from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo import load as demo


class Command(BaseCommand):
    help = "Load fictional demo organisations, people and incidents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if there are organisations already.")
        parser.add_argument("--incidents", type=int, default=40)

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo.is_empty():
            if options["if_empty"]:
                self.stdout.write("The database already has data; demo data not loaded.")
            else:
                raise CommandError("The database already has organisations; demo data is for an empty database.")
        else:
            demo.load(incident_count=options["incidents"])
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for email, name, held in demo.logins():
            self.stdout.write(f"  {email:<38} {name:<20} {held}")
        self.print_anonymous()

    def print_anonymous(self) -> None:
        from demo import anonymous as anonymous_demo

        self.stdout.write("")
        self.stdout.write("Public report pages (no sign-in; each has a poster at <address>poster.pdf):")
        for name, path in anonymous_demo.public_pages():
            self.stdout.write(f"  {name:<40} {path}")
        if anonymous_demo.has_demo_report():
            self.stdout.write(
                f"Demo anonymous report's receipt (enter it at /r/receipt/): {anonymous_demo.demo_receipt()}"
            )
