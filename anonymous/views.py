"""The public report page, the receipt pages and the poster, plus the staff-side
identity-request and public-page settings views.

Public views (under /r/) render without context processors, so nothing reads the
session, the user or messages; they are CSRF-exempt and use signed tokens instead
(docs/anonymous-reporting.md). They pass nothing about the sender to the services.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import StepRefused, StorageFull
from core.views import get_visible_or_404
from evidence.forms import uploads_from
from evidence.models import Evidence
from evidence.services import STORAGE_FULL
from incidents.models import Incident
from organisations.models import Organisation, Role

from . import ratelimit
from .forms import (
    FOLLOW_UP_TOKEN_AGE,
    PublicReportForm,
    ReceiptForm,
    ReplyForm,
    make_follow_up_token,
    make_report_token,
    read_follow_up_token,
    read_report_token,
)
from .keys import format_receipt, normalise_receipt
from .models import IdentityRequest, PublicReportPage
from .poster import poster_pdf
from .services import (
    decide_identity_request,
    find_by_receipt,
    mark_messages_read,
    page_for,
    regenerate_page_address,
    reporter_reply,
    request_identity,
    reveal_identity,
    set_exact_times,
    submit_anonymous_report,
    submit_named_public_report,
)

NOT_FOUND_MESSAGE = "We could not find a report with this receipt. Check the numbers and try again."
LIMIT_MESSAGE = "Too many tries from your connection. Wait a few minutes and try again."
TOO_LARGE_MESSAGE = "What you sent is too large. Send at most 5 files of up to 10 MB each."


def public_render(template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render without the request: no context processor runs, so no session or user is read."""
    return HttpResponse(render_to_string(template, context), status=status)


class InMemoryUploads(MemoryFileUploadHandler):
    """Keeps every uploaded file in memory: an anonymous reporter's file is never written
    to a temporary file on disk before its metadata is removed."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        super().handle_raw_input(*args, **kwargs)
        self.activated = True


def max_request_bytes() -> int:
    return settings.REPORT_ATTACHMENT_MAX_FILES * settings.REPORT_ATTACHMENT_MAX_BYTES + 2 * 1024 * 1024


def too_large(request: HttpRequest) -> bool:
    """Refuse bodies bigger than the files and fields allowed; otherwise keep uploads in memory."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    if length > max_request_bytes():
        return True
    request.upload_handlers = [InMemoryUploads(request)]
    return False


def client(request: HttpRequest) -> str:
    return str(getattr(request, "anonymous_client", ""))


def active_page(slug: str) -> PublicReportPage:
    return get_object_or_404(PublicReportPage.objects.select_related("organisation"), slug=slug, is_active=True)


@csrf_exempt
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, slug: str) -> HttpResponse:
    page = active_page(slug)
    organisation = page.organisation
    context: dict[str, Any] = {"organisation": organisation, "page": page}
    if request.method != "POST":
        form = PublicReportForm(initial={"token": make_report_token(organisation.pk)})
        return public_render("anonymous/public_report.html", context | {"form": form})
    if not ratelimit.hit(ratelimit.REPORT, client(request)):
        return public_render("anonymous/limited.html", context | {"message": LIMIT_MESSAGE}, status=429)
    if too_large(request):
        return public_render("anonymous/limited.html", context | {"message": TOO_LARGE_MESSAGE}, status=413)
    form = PublicReportForm(request.POST, request.FILES)
    if form.is_bot:
        return public_render("anonymous/refused.html", context, status=400)
    if form.is_valid():
        key = read_report_token(form.cleaned_data["token"], organisation.pk)
        if key is None:
            form.add_error(None, "This page was open too long. Your text is below: send it again.")
            data = request.POST.copy()
            data["token"] = make_report_token(organisation.pk)
            form.data = data
        else:
            try:
                if form.is_named:
                    incident, receipt = submit_named_public_report(
                        organisation=organisation,
                        submission_key=key,
                        fields=form.report_fields(),
                        reporter=form.reporter(),
                        uploads=uploads_from(form.cleaned_data["attachments"]),
                    )
                    context["reference"] = incident.reference
                    context["reporter_email"] = form.cleaned_data["reporter_email"]
                else:
                    _incident, receipt = submit_anonymous_report(
                        organisation=organisation,
                        submission_key=key,
                        fields=form.report_fields(),
                        uploads=uploads_from(form.cleaned_data["attachments"]),
                    )
            except StepRefused as refused:
                form.add_error("attachments", str(refused))
            except StorageFull:
                # Nothing was stored; the text stays on the page, to send again.
                form.add_error("attachments", STORAGE_FULL)
                return public_render("anonymous/public_report.html", context | {"form": form}, status=503)
            else:
                return public_render(
                    "anonymous/receipt_shown.html",
                    context | {"receipt": receipt and format_receipt(receipt)},
                )
    return public_render("anonymous/public_report.html", context | {"form": form}, status=200)


