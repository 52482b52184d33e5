"""An organisation admin's webhooks: list, add (the secret shown once), change, pause, remove, the log."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from lib import clock, sealed
from organisations.models import Organisation
from organisations.powers import powers

from . import signing
from .forms import SubscriptionForm
from .models import Attempt, Delivery, Subscription
from .tasks import kick_after_commit


def administered(request: HttpRequest, org_uuid: Any) -> Organisation:
    """The organisation, if the person may manage its webhooks (a 404 otherwise, like every other page)."""
    organisation = get_object_or_404(Organisation, uuid=org_uuid)
    if not powers(request.user, organisation).can_manage_webhooks:
        raise Http404
    return organisation


def subscription_of(organisation: Organisation, subscription_uuid: Any) -> Subscription:
    return get_object_or_404(Subscription, organisation=organisation, uuid=subscription_uuid)


def described(subscription: Subscription) -> dict[str, Any]:
    return {
        "name": subscription.name,
        "url": subscription.url,
        "format": subscription.format,
        "events": subscription.events,
        "include_details": subscription.include_details,
    }


@login_required
def subscription_list(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = administered(request, org_uuid)
    return render(
        request,
        "webhooks/list.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "subscriptions": Subscription.objects.filter(organisation=organisation),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = administered(request, org_uuid)
    may_include = powers(request.user, organisation).can_read_report_contents
    form = SubscriptionForm(request.POST if request.method == "POST" else None, may_include_details=may_include)
    if request.method == "POST" and form.is_valid():
        secret = signing.new_secret()
        with transaction.atomic():
            subscription = form.save(commit=False)
            subscription.organisation = organisation
            subscription.secret_encrypted = sealed.seal(secret)
            subscription.created_by = request.user
            subscription.details_granted_by = request.user if subscription.include_details else None
            subscription.created_on = timezone.now()
            subscription.save()
            record(
                organisation_id=organisation.pk,
                action="webhook.added",
                actor=request.user,
                target=subscription,
                after=described(subscription),
            )
        # Shown here, once: never stored where a page could show it again.
        return render(
            request,
            "webhooks/secret.html",
            {"organisation": organisation, "subscription": subscription, "secret": secret},
        )
    return render(request, "webhooks/form.html", {"organisation": organisation, "form": form, "adding": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, org_uuid: Any, subscription_uuid: Any) -> HttpResponse:
    organisation = administered(request, org_uuid)
    subscription = subscription_of(organisation, subscription_uuid)
    before = described(subscription)
    may_include = powers(request.user, organisation).can_read_report_contents
    form = SubscriptionForm(
        request.POST if request.method == "POST" else None, instance=subscription, may_include_details=may_include
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            subscription = form.save(commit=False)
            if "include_details" in form.changed_data:
                subscription.details_granted_by = request.user if subscription.include_details else None
            subscription.save()
            record(
                organisation_id=organisation.pk,
                action="webhook.changed",
                actor=request.user,
                target=subscription,
                before=before,
                after=described(subscription),
            )
        messages.success(request, f"The webhook “{subscription.name}” is saved.")
        return redirect("webhooks:detail", organisation.uuid, subscription.uuid)
    return render(
        request,
        "webhooks/form.html",
        {"organisation": organisation, "form": form, "subscription": subscription, "adding": False},
    )


@login_required
def detail(request: HttpRequest, org_uuid: Any, subscription_uuid: Any) -> HttpResponse:
    """The webhook and its delivery log: the latest attempts, and what is waiting."""
    organisation = administered(request, org_uuid)
    subscription = subscription_of(organisation, subscription_uuid)
    attempts = list(
        Attempt.objects.filter(delivery__subscription=subscription)
        .select_related("delivery__incident")
        .order_by("-at", "-id")[:100]
    )
    waiting = list(
        Delivery.objects.filter(subscription=subscription)
        .exclude(status=Delivery.Status.DELIVERED)
        .select_related("incident")
        .order_by("created_on", "id")[:100]
    )
    # Times about an anonymous report are shown at its organisation's precision.
    clock.remember_precisions(
        row.incident for row in [*(a.delivery for a in attempts), *waiting] if row.incident is not None
    )
    return render(
        request,
        "webhooks/detail.html",
        {"organisation": organisation, "subscription": subscription, "attempts": attempts, "waiting": waiting},
    )


@login_required
@require_POST
def pause(request: HttpRequest, org_uuid: Any, subscription_uuid: Any) -> HttpResponse:
    """Pause an active webhook; resume a paused or turned-off one (its waiting deliveries go, in order)."""
    organisation = administered(request, org_uuid)
    subscription = subscription_of(organisation, subscription_uuid)
    with transaction.atomic():
        if subscription.status == Subscription.Status.ACTIVE:
            subscription.status = Subscription.Status.PAUSED
            action, words = "webhook.paused", "is paused: nothing is sent until you resume it"
        else:
            subscription.status = Subscription.Status.ACTIVE
            subscription.consecutive_failures = 0
            subscription.failing_since = None
            subscription.disabled_on = None
            Delivery.objects.filter(subscription=subscription, status=Delivery.Status.PENDING).update(
                next_attempt_on=timezone.now()
            )
            action, words = "webhook.resumed", "is on again: what waited is sent now, in order"
            kick_after_commit()
        subscription.save(update_fields=["status", "consecutive_failures", "failing_since", "disabled_on"])
        record(organisation_id=organisation.pk, action=action, actor=request.user, target=subscription)
    messages.success(request, f"The webhook “{subscription.name}” {words}.")
    return redirect("webhooks:detail", organisation.uuid, subscription.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, org_uuid: Any, subscription_uuid: Any) -> HttpResponse:
    organisation = administered(request, org_uuid)
    subscription = subscription_of(organisation, subscription_uuid)
    if request.method == "POST":
        with transaction.atomic():
            record(
                organisation_id=organisation.pk,
                action="webhook.removed",
                actor=request.user,
                target=subscription,
                before=described(subscription),
            )
            subscription.delete()
        messages.success(request, f"The webhook “{subscription.name}” is removed. Nothing more is sent to it.")
        return redirect("webhooks:list", organisation.uuid)
    return render(request, "webhooks/delete.html", {"organisation": organisation, "subscription": subscription})
