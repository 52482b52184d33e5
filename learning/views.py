"""Search, the lessons register, known errors and training: plain GET pages and forms."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.exceptions import StepRefused
from core.pages import page_number
from core.views import get_visible_or_404
from incidents.models import Incident, IncidentType
from insights.scope import resolve_for_handlers
from organisations.powers import may_find_a_person, powers

from . import find_person, lessons, search, services
from .forms import FindPersonForm, KnownErrorForm, LessonFilterForm, SearchForm, TrainingForm, TrainingImportForm
from .models import KnownError, SearchEntry, TrainingRecord

PAGE_SIZE = 20


def _links(rows: list[SearchEntry]) -> list[dict[str, Any]]:
    """Where each result leads: the incident, the lesson's incident, or the known error."""
    found = []
    for row in rows:
        if row.kind == SearchEntry.Kind.KNOWN_ERROR:
            href = reverse("learning:known_error", args=[row.key])
        elif row.kind == SearchEntry.Kind.LESSON:
            href = reverse("incidents:outcome", args=[row.incident.uuid])
        else:
            href = reverse("incidents:detail", args=[row.incident.uuid])
        found.append({"entry": row, "href": href})
    return found


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """One search across the incidents, lessons and known errors the person may see."""
    form = SearchForm(request.GET or None)
    results: list[dict[str, Any]] = []
    has_more = capped = False
    page = 1
    if form.is_valid():
        page = page_number(request)
        kind = form.cleaned_data["kind"]
        found = search.search(
            request.user,
            form.cleaned_data["q"],
            kinds=[kind] if kind else None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        results, has_more, capped = _links(found.results), found.has_more, found.capped
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/search.html",
        {
            "form": form,
            "results": results,
            "searched": form.is_valid(),
            "page": page,
            "has_more": has_more,
            "capped": capped,
            "ranked": f"{search.CANDIDATES:,}",
            "querystring": query.urlencode(),
        },
    )


@login_required
@require_GET
def lessons_register(request: HttpRequest) -> HttpResponse:
    scope = resolve_for_handlers(request)
    incidents = Incident.objects.visible_to(request.user).filter(organisation__path__startswith=scope.organisation.path)
    types = IncidentType.objects.filter(pk__in=incidents.exclude(incident_type=None).values("incident_type")).order_by(
        "name"
    )
    form = LessonFilterForm(request.GET or None, types=types)
    words, incident_type = "", None
    if form.is_valid():
        words, incident_type = form.cleaned_data["q"], form.cleaned_data["incident_type"]
    rows = lessons.register(request.user, incidents, scope.organisation, words=words, incident_type=incident_type)
    return render(request, "learning/lessons.html", {"scope": scope, "form": form, "rows": rows})


@login_required
@require_GET
def known_errors(request: HttpRequest) -> HttpResponse:
    queryset = KnownError.objects.visible_to(request.user).select_related("incident", "organisation")
    status = request.GET.get("status", "")
    if status in KnownError.Status.values:
        queryset = queryset.filter(status=status)
    words = request.GET.get("q", "").strip()
    if words:
        ranked = list(
            search.entries(request.user, words, kinds=[SearchEntry.Kind.KNOWN_ERROR]).values_list("key", flat=True)[
                :200
            ]
        )
        by_pk = queryset.in_bulk(ranked)
        rows = [by_pk[pk] for pk in ranked if pk in by_pk]
    else:
        rows = list(queryset[:200])
    return render(
        request,
        "learning/known_errors.html",
        {"rows": rows, "status": status, "q": words, "statuses": KnownError.Status.choices},
    )


@login_required
@require_GET
def known_error(request: HttpRequest, known_error_id: int) -> HttpResponse:
    item = get_visible_or_404(
        KnownError.objects.select_related("incident", "raised_by"), request.user, pk=known_error_id
    )
    may_change = powers(request.user, item.organisation).can_raise_known_error
    return render(request, "learning/known_error.html", {"item": item, "may_change": may_change})