def status_context(incident: Incident) -> dict[str, Any]:
    return {
        "incident": incident,
        "organisation": incident.organisation,
        "conversation": list(incident.reporter_messages.all()),
        "files": list(
            incident.evidence.filter(source=Evidence.Source.ANONYMOUS_REPORTER, withdrawn_on__isnull=True).only(
                "original_name", "uploaded_on", "size"
            )
        ),
        "reply_form": ReplyForm(initial={"token": make_follow_up_token(incident)}),
        # Shown to the reporter only, in their page: when the page stops taking replies.
        "open_until": timezone.localtime() + timedelta(seconds=FOLLOW_UP_TOKEN_AGE),
    }


# The most text carried back to a reporter whose page expired (the form's own limit is lower).
KEPT_TEXT = 20_000


@csrf_exempt
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def receipt_lookup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return public_render("anonymous/receipt_form.html", {"form": ReceiptForm()})
    form = ReceiptForm(request.POST)
    allowed = ratelimit.hit(ratelimit.RECEIPT_LOOKUP, client(request))
    # The same work whatever was typed: normalise, hash, one indexed query.
    incident = find_by_receipt(normalise_receipt(str(request.POST.get("receipt", ""))))
    if not allowed:
        return public_render("anonymous/receipt_form.html", {"form": form, "error": LIMIT_MESSAGE}, status=429)
    if incident is None:
        return public_render("anonymous/receipt_form.html", {"form": form, "error": NOT_FOUND_MESSAGE})
    mark_messages_read(incident)
    context = status_context(incident)
    kept = str(request.POST.get("kept_body", ""))[:KEPT_TEXT]
    if kept:
        context["reply_form"] = ReplyForm(initial={"token": make_follow_up_token(incident), "body": kept})
    return public_render("anonymous/status.html", context)


@csrf_exempt
@sensitive_post_parameters()
@require_POST
def receipt_reply(request: HttpRequest) -> HttpResponse:
    if too_large(request):  # before the body is read
        return public_render("anonymous/limited.html", {"message": TOO_LARGE_MESSAGE}, status=413)
    incident_uuid = read_follow_up_token(str(request.POST.get("token", "")))
    incident = (
        Incident.objects.select_related("organisation").filter(uuid=incident_uuid, reporter_anonymous=True).first()
        if incident_uuid
        else None
    )
    if incident is None:
        # Nothing typed is lost: the message comes back with the receipt form and is put
        # back in the reply box once the receipt is entered again.
        return public_render(
            "anonymous/receipt_form.html",
            {
                "form": ReceiptForm(),
                "error": "This page was open too long. Enter your receipt again: your message is kept below.",
                "kept_body": str(request.POST.get("body", ""))[:KEPT_TEXT],
            },
            status=400,
        )
    if not ratelimit.hit(ratelimit.MESSAGE, client(request)):
        return public_render("anonymous/limited.html", {"message": LIMIT_MESSAGE}, status=429)
    form = ReplyForm(request.POST, request.FILES)
    sent = False
    status = 200
    if request.POST.get("action") == "extend":
        # Another hour, with what was typed kept (files cannot be kept: the page says so).
        context = status_context(incident)
        kept = str(request.POST.get("body", ""))[:KEPT_TEXT]
        context["reply_form"] = ReplyForm(initial={"token": make_follow_up_token(incident), "body": kept})
        return public_render("anonymous/status.html", context | {"extended": True})
    if form.is_valid():
        try:
            reporter_reply(
                incident=incident,
                body=form.cleaned_data["body"],
                uploads=uploads_from(form.cleaned_data["attachments"]),
            )
            sent = True
        except StepRefused as refused:
            form.add_error(None, str(refused))
        except StorageFull:
            form.add_error(None, STORAGE_FULL)
            status = 503
    context = status_context(incident)
    if not sent:
        context["reply_form"] = form
    return public_render("anonymous/status.html", context | {"sent": sent}, status=status)


