"""Pages for exceptions to a policy point, and for an incident's policy points and exception."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.log import events_for
from core.exceptions import StepRefused
from core.views import get_visible_or_404
from incidents.models import Incident
from organisations.models import Organisation
from organisations.powers import paths_where, powers

from . import exceptions
from .exception_forms import ExceptionDecisionForm, ExceptionRequestForm, IncidentPointsForm, NameExceptionForm
from .exception_models import REGISTER_ROLES
from .models import IncidentException, IncidentPolicyPoint, PolicyException, PolicyPoint


class RegisterFilter(forms.Form):
    organisation = forms.ChoiceField(label="Organisation", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any"), ("in_force", "In force"), *PolicyException.Status.choices],
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All I can see"), *((str(o.uuid), o.name) for o in organisations)]


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The exceptions register: every exception of the organisations the person handles or
    administers (and beneath), and their own requests."""
    organisations = list(
        Organisation.objects.under_paths(paths_where(request.user, REGISTER_ROLES)).only("uuid", "name", "path")
    )
    form = RegisterFilter(request.GET or None, organisations=organisations)
    queryset = PolicyException.objects.visible_to(request.user).select_related(
        "organisation", "point__version__policy", "requested_by"
    )
    today = exceptions.today_here()
    if form.is_valid():
        chosen = form.cleaned_data["organisation"]
        if chosen:
            queryset = queryset.filter(organisation__uuid=chosen)
        status = form.cleaned_data["status"]
        if status == "in_force":
            queryset = queryset.in_force(today)
        elif status:
            queryset = queryset.filter(status=status)
    rows = [
        {"exception": e, "label": exceptions.point_label(e.point), "ending_soon": exceptions.ending_soon(e, today)}
        for e in queryset[:500]
    ]
    return render(
        request,
        "policies/exceptions/register.html",
        {"form": form, "rows": rows, "may_request": bool(paths_where(request.user))},
    )


def _my_organisations(user: Any) -> list[Organisation]:
    """Where the person may ask for an exception or suggest a change: wherever they hold a role."""
    return list(Organisation.objects.under_paths(paths_where(user)).order_by("path")[:200])


@login_required
@require_http_methods(["GET", "POST"])
def request_exception(request: HttpRequest) -> HttpResponse:
    organisations = _my_organisations(request.user)
    if not organisations:
        raise PermissionDenied("You can ask for an exception only where you have a role.")
    points: dict[int, PolicyPoint] = {}
    for organisation in organisations[:20]:
        for point in exceptions.applicable_points(organisation):
            points.setdefault(point.pk, point)
    queryset = PolicyPoint.objects.filter(pk__in=list(points)).select_related("version__policy")
    form = ExceptionRequestForm(
        request.POST or None,
        organisations=organisations,
        points=queryset,
        initial={"point": request.GET.get("point")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exception = exceptions.request(
                organisation=data["organisation"],
                point=data["point"],
                by=request.user,
                reason=data["reason"],
                risk=data["risk"],
                compensating_measure=data["compensating_measure"],
                wanted_until=data["wanted_until"],
            )
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("exceptions:detail", exception.uuid)
    return render(request, "policies/exceptions/request.html", {"form": form, "has_points": bool(points)})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, exception_uuid: Any) -> HttpResponse:
    exception = get_visible_or_404(
        PolicyException.objects.select_related("organisation", "point__version__policy", "requested_by", "decided_by"),
        request.user,
        uuid=exception_uuid,
    )
    may_decide = (
        exception.status == PolicyException.Status.REQUESTED
        and powers(request.user, exception.organisation).can_decide_exceptions
    )
    form = ExceptionDecisionForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the SIRO or the Data Protection Officer can decide an exception.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    exceptions.approve(exception, by=request.user, ends_on=data["ends_on"])
                else:
                    exceptions.refuse(exception, by=request.user, reason=data["reason"])
            except StepRefused as error:
                form.add_error(None, str(error))
            else:
                return redirect("exceptions:detail", exception.uuid)
    return render(
        request,
        "policies/exceptions/detail.html",
        {
            "exception": exception,
            "label": exceptions.point_label(exception.point),
            "form": form,
            "ending_soon": exceptions.ending_soon(exception),
            "events": events_for(exception),
            "incidents": IncidentException.objects.visible_to(request.user)
            .filter(exception=exception)
            .select_related("incident"),
        },
    )


# ── On an incident ───────────────────────────────────────────────────────────────────────


def _incident(request: HttpRequest, incident_uuid: Any) -> Incident:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    if not incident.powers_of(request.user).can_record_policy_points:
        raise PermissionDenied("Only whoever triages the incident or writes its outcome report can record this.")
    return incident


@login_required
@require_http_methods(["GET", "POST"])
def incident_points(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident(request, incident_uuid)
    points = exceptions.applicable_points(incident.organisation)
    current = list(IncidentPolicyPoint.objects.filter(incident=incident).values_list("point_id", flat=True))
    form = IncidentPointsForm(request.POST or None, points=points, initial={"points": current})
    if request.method == "POST" and form.is_valid():
        try:
            exceptions.record_points(incident, by=request.user, points=list(form.cleaned_data["points"]))
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("incidents:detail", args=[incident.uuid]) + "#policy")
    return render(
        request,
        "policies/exceptions/incident_points.html",
        {"incident": incident, "form": form, "has_points": bool(points), "current_organisation": incident.organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_exception(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = _incident(request, incident_uuid)
    in_force = exceptions.in_force_for(incident)
    form = NameExceptionForm(request.POST or None, exceptions=in_force)
    if request.method == "POST" and form.is_valid():
        try:
            exceptions.name_exception(incident, by=request.user, exception=form.cleaned_data["exception"])
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("incidents:detail", args=[incident.uuid]) + "#policy")
    return render(
        request,
        "policies/exceptions/incident_exception.html",
        {
            "incident": incident,
            "form": form,
            "has_exceptions": in_force.exists(),
            "current_organisation": incident.organisation,
        },
    )
