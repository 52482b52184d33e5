"""The fixed cast of every permission test (STYLE.md):

alice — incident manager at school A (a handler); bob — reporter at school A;
carol — DPO over both schools (on their parent); dave — incident manager at school B.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from organisations.models import Membership, Organisation, Role

from .clamd import clamd_socket, scanner  # noqa: F401  (fixtures: the private ClamAV daemon)
from .dovecot import dovecot, dovecot_server  # noqa: F401  (fixtures: a private Dovecot IMAP server)
from .factories import OrganisationFactory, UserFactory
from .mfa import SecondFactorClient
from .object_store import evidence_store, s3_server  # noqa: F401  (fixtures: evidence in the folder and in S3)
from .oidc import oidc_provider  # noqa: F401  (fixture: a real OpenID Connect provider on 127.0.0.1)

PASSWORD = "correct-horse-battery"


@dataclass
class Cast:
    county: Organisation
    school_a: Organisation
    school_b: Organisation
    alice: User
    bob: User
    carol: User
    dave: User


@pytest.fixture
def cast(db: None) -> Cast:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school_a = OrganisationFactory(name="School A", parent=county)
    school_b = OrganisationFactory(name="School B", parent=county)
    alice = UserFactory(email="alice@example.org", full_name="Alice Handler")
    bob = UserFactory(email="bob@example.org", full_name="Bob Reporter")
    carol = UserFactory(email="carol@example.org", full_name="Carol DPO")
    dave = UserFactory(email="dave@example.org", full_name="Dave Elsewhere")
    Membership.objects.create(user=alice, organisation=school_a, role=Role.INCIDENT_MANAGER)
    Membership.objects.create(user=bob, organisation=school_a, role=Role.REPORTER)
    Membership.objects.create(user=carol, organisation=county, role=Role.DPO)
    Membership.objects.create(user=dave, organisation=school_b, role=Role.INCIDENT_MANAGER)
    return Cast(county, school_a, school_b, alice, bob, carol, dave)


@dataclass
class People:
    """The cast, and at school A an investigating officer, a SIRO, a governance viewer and an admin."""

    cast: Cast
    investigator: User
    siro: User
    governor: User
    admin: User

    def everyone(self) -> dict[str, User]:
        c = self.cast
        return {
            "alice (incident manager)": c.alice,
            "bob (reporter)": c.bob,
            "carol (DPO above)": c.carol,
            "dave (manager elsewhere)": c.dave,
            "investigator": self.investigator,
            "siro": self.siro,
            "governor": self.governor,
            "admin": self.admin,
        }


@pytest.fixture
def people(cast: Cast) -> People:
    extra = {}
    for key, role in [
        ("investigator", Role.INVESTIGATOR),
        ("siro", Role.SIRO),
        ("governor", Role.GOVERNANCE),
        ("admin", Role.ADMIN),
    ]:
        extra[key] = UserFactory(email=f"{key}@example.org", full_name=key.title())
        Membership.objects.create(user=extra[key], organisation=cast.school_a, role=role)
    return People(cast=cast, **extra)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is slow by design; tests that are not about hashing use a fast hasher.

    tests/test_accounts.py checks the configured (Argon2) hasher itself.
    """
    if "argon2" not in str(settings.PASSWORD_HASHERS[0]).lower():
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def empty_process_cache() -> Iterator[None]:
    """Each test starts with nothing kept in the process's memory (CACHES["process"]): ids
    are used again from test to test, so what one test kept would be another's."""
    from django.core.cache import caches

    caches["process"].clear()
    yield


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each test stores evidence in its own folder, never in the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def private_record_checkpoint(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each test has its own checkpoint file (none until it writes one), never var/'s."""
    settings.RECORD_CHECKPOINT_FILE = tmp_path / "record-checkpoint.json"


@pytest.fixture(autouse=True)
def private_disposal_ledger(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each test has its own disposal ledger (retention/ledger.py), never var/'s."""
    settings.DISPOSAL_LEDGER_FILE = tmp_path / "disposal-ledger.jsonl"


@pytest.fixture(autouse=True, scope="session")
def record_guards_lifted_for_flush() -> Iterator[None]:
    """On SQLite, triggers refuse DELETE on the record (audit/guards.py), and Django empties the
    database between transactional tests with DELETE. Only here, only around that flush, the
    guards are dropped and made again; production's `flush` is refused like any DELETE.
    (PostgreSQL's flush uses TRUNCATE, which row triggers do not see.)"""
    from django.db import transaction
    from django.db.backends.sqlite3 import base as sqlite_base

    from audit import guards

    operations = sqlite_base.DatabaseWrapper.ops_class
    original = operations.execute_sql_flush

    def flush(self: Any, sql_list: Any) -> None:
        with transaction.atomic(using=self.connection.alias), guards.lifted(self.connection):
            original(self, sql_list)

    operations.execute_sql_flush = flush  # type: ignore[method-assign]
    yield
    operations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def anonymous_alerts_at_once(settings) -> None:  # type: ignore[no-untyped-def]
    """Alerts of anonymous reports wait a random 5 to 45 minutes; other tests need them now.

    tests/test_anonymous_times.py sets its own window to test the delay.
    """
    settings.ANONYMOUS_ALERT_DELAY_SECONDS = (0, 0)


@pytest.fixture
def client() -> SecondFactorClient:
    """pytest-django's `client`, whose force_login also passes the second factor (tests/mfa.py)."""
    return SecondFactorClient()


@pytest.fixture(autouse=True)
def webhooks_may_reach_this_machine(settings) -> None:  # type: ignore[no-untyped-def]
    """Tests' webhook receivers listen on 127.0.0.1 over plain http (docs/api.md, "Webhooks").

    Only loopback: tests/test_webhooks.py checks that everything else private stays refused.
    """
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_ALLOW_HTTP = True