@require_http_methods(["GET"])
def poster(request: HttpRequest, slug: str) -> HttpResponse:
    page = active_page(slug)
    address = request.build_absolute_uri(reverse("anonymous:public_report", args=[page.slug]))
    response = HttpResponse(poster_pdf(page.organisation.name, address), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="report-poster.pdf"'
    return response


# --- Staff side ---------------------------------------------------------------------------


def administered_organisation(request: HttpRequest, org_uuid: Any) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user, roles=[Role.ADMIN]), uuid=org_uuid)


@login_required
@require_http_methods(["GET", "POST"])
def public_page_settings(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    """Admins see and manage the organisation's public report page."""
    organisation = administered_organisation(request, org_uuid)
    page = PublicReportPage.objects.filter(organisation=organisation).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" or page is None:
            page = page_for(organisation, by=request.user)
            messages.success(request, "The public report page is ready.")
        elif action == "regenerate":
            # The old address stops working on every printed poster: only once confirmed.
            if request.POST.get("confirm") != "yes":
                return render(
                    request,
                    "anonymous/new_address_confirm.html",
                    {
                        "organisation": organisation,
                        "current_organisation": organisation,
                        "address": request.build_absolute_uri(reverse("anonymous:public_report", args=[page.slug])),
                        "asked": "confirm_asked" in request.POST,
                        "back": reverse("anonymous:public_page_settings", args=[organisation.uuid]),
                    },
                    status=200,
                )
            regenerate_page_address(page, by=request.user)
            messages.success(request, "The public report page has a new address. Print new posters.")
        elif action == "times":
            set_exact_times(page, by=request.user, exact=request.POST.get("exact_times") == "yes")
            messages.success(request, "The time setting is saved.")
        return redirect("anonymous:public_page_settings", organisation.uuid)
    address = (
        request.build_absolute_uri(reverse("anonymous:public_report", args=[page.slug])) if page is not None else ""
    )
    return render(
        request,
        "anonymous/public_page_settings.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "page": page,
            "address": address,
        },
    )


@login_required
@require_POST
def ask_identity(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(
        Incident.objects.select_related("organisation", "reported_by"), request.user, uuid=incident_uuid
    )
    if not incident.powers_of(request.user).can_handle:
        raise PermissionDenied  # outside help does not ask who reported it
    try:
        request_identity(incident=incident, by=request.user, reason=str(request.POST.get("reason", ""))[:2000])
        messages.success(request, "Your request has been sent to the DPO.")
    except StepRefused as refused:
        messages.error(request, str(refused))
    return redirect("incidents:detail", incident.uuid)


@login_required
@require_POST
def decide_identity(request: HttpRequest, request_uuid: Any) -> HttpResponse:
    identity_request = get_visible_or_404(
        IdentityRequest.objects.select_related("incident__organisation", "incident__reported_by"),
        request.user,
        uuid=request_uuid,
    )
    if not identity_request.incident.powers_of(request.user).can_decide_identity_requests:
        return render(request, "403.html", status=403)
    try:
        decide_identity_request(
            identity_request=identity_request,
            by=request.user,
            grant=request.POST.get("decision") == "grant",
            reason=str(request.POST.get("reason", ""))[:2000],
        )
        messages.success(request, "Your decision is recorded.")
    except StepRefused as refused:
        messages.error(request, str(refused))
    return redirect("incidents:detail", identity_request.incident.uuid)


@login_required
@require_POST
def reveal(request: HttpRequest, request_uuid: Any) -> HttpResponse:
    identity_request = get_visible_or_404(
        IdentityRequest.objects.select_related("incident__organisation", "incident__reported_by"),
        request.user,
        uuid=request_uuid,
    )
    try:
        name = reveal_identity(identity_request=identity_request, by=request.user)
    except StepRefused:
        return render(request, "403.html", status=403)
    response = render(
        request,
        "anonymous/revealed.html",
        {"incident": identity_request.incident, "name": name, "identity_request": identity_request},
    )
    response["Cache-Control"] = "no-store"
    return response
