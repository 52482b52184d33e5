"""The one way the rest of Incident Desk tells people things.

    notify(users=[...], kind="incident_major", incident=incident, context={...})

Call it inside the transaction that makes the change. It writes, in that transaction,
an in-app `Notification` for each person and, unless they chose a daily digest for a
kind that is not mandatory, an `Outbox` email; the worker sends the email after commit
(so it exists if and only if the change committed), retrying with backoff.

`kind` names the templates `notifications/email/<kind>_subject.txt`, `<kind>.txt` and,
optionally, `<kind>.html`; they get the incident (reference, organisation), a link, the
recipient and `context`. Never put a report's contents or personal data in `context`:
bodies carry the reference, what is needed and a link.

`mandatory=False` marks what a person may choose to receive as a daily digest instead.
Deadlines and escalations are mandatory.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.template import Context, engines
from django.template.loader import TemplateDoesNotExist, render_to_string
from django.urls import reverse

from lib import clock

from .models import Notification, Outbox, Preference


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    incident: Any = None,
    organisation: Any = None,
    link: str = "",
    context: dict[str, Any] | None = None,
    mandatory: bool = True,
    at: Any = None,
    usual: str = Preference.Mode.IMMEDIATE,
    receipt: bool = False,
) -> None:
    """Tell each of `users` (deduplicated, active users only) about `kind`, in app and by email.

    `at`: the time to stamp (the caller's, when it records the same moment elsewhere).
    `usual`: the mode of a person who has not chosen one for `kind` (not mandatory kinds only).
    `receipt`: a record of what the person did themselves (their report's acknowledgement):
    emailed, and listed as already read, since it is not news to them.
    """
    people = {u.pk: u for u in users if u is not None and getattr(u, "is_active", True)}
    if not people:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must be called inside the transaction that makes the change")
    organisation = organisation or getattr(incident, "organisation", None)
    path = site_path(link, incident)
    now = at or clock.now()
    modes = {} if mandatory else digest_choices(list(people), kind)
    for pk in sorted(people):
        user = people[pk]
        message = render_email(
            kind,
            incident=incident,
            organisation=organisation,
            link=absolute_link(path, incident),
            context=context,
            recipient=user,
        )
        digest = not mandatory and modes.get(pk, usual) == Preference.Mode.DIGEST
        Notification.objects.create(
            user=user,
            kind=kind,
            mandatory=mandatory,
            organisation=organisation,
            incident=incident,
            title=message["subject"][:300],
            # In the app the link stays relative: it works on whatever host and port serve the page.
            link=path,
            created_on=now,
            read_on=now if receipt else None,
            digest_pending=digest,
        )
        if not digest and user.email:
            queue_email(user.email, kind, message, organisation=organisation, incident=incident, user=user, now=now)


def email(
    *,
    addresses: Iterable[str],
    kind: str,
    incident: Any = None,
    organisation: Any = None,
    link: str = "",
    context: dict[str, Any] | None = None,
) -> None:
    """Email people who have no account (an organisation's named contacts), through the outbox."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("email() must be called inside the transaction that makes the change")
    organisation = organisation or getattr(incident, "organisation", None)
    link = absolute_link(link, incident)
    for address in sorted({a.strip().lower() for a in addresses if a and a.strip()}):
        message = render_email(kind, incident=incident, organisation=organisation, link=link, context=context)
        queue_email(address, kind, message, organisation=organisation, incident=incident)


def site_path(link: str, incident: Any) -> str:
    """The link within the site: the caller's, else the incident's page."""
    if not link and incident is not None:
        link = reverse("incidents:detail", args=[incident.uuid])
    return link


def absolute_link(link: str, incident: Any) -> str:
    """The link for an email: the site's address (SITE_URL, from configuration) and the path."""
    link = site_path(link, incident)
    if link.startswith("/"):
        link = settings.SITE_URL + link
    return link


def digest_choices(user_ids: list[int], kind: str) -> dict[int, str]:
    """Each person's mode for `kind`: their choice for it, else for everything else ("*")."""
    rows = Preference.objects.filter(user_id__in=user_ids, kind__in=[kind, "*"])
    chosen: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: r.kind != "*"):  # the specific kind wins over "*"
        chosen[row.user_id] = row.mode
    return chosen


def render_email(
    kind: str,
    *,
    incident: Any = None,
    organisation: Any = None,
    link: str = "",
    context: dict[str, Any] | None = None,
    recipient: Any = None,
) -> dict[str, str]:
    """Subject, plain text and HTML for `kind` (HTML from `<kind>.html`, else the text in a layout)."""
    data = {
        "incident": incident,
        "organisation": organisation,
        "site_url": settings.SITE_URL,
        "link": link,
        "recipient": recipient,
    } | dict(context or {})
    # Subjects and plain text are not HTML: "Children's Services", never "Children&#x27;s Services".
    subject = " ".join(plain_text(f"notifications/email/{kind}_subject.txt", data).split())
    text = plain_text(f"notifications/email/{kind}.txt", data).strip() + "\n"
    try:
        html = render_to_string(f"notifications/email/{kind}.html", data)
    except TemplateDoesNotExist:
        html = render_to_string("notifications/email/layout.html", data | {"subject": subject, "text": text})
    return {"subject": subject, "text": text, "html": html}


def plain_text(template_name: str, data: dict[str, Any]) -> str:
    """Render a text template with autoescaping off (subjects, titles, plain-text bodies)."""
    template = engines["django"].engine.get_template(template_name)  # type: ignore[attr-defined]
    return template.render(Context(data, autoescape=False))


def queue_email(
    address: str,
    kind: str,
    message: dict[str, str],
    *,
    organisation: Any = None,
    incident: Any = None,
    user: Any = None,
    now: Any = None,
    dedupe_key: str | None = None,
) -> Outbox:
    now = now or clock.now()
    row = Outbox.objects.create(
        organisation=organisation,
        incident=incident,
        user=user,
        to_address=address,
        kind=kind,
        subject=message["subject"][:300],
        text=message["text"],
        html=message["html"],
        next_attempt_on=now,
        created_on=now,
        dedupe_key=dedupe_key,
    )
    kick_after_commit()
    return row


_held: ContextVar[list[bool] | None] = ContextVar("outbox_kicks_held", default=None)


@contextmanager
def one_kick() -> Iterator[None]:
    """Within this block (a scan's many transactions), queue one outbox drain at the end, not one per commit."""
    held: list[bool] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        if held:
            from .tasks import deliver_outbox

            deliver_outbox.enqueue()


def kick_after_commit() -> None:
    """Ask the worker to drain the outbox once this transaction commits (once per transaction)."""
    from .tasks import deliver_outbox

    held = _held.get()
    if held is not None:
        held.append(True)
        return
    if any(getattr(entry[1], "_outbox_kick", False) for entry in connection.run_on_commit):
        return

    stamp = clock.frozen()  # an anonymous reporter's coarse time, kept on the job's row too

    def kick() -> None:
        with clock.frozen_at(stamp):
            clock.enqueue(deliver_outbox)

    kick._outbox_kick = True  # type: ignore[attr-defined]
    transaction.on_commit(kick)
