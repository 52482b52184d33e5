from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.signin import current_code


class Command(BaseCommand):
    help = "Print the code a demo person's authenticator app shows now (demo only, never in production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_code is for the demo only and does not run in production.")
        user = get_user_model().objects.filter(email__iexact=options["email"]).first()
        code = current_code(user) if user else None
        if code is None:
            raise CommandError(f"{options['email']} has no demo authenticator app.")
        self.stdout.write(code)
