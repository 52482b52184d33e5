"""Fetching reports from an organisation's mailbox over IMAP, every minute (`tasks.fetch_mail`).

Safe with several workers: a mailbox is claimed for a lease (`claimed_until`, like the
outbox) so one worker fetches it at a time, and each message is claimed again by its
Message-ID when it is received (`receiving.receive`), so a message fetched twice is handled
once. A handled message is moved to the mailbox's "done" folder when it names one, else
flagged with the `$IncidentDesk` keyword (or, on a server that keeps no keywords, \\Seen)
and left where it is; what is not handled yet (the virus scanner was down) stays for the
next fetch. A message over the size limit is refused from its size and headers alone,
without downloading it.
"""

import contextlib
import imaplib
import logging
import re
import ssl
from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from lib import clock, sealed

from . import oauth, receiving
from .models import Mailbox
from .reading import recipients_of

log = logging.getLogger("inbound")
KEYWORD = "$IncidentDesk"
LEASE = timedelta(minutes=10)
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class SignInFailed(Exception):
    pass


def fetch_all() -> dict[str, int]:
    """Fetch every mailbox that is switched on and not being fetched by another worker."""
    counts: dict[str, int] = {}
    for pk in Mailbox.objects.filter(enabled=True).values_list("pk", flat=True):
        mailbox = claim(pk)
        if mailbox is None:
            continue
        try:
            for outcome, n in fetch(mailbox).items():
                counts[outcome] = counts.get(outcome, 0) + n
        finally:
            Mailbox.objects.filter(pk=pk).update(claimed_until=None)
    return counts


def claim(pk: int) -> Mailbox | None:
    now = clock.now()
    taken = Mailbox.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=pk, enabled=True
    ).update(claimed_until=now + LEASE)
    return Mailbox.objects.select_related("organisation").get(pk=pk) if taken else None


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.INBOUND_IMAP_TIMEOUT
    imap: imaplib.IMAP4
    if mailbox.security == Mailbox.Security.TLS:
        imap = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        if mailbox.security == Mailbox.Security.STARTTLS:
            imap.starttls(ssl.create_default_context())
    try:
        if mailbox.sign_in == Mailbox.SignIn.PASSWORD:
            imap.login(mailbox.username, sealed.unseal(mailbox.password_sealed))
        else:
            token = oauth.access_token(mailbox)
            imap.authenticate("XOAUTH2", lambda _: oauth.xoauth2(mailbox.username, token))
    except (imaplib.IMAP4.error, oauth.TokenRefused) as refused:
        imap.shutdown()
        raise SignInFailed(str(refused)) from refused
    return imap


def fetch(mailbox: Mailbox) -> dict[str, int]:
    """Receive what waits in the mailbox; returns how many of each outcome."""
    counts: dict[str, int] = {}
    try:
        imap = connect(mailbox)
    except (OSError, SignInFailed) as failed:
        log.warning("Mailbox %s of %s could not be opened: %s", mailbox, mailbox.organisation, failed)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_on=clock.now(), last_error=str(failed)[:500])
        return counts
    try:
        typ, _ = imap.select(quote(mailbox.folder))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"No folder {mailbox.folder!r}")
        keywords = "\\*" in str(imap.untagged_responses.get("PERMANENTFLAGS", ""))
        # With a done folder, whatever is still here is waiting; else what is not marked handled.
        criteria = "NOT DELETED" if mailbox.done_folder else f"UNKEYWORD {KEYWORD}" if keywords else "UNSEEN"
        _, found = imap.uid("SEARCH", criteria)
        uids = [uid.decode() for uid in found[0].split()] if found and found[0] else []
        for uid in uids:
            outcome = take(imap, mailbox, uid)
            if outcome is None:
                continue
            counts[outcome] = counts.get(outcome, 0) + 1
            done(imap, mailbox, uid, keywords)
        if mailbox.done_folder and uids:
            imap.expunge()
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_on=clock.now(), last_error="")
    except (OSError, imaplib.IMAP4.error) as failed:
        log.warning("Mailbox %s of %s: %s", mailbox, mailbox.organisation, failed)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_on=clock.now(), last_error=str(failed)[:500])
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
    return counts


def take(imap: imaplib.IMAP4, mailbox: Mailbox, uid: str) -> str | None:
    """Receive one message (its outcome), or None to leave it for the next fetch."""
    _, data = imap.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[HEADER])")
    size, header = 0, b""
    for item in data:
        if isinstance(item, tuple):
            found = SIZE.search(item[0])
            size = int(found.group(1)) if found else 0
            header = item[1]
    if not header:
        return None
    if size > settings.INBOUND_MAX_BYTES:
        raw, declared = header, size  # refused from its headers: the body is never downloaded
    else:
        _, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
        declared = None
    try:
        result = receiving.receive(
            raw,
            recipients=recipients_of(receiving.read(raw).message),
            via="imap",
            organisation=mailbox.organisation,
            size=declared,
        )
    except receiving.TryLater as later:
        log.warning("Mail %s in %s left for the next fetch: %s", uid, mailbox, later)
        return None
    except Exception:
        # One message that cannot be read must not stop the others behind it.
        log.exception("Mail %s in %s could not be received; left for the next fetch", uid, mailbox)
        return None
    return result.outcome


def done(imap: imaplib.IMAP4, mailbox: Mailbox, uid: str, keywords: bool) -> None:
    if mailbox.done_folder:
        if "MOVE" in imap.capabilities:
            imap.uid("MOVE", uid, quote(mailbox.done_folder))
        else:
            imap.uid("COPY", uid, quote(mailbox.done_folder))
            imap.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        return
    imap.uid("STORE", uid, "+FLAGS", f"(\\Seen {KEYWORD})" if keywords else "(\\Seen)")


def quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
