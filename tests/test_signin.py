"""Signing in: a second factor for everyone who handles incidents, and the Django admin behind it.

These tests use Django's plain `Client` (not the conftest `client`, which passes the second
factor for tests about anything else), and go through allauth's real pages.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import User
from organisations.models import Role
from organisations.powers import SECOND_FACTOR_ROLES, needs_second_factor

from .conftest import PASSWORD, Cast, People
from .mfa import add_totp, totp_code

pytestmark = pytest.mark.django_db

REPORT = reverse("intake:report")
INCIDENTS = reverse("incidents:list")


def password_sign_in(client: Client, email: str) -> str:
    """Enter the email and password; where the sign-in goes next."""
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


@pytest.mark.asvs("V6.3.3")
def test_every_role_that_sees_incidents_or_sets_up_people_needs_a_second_factor(people: People) -> None:
    assert {Role.INCIDENT_MANAGER, Role.INVESTIGATOR, Role.SIRO, Role.DPO, Role.ADMIN} == SECOND_FACTOR_ROLES
    need = {name for name, user in people.everyone().items() if needs_second_factor(user)}
    assert need == {
        "alice (incident manager)",
        "carol (DPO above)",
        "dave (manager elsewhere)",
        "investigator",
        "siro",
        "admin",
    }
    superuser = User.objects.create_superuser(email="root@example.org", password="a-long-root-password")
    assert needs_second_factor(superuser)


@pytest.mark.asvs("V6.3.3")
def test_a_handler_without_an_authenticator_is_sent_to_set_one_up_before_any_page(people: People) -> None:
    client = Client()
    for user in [people.cast.alice, people.cast.carol, people.siro, people.admin, people.investigator]:
        client.force_login(user)
        for url in [REPORT, INCIDENTS, reverse("notifications:list")]:
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == reverse("mfa_index"), (user, url)
        page = client.get(reverse("mfa_index"))
        assert page.status_code == 200
        assert b"Set up an authenticator app" in page.content


def test_reporters_and_governance_viewers_sign_in_with_a_password_alone(people: People) -> None:
    client = Client()
    assert password_sign_in(client, "bob@example.org") == reverse("home")
    assert client.get(REPORT).status_code == 200
    client.logout()
    client.force_login(people.governor)
    assert client.get(reverse("home")).status_code in (200, 302)
    assert client.get(reverse("home"), follow=True).redirect_chain[-1:] != [(reverse("mfa_index"), 302)]


@pytest.mark.asvs("V6.3.3")
def test_a_handler_with_an_authenticator_app_is_asked_for_its_code_after_the_password(cast: Cast) -> None:
    add_totp(cast.alice)
    client = Client()
    assert password_sign_in(client, "alice@example.org") == reverse("mfa_authenticate")
    # Not signed in yet: the password alone opens nothing.
    assert "_auth_user_id" not in client.session
    assert client.get(INCIDENTS).status_code == 302
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code() != "000000" else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert right.status_code == 302
    assert client.get(INCIDENTS).status_code == 200


@pytest.mark.asvs("V6.3.3")
def test_a_recovery_code_also_passes_the_second_factor(client: Client, cast: Cast) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    add_totp(cast.alice)
    codes = RecoveryCodes.activate(cast.alice).generate_codes()
    plain = Client()
    assert password_sign_in(plain, "alice@example.org") == reverse("mfa_authenticate")
    assert plain.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert plain.get(INCIDENTS).status_code == 200


@pytest.mark.asvs("V6.3.3")
def test_a_session_signed_in_without_the_second_factor_must_enter_a_code(cast: Cast) -> None:
    """A session from before the person set up their app, or signed in any other way."""
    add_totp(cast.alice)
    client = Client()
    client.force_login(cast.alice)
    response = client.get(INCIDENTS)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fincidents%2F"
    assert client.get(response["Location"]).status_code == 200
    passed = client.post(response["Location"], {"code": totp_code()})
    assert passed.status_code == 302 and passed["Location"] == INCIDENTS
    assert client.get(INCIDENTS).status_code == 200


@pytest.mark.asvs("V6.3.3")
def test_setting_up_an_authenticator_app_counts_as_passing_it_and_gives_recovery_codes(
    transactional_db: None, cast: Cast
) -> None:
    """Real commits (transactional_db): allauth announces a new authenticator on commit."""
    client = Client()
    password_sign_in(client, "alice@example.org")
    assert client.get(INCIDENTS)["Location"] == reverse("mfa_index")
    # allauth asks for the password again before any change to how a person signs in.
    confirm = client.get(reverse("mfa_activate_totp"))
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    client.post(confirm["Location"], {"password": PASSWORD})
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    secret = client.session["mfa.totp.secret"]
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302 and done["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=cast.alice, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(INCIDENTS).status_code == 200


def test_a_handler_cannot_turn_off_their_only_second_factor(client: Client, cast: Cast) -> None:
    from allauth.mfa.adapter import get_adapter

    totp = add_totp(cast.alice)
    assert not get_adapter().can_delete_authenticator(totp)
    add_totp(cast.bob)
    assert get_adapter().can_delete_authenticator(Authenticator.objects.get(user=cast.bob))
    client.force_login(cast.alice)
    client.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(pk=totp.pk).exists()


@pytest.mark.asvs("V6.3.3")
def test_django_admin_uses_the_site_sign_in_and_its_second_factor(db: None) -> None:
    root = User.objects.create_superuser(email="root@example.org", password=PASSWORD)
    client = Client()
    login = client.get("/django-admin/login/?next=/django-admin/accounts/user/")
    assert login.status_code == 302
    assert login["Location"] == f"{reverse('account_login')}?next=/django-admin/accounts/user/"
    assert client.get("/django-admin/")["Location"].startswith("/django-admin/login/")
    # The password alone: sent to set up a second factor, the admin stays shut.
    password_sign_in(client, root.email)
    assert client.get("/django-admin/")["Location"] == reverse("mfa_index")
    # With an authenticator app: the code first, then the admin.
    add_totp(root)
    client.logout()
    assert password_sign_in(client, root.email) == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.get("/django-admin/").status_code == 200


def test_signed_in_people_who_may_not_use_the_admin_are_refused_not_looped(client: Client, cast: Cast) -> None:
    client.force_login(cast.bob)
    assert client.get("/django-admin/", follow=True).status_code == 403


def test_load_demo_and_demo_codes_refuse_to_run_in_production(settings, db: None) -> None:
    from django.core.management import CommandError, call_command

    from organisations.models import Organisation

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="does not run in production"):
        call_command("load_demo", "--incidents", "1")
    assert not Organisation.objects.exists()
    with pytest.raises(CommandError, match="does not run in production"):
        call_command("demo_code", "dpo@example.org")


def test_demo_handlers_sign_in_with_the_printed_secret_or_demo_code(db: None) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    from demo.signin import DEMO_TOTP_SECRET

    printed = StringIO()
    call_command("load_demo", "--incidents", "4", stdout=printed)
    assert DEMO_TOTP_SECRET in printed.getvalue() and "demo_code" in printed.getvalue()
    dpo_line = next(line for line in printed.getvalue().splitlines() if "dpo@example.org" in line)
    teacher_line = next(line for line in printed.getvalue().splitlines() if "teacher@brookside" in line)
    assert "+ code" in dpo_line and "+ code" not in teacher_line

    shown = StringIO()
    call_command("demo_code", "dpo@example.org", stdout=shown)
    assert shown.getvalue().strip() == totp_code(DEMO_TOTP_SECRET)
    with pytest.raises(CommandError):
        call_command("demo_code", "teacher@brookside.example.org")

    client = Client()
    response = client.post(reverse("account_login"), {"login": "dpo@example.org", "password": "demo-incident-desk"})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": shown.getvalue().strip()})
    assert client.get(INCIDENTS).status_code == 200
