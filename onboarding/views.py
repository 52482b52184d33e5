"""The people page of an organisation, and bringing people and organisations in from a file.

An organisation admin (`Powers.can_manage_people`) imports and exports the people of their
organisation and everything beneath it, and sees who may have left; a parent organisation's
admin (`Powers.can_add_organisations`) or a superuser brings organisations in beneath it.
Anyone else gets a 404, as for every organisation page.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from organisations.models import Organisation
from organisations.powers import powers

from . import leavers, people, schools
from .forms import FileForm
from .tables import csv_chunks, xlsx_chunks


def _organisation(request: HttpRequest, org_uuid: Any, may: str) -> Organisation:
    organisation = get_object_or_404(Organisation, uuid=org_uuid)
    if not (getattr(powers(request.user, organisation), may) or request.user.is_superuser):
        raise Http404("No such organisation.")
    return organisation


@login_required
def people_page(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _organisation(request, org_uuid, "can_manage_people")
    flags = list(leavers.flagged_at(organisation))
    work = leavers.open_work({f.user_id for f in flags}, organisation)
    return render(
        request,
        "onboarding/people.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "flags": [(flag, work[flag.user_id]) for flag in flags],
            "leaver_days": settings.LEAVER_AFTER_DAYS,
            "may_add_organisations": powers(request.user, organisation).can_add_organisations
            or request.user.is_superuser,
        },
    )


def _import(request: HttpRequest, organisation: Organisation, module: Any, template: str) -> HttpResponse:
    form = FileForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content, name = upload.read(), upload.name
        step = module.run_import if request.POST.get("step") == "import" else module.check
        outcome = step(organisation, content, name, by=request.user)
    # A leaver's open incidents and actions, to hand on now their roles are gone.
    leaver_work = []
    if outcome is not None and getattr(outcome, "leavers", None):
        work = leavers.open_work(set(outcome.leavers), organisation)
        users = get_user_model().objects.in_bulk(list(work))
        leaver_work = [(users[pk], w) for pk, w in work.items() if w["incidents"] or w["actions"]]
    return render(
        request,
        template,
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "form": form,
            "outcome": outcome,
            "leaver_work": leaver_work,
            "back": reverse("onboarding:people", args=[organisation.uuid]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_people(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _organisation(request, org_uuid, "can_manage_people")
    return _import(request, organisation, people, "onboarding/import_people.html")


@login_required
@require_http_methods(["GET", "POST"])
def import_organisations(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _organisation(request, org_uuid, "can_add_organisations")
    return _import(request, organisation, schools, "onboarding/import_organisations.html")


@login_required
def export_csv(request: HttpRequest, org_uuid: Any) -> StreamingHttpResponse:
    organisation = _organisation(request, org_uuid, "can_manage_people")
    response = StreamingHttpResponse(
        csv_chunks(people.EXPORT_HEADER, people.export_rows(organisation)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


@login_required
def export_xlsx(request: HttpRequest, org_uuid: Any) -> StreamingHttpResponse:
    organisation = _organisation(request, org_uuid, "can_manage_people")
    response = StreamingHttpResponse(
        xlsx_chunks("People", people.EXPORT_HEADER, people.export_rows(organisation)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="people.xlsx"'
    return response
