"""An admin's changes to reports by email: each saved and put on the record together."""

from typing import Any

from django.db import transaction

from audit.log import record
from lib import clock, sealed
from organisations.models import Organisation

from .models import IntakeAddress, Mailbox

SECRETS = {
    "password": "password_sealed",
    "client_secret": "client_secret_sealed",
    "refresh_token": "refresh_token_sealed",
}
PLAIN = [
    "host",
    "port",
    "security",
    "username",
    "sign_in",
    "token_url",
    "client_id",
    "scope",
    "folder",
    "done_folder",
    "enabled",
]


def set_address(organisation: Organisation, address: str, *, by: Any) -> IntakeAddress:
    with transaction.atomic():
        current = IntakeAddress.objects.select_for_update().filter(organisation=organisation).first()
        before = current.address if current is not None else ""
        intake = current or IntakeAddress(organisation=organisation)
        intake.address = address
        intake.updated_on = clock.now()
        intake.save()
        record(
            organisation_id=organisation.pk,
            action="mail_intake.address_set",
            actor=by,
            record=intake,
            before={"address": before},
            after={"address": intake.address},
        )
    return intake


def save_mailbox(organisation: Organisation, data: dict[str, Any], *, by: Any) -> Mailbox:
    """Save the mailbox's settings; a secret left empty keeps the saved one. The record says
    which secrets changed, never what they are."""
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().filter(organisation=organisation).first()
        mailbox = mailbox or Mailbox(organisation=organisation)
        before = {name: getattr(mailbox, name) for name in PLAIN} if mailbox.pk else {}
        for name in PLAIN:
            setattr(mailbox, name, data.get(name) or ("" if name not in ("port", "enabled") else data.get(name)))
        changed = []
        for name, column in SECRETS.items():
            if data.get(name):
                setattr(mailbox, column, sealed.seal(data[name]))
                changed.append(name)
        mailbox.last_error = ""
        mailbox.save()
        record(
            organisation_id=organisation.pk,
            action="mail_intake.mailbox_saved",
            actor=by,
            record=mailbox,
            before=before,
            after={name: getattr(mailbox, name) for name in PLAIN} | {"secrets_changed": changed},
        )
    return mailbox


def remove_mailbox(organisation: Organisation, *, by: Any) -> None:
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().filter(organisation=organisation).first()
        if mailbox is None:
            return
        record(
            organisation_id=organisation.pk,
            action="mail_intake.mailbox_removed",
            actor=by,
            record=mailbox,
            before={"host": mailbox.host, "username": mailbox.username},
        )
        mailbox.delete()