@login_required
@require_http_methods(["GET", "POST"])
def raise_known_error(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident = get_visible_or_404(Incident.objects.select_related("organisation"), request.user, uuid=incident_uuid)
    if not powers(request.user, incident.organisation).can_raise_known_error:
        raise Http404
    form = KnownErrorForm(request.POST or None, initial={"symptom": incident.symptoms})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.raise_known_error(incident, by=request.user, **form.cleaned_data)
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Raised the known error “{item.title}”.")
            return redirect("learning:known_error", item.pk)
    return render(request, "learning/known_error_form.html", {"form": form, "incident": incident, "item": None})


@login_required
@require_http_methods(["GET", "POST"])
def change_known_error(request: HttpRequest, known_error_id: int) -> HttpResponse:
    item = get_visible_or_404(KnownError.objects.select_related("incident"), request.user, pk=known_error_id)
    if not powers(request.user, item.organisation).can_raise_known_error:
        raise Http404
    form = KnownErrorForm(request.POST or None, instance=KnownError.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_known_error(item, by=request.user, **form.cleaned_data)
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Saved the known error.")
            return redirect("learning:known_error", item.pk)
    return render(request, "learning/known_error_form.html", {"form": form, "incident": item.incident, "item": item})


def _training_scope(request: HttpRequest) -> Any:
    scope = resolve_for_handlers(request)
    return scope, powers(request.user, scope.organisation).can_record_training


def _people(organisation: Any) -> Any:
    return (
        User.objects.filter(memberships__organisation__path__startswith=organisation.path)
        .distinct()
        .order_by("full_name", "email")
    )


@login_required
@require_GET
def training(request: HttpRequest) -> HttpResponse:
    scope, may_record = _training_scope(request)
    records = (
        TrainingRecord.objects.visible_to(request.user)
        .filter(organisation__path__startswith=scope.organisation.path)
        .select_related("person", "organisation")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/training.html",
        {
            "scope": scope,
            "page_obj": page,
            "figure": services.completion(scope.organisation),
            "may_record": may_record,
            "scope_query": f"scope={scope.organisation.uuid}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_training(request: HttpRequest) -> HttpResponse:
    scope, may_record = _training_scope(request)
    if not may_record:
        raise Http404
    form = TrainingForm(request.POST or None, people=_people(scope.organisation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_training(
                organisation=scope.organisation,
                person=data["person"],
                course=data["course"],
                completed_on=data["completed_on"],
                by=request.user,
            )
        except StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Recorded the training.")
            return redirect(f"{reverse('learning:training')}?scope={scope.organisation.uuid}")
    return render(request, "learning/training_form.html", {"scope": scope, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_training(request: HttpRequest) -> HttpResponse:
    scope, may_record = _training_scope(request)
    if not may_record:
        raise Http404
    form = TrainingImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = services.import_training(
            organisation=scope.organisation, content=upload.read(), file_name=upload.name, by=request.user
        )
        if not result.problems:
            messages.success(
                request,
                f"Imported {result.added} completion{'s' if result.added != 1 else ''}"
                + (f" ({result.already} already recorded)." if result.already else "."),
            )
            return redirect(f"{reverse('learning:training')}?scope={scope.organisation.uuid}")
        problems = result.problems
    return render(request, "learning/training_import.html", {"scope": scope, "form": form, "problems": problems})


def _may_find_a_person(request: HttpRequest) -> None:
    if not may_find_a_person(request.user):
        raise Http404


@login_required
@require_GET
def find_a_person(request: HttpRequest) -> HttpResponse:
    """Where a person is named, across every incident the searcher may open (docs/find-a-person.md)."""
    _may_find_a_person(request)
    form = FindPersonForm(request.GET or None)
    found = None
    if form.is_valid():
        found = find_person.find(request.user, form.cleaned_data["q"])
        find_person.record_search(request.user, found)
    places = [
        {"place": place, "parts": [(label, find_person.as_html(pieces)) for label, pieces in place.parts]}
        for place in (found.places if found else [])
    ]
    return render(
        request,
        "learning/find_person.html",
        {"form": form, "found": found, "places": places, "limit": find_person.LIMIT},
    )


@login_required
@require_POST
def find_a_person_bundle(request: HttpRequest) -> HttpResponse:
    """The subject access bundle of a search: a ZIP of the PDF and the matched evidence files."""
    _may_find_a_person(request)
    form = FindPersonForm(request.POST)
    if not form.is_valid():
        return redirect("learning:find_a_person")
    found = find_person.find(request.user, form.cleaned_data["q"])
    response = HttpResponse(find_person.bundle(request.user, found), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{find_person.filename(found)}"'
    response["Cache-Control"] = "private, no-store"
    return response
