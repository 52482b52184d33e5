"""Restricting an incident to named people, and inviting outside help to it.

Who may do each is `Powers` (`can_restrict`, `can_invite_outside_help`); the incident is found
through `visible_to` like every page, so someone a restriction leaves out gets a 404 here too.
"""

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.adapter import INVITED_EMAIL
from core.exceptions import StepRefused
from core.views import get_visible_or_404

from .. import restriction
from ..forms.restriction import InviteForm, LiftForm, RestrictForm
from ..models import Incident, NamedPerson, OutsideAccess


def _incident(request: HttpRequest, incident_uuid: Any, may: str) -> Incident:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    if not getattr(incident.powers_of(request.user), may):
        raise PermissionDenied
    return incident


def _detail(incident: Incident, anchor: str = "#restriction") -> str:
    return reverse("incidents:detail", args=[incident.uuid]) + anchor


@login_required
@require_http_methods(["GET", "POST"])
def restrict(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident(request, incident_uuid, "can_restrict")
    candidates = restriction.candidates(incident).exclude(pk=request.user.pk)
    named = list(NamedPerson.objects.filter(incident=incident).values_list("person_id", flat=True))
    form = RestrictForm(
        request.POST or None,
        candidates=candidates,
        initial={"people": named, "reason": incident.restriction_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            restriction.restrict(
                incident, by=request.user, people=list(form.cleaned_data["people"]), reason=form.cleaned_data["reason"]
            )
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The incident is restricted to the people you named.")
            return redirect(_detail(incident))
    title = "Change who may see this incident" if incident.is_restricted else "Restrict this incident"
    intro = (
        "Use this when someone who would normally handle the incident is implicated, such as the "
        "headteacher or the business manager. Everyone you do not name, whatever their role, sees "
        "only its reference and status. Every view of it is on the record."
    )
    return render(
        request,
        "incidents/step.html",
        {
            "incident": incident,
            "current_organisation": incident.organisation,
            "title": title,
            "button": "Restrict the incident" if not incident.is_restricted else "Save who may see it",
            "form": form,
            "intro": intro,
            "fields": [form["people"], form["reason"]],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lift(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident(request, incident_uuid, "can_restrict")
    if not incident.is_restricted:
        raise Http404
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            restriction.lift(incident, by=request.user, reason=form.cleaned_data["reason"])
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The restriction is lifted.")
            return redirect(_detail(incident))
    return render(
        request,
        "incidents/step.html",
        {
            "incident": incident,
            "current_organisation": incident.organisation,
            "title": "Lift the restriction",
            "button": "Lift the restriction",
            "form": form,
            "fields": [form["reason"]],
        },
    )


def end_of_day(day: Any) -> datetime:
    """Access "ends on" a day: it stops at the start of that day, local time."""
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@require_http_methods(["GET", "POST"])
def outside_help(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident(request, incident_uuid, "can_invite_outside_help")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            restriction.invite(
                incident,
                by=request.user,
                name=data["name"],
                firm=data["firm"],
                email=data["email"],
                mode=data["mode"],
                ends_on=end_of_day(data["ends_on"]),
            )
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{data['name']} is sent an invitation by email.")
            return redirect("incidents:outside_help", incident_uuid=incident.uuid)
    accesses = OutsideAccess.objects.filter(incident=incident).select_related("person", "invited_by")
    return render(
        request,
        "incidents/outside_help.html",
        {"incident": incident, "current_organisation": incident.organisation, "form": form, "accesses": accesses},
    )


@login_required
@require_POST
def end_outside_help(request: HttpRequest, access_uuid: Any) -> HttpResponse:
    access: OutsideAccess = get_visible_or_404(
        OutsideAccess.objects.select_related("incident__organisation"), request.user, uuid=access_uuid
    )
    if not access.incident.powers_of(request.user).can_invite_outside_help:
        raise PermissionDenied
    try:
        restriction.end(access, by=request.user)
    except StepRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{access.name}'s access has ended.")
    return redirect("incidents:outside_help", incident_uuid=access.incident.uuid)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email. Signed out: sign in, or create an account with the
    invited address (the only sign-up there is). Signed in: accept, then the incident."""
    access = restriction.access_for_token(token)
    if access is None:
        return render(request, "incidents/invitation.html", {"gone": True}, status=404)
    here = reverse("incidents:accept_invitation", args=[token])
    user: Any = request.user
    if not user.is_authenticated:
        # The session, not the data: lets this one address create an account (accounts.adapter).
        request.session[INVITED_EMAIL] = access.email
        return render(request, "incidents/invitation.html", {"access": access, "next": here})
    error = ""
    if request.method == "POST":
        try:
            restriction.accept(access, user)
        except StepRefused as refused:
            error = str(refused)
        else:
            request.session.pop(INVITED_EMAIL, None)
            return redirect("incidents:detail", incident_uuid=access.incident.uuid)
    return render(request, "incidents/invitation.html", {"access": access, "error": error, "signed_in": True})
