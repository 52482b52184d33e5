"""A person's notifications and preferences; an admin's failed deliveries and informed parties."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from lib import clock
from organisations.models import Membership, Organisation, Role

from .audiences import usual_mode
from .forms import InformedPartyForm, PreferencesForm
from .kinds import OPTIONAL_KINDS
from .models import InformedParty, Notification, Outbox, Preference


def parse_uuid(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def administered(request: HttpRequest) -> Any:
    return Organisation.objects.visible_to(request.user, roles=[Role.ADMIN])


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user.pk)
    page = Paginator(mine.select_related("incident").order_by("-created_on", "-id"), 50).get_page(
        request.GET.get("page")
    )
    # Times about an anonymous report are shown at its organisation's precision.
    clock.remember_precisions(item.incident for item in page.object_list if item.incident is not None)
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "groups": by_incident(page.object_list),
            "unread": mine.filter(read_on__isnull=True).count(),
            "administered": list(administered(request).only("uuid", "name", "path")),
        },
    )


def by_incident(items: Any) -> list[dict[str, Any]]:
    """The page's notifications grouped by incident, the most recent incident first (the rest last)."""
    groups: dict[int | None, dict[str, Any]] = {}
    for item in items:
        group = groups.setdefault(item.incident_id, {"incident": item.incident, "items": [], "unread": 0})
        group["items"].append(item)
        group["unread"] += item.read_on is None
    return sorted(groups.values(), key=lambda g: g["incident"] is None)


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, notification_uuid: Any) -> HttpResponse:
    """Go where one of the person's own notifications points; the list's button (a POST)
    also marks it read. A GET (a link followed, a preview, a prefetch) changes nothing."""
    item = get_object_or_404(Notification.objects.filter(user=request.user.pk), uuid=notification_uuid)
    if request.method == "POST" and item.read_on is None:
        Notification.objects.filter(pk=item.pk).update(read_on=timezone.now())
    target = item.link if url_has_allowed_host_and_scheme(item.link, {request.get_host(), *site_hosts()}) else ""
    return redirect(target or "notifications:list")


def site_hosts() -> set[str]:
    from django.conf import settings

    return {settings.SITE_URL.split("://")[-1].split("/")[0]}


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user.pk, read_on__isnull=True).update(read_on=timezone.now())
    messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = dict(Preference.objects.filter(user=request.user.pk).values_list("kind", "mode"))
    roles = set(Membership.objects.filter(user=request.user.pk).values_list("role", flat=True))
    usual = {kind: usual_mode(kind, roles) for kind in OPTIONAL_KINDS}
    form = PreferencesForm(request.POST or None, current=current, usual=usual)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for kind, mode in form.choices().items():
                Preference.objects.update_or_create(
                    user_id=int(request.user.pk or 0), kind=kind, defaults={"mode": mode}
                )
        messages.success(request, "Your choices are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def deliveries(request: HttpRequest) -> HttpResponse:
    """Emails that failed or are being retried, for the organisations the person administers."""
    organisations = administered(request)
    if not organisations.exists():
        raise Http404
    rows = Outbox.objects.filter(organisation__in=organisations).select_related("organisation")
    if request.method == "POST":
        row = get_object_or_404(rows, uuid=parse_uuid(request.POST.get("retry")), status=Outbox.Status.FAILED)
        with transaction.atomic():
            Outbox.objects.filter(pk=row.pk).update(
                status=Outbox.Status.PENDING, attempts=0, next_attempt_on=timezone.now(), last_error=""
            )
            record(
                organisation_id=row.organisation.pk,  # type: ignore[union-attr]
                action="notification.retried",
                actor=request.user,
                target=row,
                after={"kind": row.kind, "to": row.to_address},
            )
            from .api import kick_after_commit

            kick_after_commit()
        messages.success(request, f"The email to {row.to_address} will be sent again.")
        return redirect("notifications:deliveries")
    failed = rows.filter(status=Outbox.Status.FAILED).order_by("-created_on")[:200]
    retrying = rows.filter(status=Outbox.Status.PENDING, attempts__gt=0).order_by("next_attempt_on")[:200]
    return render(request, "notifications/deliveries.html", {"failed": failed, "retrying": retrying})


@login_required
@require_http_methods(["GET", "POST"])
def informed_parties(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_object_or_404(administered(request), uuid=org_uuid)
    form = InformedPartyForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        remove = request.POST["remove"]
        party = get_object_or_404(InformedParty, pk=int(remove) if remove.isdigit() else 0, organisation=organisation)
        with transaction.atomic():
            record(
                organisation_id=organisation.pk,
                action="informed_party.removed",
                actor=request.user,
                target=party,
                before={"role": party.role, "name": party.name, "email": party.email, "service": party.service_name},
            )
            party.delete()
        messages.success(request, f"{party.name} will no longer be told.")
        return redirect("notifications:informed_parties", organisation.uuid)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            party = form.save(commit=False)
            party.organisation = organisation
            party.save()
            record(
                organisation_id=organisation.pk,
                action="informed_party.added",
                actor=request.user,
                target=party,
                after={"role": party.role, "name": party.name, "email": party.email, "service": party.service_name},
            )
        messages.success(request, f"{party.name} will be told about incidents that affect a service.")
        return redirect("notifications:informed_parties", organisation.uuid)
    inherited = InformedParty.objects.filter(organisation_id__in=organisation.ancestor_ids()[:-1]).select_related(
        "organisation"
    )
    return render(
        request,
        "notifications/informed_parties.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "form": form,
            "parties": organisation.informed_parties.all(),
            "inherited": inherited,
        },
    )
