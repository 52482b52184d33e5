"""An organisation admin's settings for reports by email: the intake address and the mailbox."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organisations.views import get_administered

from . import services
from .forms import IntakeAddressForm, MailboxForm
from .models import IntakeAddress, Mailbox


@login_required
@require_http_methods(["GET", "POST"])
def mail_settings(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    intake = IntakeAddress.objects.filter(organisation=organisation).first()
    mailbox = Mailbox.objects.filter(organisation=organisation).first()
    address_form = IntakeAddressForm(organisation=organisation, initial={"address": intake.address if intake else ""})
    initial = {name: getattr(mailbox, name) for name in services.PLAIN} if mailbox else {}
    mailbox_form = MailboxForm(mailbox=mailbox, initial=initial or None, prefix="mailbox")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "address":
            address_form = IntakeAddressForm(request.POST, organisation=organisation)
            if address_form.is_valid():
                services.set_address(organisation, address_form.cleaned_data["address"], by=request.user)
                messages.success(request, "The intake address is saved.")
                return redirect("inbound:settings", organisation.uuid)
        elif action == "mailbox":
            mailbox_form = MailboxForm(request.POST, mailbox=mailbox, prefix="mailbox")
            if mailbox_form.is_valid():
                services.save_mailbox(organisation, mailbox_form.cleaned_data, by=request.user)
                messages.success(request, "The mailbox is saved. Reports in it are fetched every minute.")
                return redirect("inbound:settings", organisation.uuid)
        elif action == "remove_mailbox":
            services.remove_mailbox(organisation, by=request.user)
            messages.success(request, "The mailbox is removed. Nothing more is fetched from it.")
            return redirect("inbound:settings", organisation.uuid)
    return render(
        request,
        "inbound/settings.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "intake": intake,
            "mailbox": mailbox,
            "address_form": address_form,
            "mailbox_form": mailbox_form,
        },
    )
