"""The timescales page for organisation admins (own values, inherited values shown) and the
running ICO clocks."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from audit.log import record
from core.pages import PAGE_SIZE, work_page
from incidents.models import visible_through
from organisations.models import Organisation, Role

from . import store
from .forms import TimescalesForm
from .models import FIELD_NAMES, ICO_HOURS, Deadline, Timescales, effective_with_sources


@login_required
@require_http_methods(["GET", "POST"])
def timescales(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user, roles=[Role.ADMIN]), uuid=org_uuid)
    own = Timescales.objects.filter(organisation=organisation).first() or Timescales(organisation=organisation)
    parent_values: dict[str, tuple[int, str]] = {}
    if organisation.parent is not None:
        values, sources = effective_with_sources(organisation.parent)
        parent_values = {
            n: (values[n], sources[n].replace("this organisation", organisation.parent.name)) for n in FIELD_NAMES
        }
    else:
        values, _ = effective_with_sources(Organisation(path="/"))
        parent_values = {n: (values[n], "default") for n in FIELD_NAMES}
    before = {n: getattr(own, n) for n in FIELD_NAMES}
    form = TimescalesForm(request.POST or None, instance=own, inherited=parent_values)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            after = {n: getattr(saved, n) for n in FIELD_NAMES}
            record(
                organisation_id=organisation.pk,
                action="timescales.changed",
                actor=request.user,
                target=saved,
                before=before,
                after=after,
            )
            # The open incidents and actions beneath move with their timescales (closed ones do not).
            store.refresh_under(organisation.path)
        messages.success(request, f"Timescales for {organisation.name} are saved.")
        return redirect("deadlines:timescales", organisation.uuid)
    values, sources = effective_with_sources(organisation)
    effective = [
        {"label": form.fields[n].label, "value": values[n], "source": sources[n], "hours": n.endswith("hours")}
        for n in FIELD_NAMES
    ]
    return render(
        request,
        "deadlines/timescales.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "form": form,
            "effective": effective,
            "ico_hours": ICO_HOURS,
        },
    )


ICO_PAGE_SIZE = PAGE_SIZE


@login_required
def ico_clocks(request: HttpRequest) -> HttpResponse:
    """Every running ICO clock the person can see, most urgent first (the dashboard counts the same rows)."""
    rows = (
        Deadline.objects.open()
        .filter(visible_through(request.user, "incident"), kind=Deadline.Kind.ICO)
        .select_related("incident", "incident__organisation")
        .order_by("due_at", "id")
    )
    # 50 a page, the most urgent first: a county with hundreds of open breaches reads one page.
    work = work_page(rows, request, ICO_PAGE_SIZE)
    # (incident, its stored ICO deadline): the page marks overdue and due soon by the deadline's own rules.
    clocks = [(row.incident, row) for row in work.rows]
    return render(request, "deadlines/ico_clocks.html", {"clocks": clocks, "work": work})
