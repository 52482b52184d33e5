import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core import mail
from django.urls import reverse

from accounts.models import User
from audit.models import Event
from organisations.models import Contact, Membership, Role, RoleTitle

from .conftest import PASSWORD, Cast
from .factories import UserFactory
from .test_reporting import run_worker

ROOT = Path(__file__).resolve().parent.parent


def test_argon2_is_the_password_hasher() -> None:
    import incidentdesk.settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = get_hasher("argon2")
    encoded = make_password("a long passphrase", hasher="argon2")
    assert encoded.startswith("argon2") and hasher.verify("a long passphrase", encoded)


def test_sign_in_by_email_and_password(client, cast: Cast) -> None:
    response = client.post(reverse("account_login"), {"login": "BOB@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("intake:report")).status_code == 200


def test_wrong_password_is_refused(client, cast: Cast) -> None:
    response = client.post(reverse("account_login"), {"login": "bob@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client, cast: Cast) -> None:
    client.force_login(cast.bob)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_open_sign_up_is_closed(client, db) -> None:  # type: ignore[no-untyped-def]
    client.post(
        reverse("account_signup"),
        {"email": "stranger@example.org", "password1": "a-very-long-pass", "password2": "a-very-long-pass"},
    )
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_password_reset_by_email(client, cast: Cast) -> None:
    client.post(reverse("account_reset_password"), {"email": "bob@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", str(mail.outbox[0].body))
    assert link is not None


def test_admin_invites_a_new_person_who_sets_a_password_and_signs_in(client, transactional_db, cast: Cast) -> None:
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    client.force_login(admin)
    response = client.post(
        reverse("organisations:invite", args=[cast.school_a.uuid]),
        {"email": "New.Teacher@example.org", "full_name": "New Teacher", "role": Role.REPORTER},
    )
    assert response.status_code == 302
    invited = User.objects.get(email="new.teacher@example.org")
    assert not invited.has_usable_password()
    assert Membership.objects.filter(user=invited, organisation=cast.school_a, role=Role.REPORTER).exists()
    assert Event.objects.filter(action="membership.added", organisation=cast.school_a).exists()
    assert mail.outbox == []
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["new.teacher@example.org"] and cast.school_a.name in message.subject
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", str(message.body))
    assert link is not None
    client.logout()
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    set_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    client.post(set_url, {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"})
    invited.refresh_from_db()
    assert check_password("a-new-long-password-1", invited.password)


def test_admin_assigns_and_removes_roles_and_edits_titles_and_contacts(client, cast: Cast) -> None:
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    client.force_login(admin)
    org = cast.school_a.uuid
    client.post(reverse("organisations:invite", args=[org]), {"email": "bob@example.org", "role": Role.INVESTIGATOR})
    assert Membership.objects.filter(user=cast.bob, role=Role.INVESTIGATOR).exists()
    membership = Membership.objects.get(user=cast.bob, role=Role.INVESTIGATOR)
    client.post(reverse("organisations:remove_membership", args=[org, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Event.objects.filter(action="membership.removed").exists()

    client.post(reverse("organisations:role_titles", args=[org]), {Role.INCIDENT_MANAGER: "Information Champion"})
    assert RoleTitle.objects.get(organisation=cast.school_a, role=Role.INCIDENT_MANAGER).title == "Information Champion"
    assert cast.school_a.role_title(Role.INCIDENT_MANAGER) == "Information Champion"
    assert b"Information Champion" in client.get(reverse("organisations:detail", args=[org])).content

    client.post(
        reverse("organisations:add_contact", args=[org]),
        {
            "kind": Contact.Kind.HEADTEACHER,
            "name": "Head Teacher",
            "email": "head@example.org",
            "phone": "01632 960000",
        },
    )
    contact = Contact.objects.get(organisation=cast.school_a)
    client.post(reverse("organisations:remove_contact", args=[org, contact.pk]))
    assert not Contact.objects.exists()


def test_admin_cannot_remove_their_own_admin_role(client, cast: Cast) -> None:
    admin = UserFactory(email="admin@example.org")
    own = Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    client.force_login(admin)
    client.post(reverse("organisations:remove_membership", args=[cast.school_a.uuid, own.pk]))
    assert Membership.objects.filter(pk=own.pk).exists()


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ENVIRONMENT", "DATABASE_URL"}}
    # Production also needs the record's keys file named (tests/test_record_attacks.py checks that).
    return subprocess.run(
        [sys.executable, "-c", "import incidentdesk.settings"],
        cwd=ROOT,
        env=clean | {"RECORD_KEYS_FILE": "/nonexistent/record-keys.json"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret_key() -> None:
    missing = run_settings({"ENVIRONMENT": "production"})
    assert missing.returncode != 0 and "SECRET_KEY must be set" in missing.stderr
    default = run_settings(
        {"ENVIRONMENT": "production", "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}
    )
    assert default.returncode != 0
    good = run_settings({"ENVIRONMENT": "production", "SECRET_KEY": "x" * 50})
    assert good.returncode == 0, good.stderr


def test_debug_is_off_unless_set() -> None:
    assert settings.DEBUG is False


def test_django_admin_is_for_superusers_only(client, cast: Cast) -> None:
    staff_flag_only = UserFactory(email="staffer@example.org", is_staff=True)
    client.force_login(staff_flag_only)
    assert client.get("/django-admin/").status_code == 302
    superuser = User.objects.create_superuser(email="root@example.org", password="a-long-root-password")
    client.force_login(superuser)
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/django-admin/organisations/organisation/").status_code == 200
