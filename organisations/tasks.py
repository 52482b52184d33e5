"""Invitation emails, sent by the worker: a link to choose a password (allauth's reset keys)."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Organisation


def set_password_link(user: object) -> str:
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return settings.SITE_URL + path


# How many invitations one job sends: a bulk import of thousands queues many small jobs,
# so a failure retries a few emails, never the whole county.
INVITATION_BATCH = 50


@task()
def send_invitation(user_id: int, organisation_id: int) -> None:
    user = get_user_model().objects.get(pk=user_id)
    organisation = Organisation.objects.get(pk=organisation_id)
    invite(user, organisation)


@task()
def send_invitations(invitations: list[list[int]]) -> None:
    """One batch of a bulk import's invitations: [user id, organisation id] pairs, at most `INVITATION_BATCH`."""
    users = get_user_model().objects.in_bulk([user_id for user_id, _ in invitations])
    organisations = Organisation.objects.in_bulk([organisation_id for _, organisation_id in invitations])
    for user_id, organisation_id in invitations:
        if user_id in users and organisation_id in organisations:
            invite(users[user_id], organisations[organisation_id])


def invite(user: object, organisation: Organisation) -> None:
    """The invitation email: a link to choose a password for Incident Desk at `organisation`."""
    context = {"organisation": organisation, "link": set_password_link(user)}
    send_mail(
        subject=f"You have been invited to Incident Desk for {organisation.name}",
        message=render_to_string("organisations/email/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],  # type: ignore[attr-defined]
    )
