from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo import load as demo
from demo.signin import DEMO_TOTP_SECRET
from organisations.powers import needs_second_factor


class Command(BaseCommand):
    help = "Load fictional demo organisations, people and incidents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if there are organisations already.")
        parser.add_argument("--incidents", type=int, default=40)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # Demo people share a published password and authenticator secret.
            raise CommandError(
                "load_demo does not run in production (ENVIRONMENT=production): demo data is for trying the product."
            )
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
        User = get_user_model()
        for email, name, held in demo.logins():
            user = User.objects.filter(email=email).first()
            code = "+ code" if user is not None and needs_second_factor(user) else ""
            self.stdout.write(f"  {email:<38} {name:<20} {code:<7} {held}")
        self.stdout.write(
            "People marked '+ code' then enter the code of an authenticator app: add the secret\n"
            f"  {DEMO_TOTP_SECRET} to one (time-based, 6 digits), or run\n"
            "  `.venv/bin/python manage.py demo_code EMAIL` for the code it shows now."
        )
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
