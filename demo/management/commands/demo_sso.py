from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.log import record
from lib import sealed
from organisations.models import IdentityProvider, Organisation, SignInDomain

DOMAIN, TENANT = "brookside.example.org", "demo-brookside-tenant"


class Command(BaseCommand):
    help = (
        "Let the demo's Brookside Primary School sign in with Microsoft through a local OpenID Connect "
        "provider (`make run SSO=1`; people in demo/sso-people.json). Demo only, never in production."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--server-url", default="http://127.0.0.1:9400")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_sso is for the demo only and does not run in production.")
        school = Organisation.objects.filter(name="Brookside Primary School").first()
        if school is None:
            raise CommandError("Load the demo first: python manage.py load_demo")
        with transaction.atomic():
            domain, claimed = SignInDomain.objects.get_or_create(
                domain=DOMAIN, defaults={"organisation": school, "entra_tenant_id": TENANT}
            )
            if claimed:
                record(
                    organisation_id=school.pk, action="sign_in_domain.claimed", target=domain, after={"domain": DOMAIN}
                )
            own, _ = IdentityProvider.objects.update_or_create(
                organisation=school,
                kind=IdentityProvider.Kind.MICROSOFT,
                defaults={
                    "client_id": "incident-desk-demo",
                    "secret_encrypted": sealed.seal("demo-secret"),
                    "server_url": options["server_url"],
                },
            )
            record(
                organisation_id=school.pk,
                action="identity_provider.configured",
                target=own,
                after={"kind": own.kind, "client_id": own.client_id, "server_url": own.server_url},
            )
        self.stdout.write(
            f"Sign in with Microsoft: Brookside Primary School signs in through {options['server_url']} "
            "(try new.teacher@brookside.example.org, or sbm@brookside.example.org who did MFA there)."
        )
