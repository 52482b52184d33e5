"""Management reporting pages: dashboard, monitoring log and exports, governor pack,
six-month type reviews and the import of old breach logs.

Every page works out its scope with `scope.resolve`: organisations outside the person's
are a 404. Pages that show incidents are for handlers only; governance viewers get counts.
"""

import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.log import record
from core.exceptions import StepRefused
from core.keyset import keyset_page, tally
from organisations.models import HANDLER_ROLES, Organisation
from organisations.powers import powers

from . import charts, dashboard, export, importer, log, pack, review
from .forms import CompleteReviewForm, MappingForm, PackForm, ReviewActionForm, UploadForm
from .models import ImportBatch, TypeReview
from .scope import Scope, memberships, resolve, resolve_for_handlers

PAGE_SIZE = 50


def _scope_query(scope: Scope) -> str:
    return urlencode({"scope": str(scope.organisation.uuid)})


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    scope = resolve(request)
    figures = dashboard.build(scope)
    log_url = reverse("insights:log") if scope.is_handler else None
    uuid = str(scope.organisation.uuid)
    # The actions list covers every organisation the person handles: it counts the same
    # actions only when this scope is that whole part of the tree.
    handled = memberships(request.user, HANDLER_ROLES)
    actions_url = (
        f"{reverse('actions:list')}?status=overdue"
        if handled and all(path.startswith(scope.organisation.path) for path, _ in handled)
        else None
    )
    chart_list = [
        charts.chart("status", "Open incidents by status", figures.by_status, log_url, uuid),
        charts.chart("severity", "Open incidents by severity", figures.by_severity, log_url, uuid),
        charts.chart("type", "Open incidents by type", figures.by_type, log_url, uuid),
        charts.chart("tag", "Incidents by tag, last 12 months", figures.by_tag, log_url, uuid),
        charts.chart("clocks", "ICO clocks", figures.clocks, log_url, uuid),
        charts.chart("overdue", "Overdue", figures.overdue, log_url, uuid),
        charts.chart("months", "Incidents reported per month, last 12 months", figures.per_month, log_url, uuid),
        charts.chart(
            "policy_points", "Incidents by policy point broken, last 12 months", figures.by_policy_point, log_url, uuid
        ),
    ]
    return render(
        request,
        "insights/dashboard.html",
        {
            "scope": scope,
            "figures": figures,
            "charts": chart_list,
            "restricted": list(scope.restricted()[:200]),
            "log_url": log_url,
            "actions_url": actions_url,
            "scope_query": _scope_query(scope),
        },
    )


@login_required
def log_view(request: HttpRequest) -> HttpResponse:
    scope = resolve_for_handlers(request)
    now = timezone.now()
    form, queryset = log.filtered(scope, request.GET, now, extra=("description",))
    columns_form = log.ColumnsForm.of(request.GET)
    columns = columns_form.chosen()
    # Keyset pages and a bounded count, the incident list's own (core/keyset.py): the same cost
    # on the first page as on the thousandth, at ten thousand incidents as at a million.
    page = keyset_page(queryset, request.GET, key="reported_on", size=PAGE_SIZE)
    make = log.Rows(now)
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    query["scope"] = str(scope.organisation.uuid)
    base = query.urlencode()
    return render(
        request,
        "insights/log.html",
        {
            "scope": scope,
            "form": form,
            "tally": tally(queryset, key="reported_on"),
            "page_obj": page,
            "rows": [log.screen_row(values, columns, make) for values in page.object_list],
            "querystring": f"?{base}&",
            "columns": columns,
            "columns_form": columns_form,
            "export_query": base,
            "scope_query": _scope_query(scope),
        },
    )


def export_log(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The filtered log in `fmt` (`export.FORMATS`), streamed, its export on the record: the
    pages' CSV and XLSX links and the API's log (which refuses invalid filters first)."""
    scope = resolve_for_handlers(request)
    now = timezone.now()
    form, chosen = log.chosen(scope, request.GET, now)
    with transaction.atomic():
        record(
            organisation_id=scope.organisation.pk,
            action="log.exported",
            actor=request.user,
            record=scope.organisation,
            # Counted before the columns are added: their subqueries would be worked out for every row.
            after={"format": fmt, "filters": form.active_filters(), "rows": chosen.count()},
        )
    rows = log.rows(log.annotated(chosen, now), now)
    stamp = timezone.localtime(now).strftime("%Y-%m-%d")
    chunks, content_type = export.FORMATS[fmt]
    response = StreamingHttpResponse(chunks(rows), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="monitoring-log-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    return export_log(request, "csv")


@login_required
def export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    return export_log(request, "xlsx")


@login_required
def pack_view(request: HttpRequest) -> HttpResponse:
    scope = resolve(request)
    today = timezone.localdate()
    form = PackForm(
        request.GET if "start" in request.GET else None,
        initial={"start": review.months_before(today, 6), "end": today - timedelta(days=1)},
    )
    if form.is_bound and form.is_valid():
        period = pack.Period(form.cleaned_data["start"], form.cleaned_data["end"])
        data = pack.build(scope, period)
        pdf = pack.render_pdf(data)
        with transaction.atomic():
            record(
                organisation_id=scope.organisation.pk,
                action="pack.produced",
                actor=request.user,
                record=scope.organisation,
                after={
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "sha256": hashlib.sha256(pdf).hexdigest(),
                },
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="governor-pack-{period.start}-{period.end}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "insights/pack.html", {"scope": scope, "form": form, "scope_query": _scope_query(scope)})


def _visible_reviews(request: HttpRequest) -> Any:
    return review.visible_reviews(request.user)


@login_required
def reviews_view(request: HttpRequest) -> HttpResponse:
    scope = resolve(request)
    reviews = (
        TypeReview.objects.filter(organisation__path__startswith=scope.organisation.path)
        .select_related("organisation")
        .prefetch_related("lines")
    )
    page = Paginator(reviews, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/reviews.html",
        {
            "scope": scope,
            "page_obj": page,
            "querystring": f"?{_scope_query(scope)}&",
            "scope_query": _scope_query(scope),
            "preview": review.type_counts(scope.organisation, timezone.localdate()),
        },
    )


@login_required
@require_POST
def run_review_view(request: HttpRequest) -> HttpResponse:
    scope = resolve_for_handlers(request)
    made, _ = review.run_review(scope.organisation, requested_by=request.user)
    messages.success(request, "The review has been drafted. Record the actions decided, then mark it as done.")
    return redirect("insights:review", made.uuid)


@login_required
def review_view(request: HttpRequest, review_uuid: Any) -> HttpResponse:
    item = get_object_or_404(_visible_reviews(request).select_related("organisation", "reviewed_by"), uuid=review_uuid)
    handler = powers(request.user, item.organisation).is_handler
    action_form = ReviewActionForm(review=item)
    complete_form = CompleteReviewForm()
    if request.method == "POST":
        if not handler:
            raise Http404
        if request.POST.get("step") == "action":
            action_form = ReviewActionForm(request.POST, review=item)
            if action_form.is_valid():
                data = action_form.cleaned_data
                line = item.lines.filter(pk=data["line"]).first() if data["line"] else None
                review.add_action(
                    item, line=line, title=data["title"], owner=data["owner"], due_on=data["due_on"], by=request.user
                )
                messages.success(request, "Action added.")
                return redirect("insights:review", item.uuid)
        elif request.POST.get("step") == "complete":
            complete_form = CompleteReviewForm(request.POST)
            if complete_form.is_valid():
                try:
                    review.complete(item, by=request.user, notes=complete_form.cleaned_data["notes"])
                except StepRefused as refused:
                    complete_form.add_error(None, str(refused))
                else:
                    messages.success(request, "The review is recorded as done.")
                    return redirect("insights:review", item.uuid)
    actions = item.actions.select_related("owner").order_by("due_on", "id")
    return render(
        request,
        "insights/review.html",
        {
            "review": item,
            "lines": item.lines.all(),
            "actions": actions,
            "handler": handler,
            "action_form": action_form,
            "complete_form": complete_form,
            "form": action_form if action_form.is_bound else complete_form,
            "current_organisation": item.organisation,
        },
    )


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    scope = resolve_for_handlers(request)
    organisations = list(scope.organisations().only("uuid", "name", "path"))
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.organisations[form.cleaned_data["organisation"]]
        upload = form.cleaned_data["file"]
        content = upload.read()
        batch = ImportBatch.objects.create(
            organisation=organisation,
            file_name=upload.name.replace("/", "_")[-255:],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=request.user if request.user.is_authenticated else None,
        )
        return redirect("insights:import_batch", batch.uuid)
    batches = ImportBatch.objects.filter(organisation__in=organisations).select_related("organisation")[:20]
    return render(
        request,
        "insights/import.html",
        {"scope": scope, "form": form, "batches": batches, "scope_query": _scope_query(scope)},
    )


@login_required
def import_batch_view(request: HttpRequest, batch_uuid: Any) -> HttpResponse:
    orgs = Organisation.objects.visible_to(request.user, roles=HANDLER_ROLES)
    batch = get_object_or_404(
        ImportBatch.objects.filter(organisation__in=orgs).select_related("organisation"), uuid=batch_uuid
    )
    content = bytes(batch.content)
    try:
        headings, _ = importer.read_table(content, batch.file_name)
    except Exception:
        headings = []
    initial = importer.default_mapping(batch.organisation, headings)
    form = MappingForm(request.POST or None, headings=headings, initial_mapping=initial)
    outcome = None
    if request.method == "POST" and batch.status == ImportBatch.Status.UPLOADED and form.is_valid():
        mapping = form.mapping()
        with transaction.atomic():
            importer.save_mapping(batch.organisation, mapping, request.user)
        if request.POST.get("step") == "import":
            done = importer.run_import(batch, mapping, request.user)
            messages.success(
                request,
                f"{done.created} incident{'s' if done.created != 1 else ''} imported; "
                f"{len(done.already)} already imported; {len(done.rejected)} rejected.",
            )
            return redirect("insights:import_batch", batch.uuid)
        outcome = importer.check(batch.organisation, content, batch.file_name, mapping)
    return render(
        request,
        "insights/import_batch.html",
        {
            "batch": batch,
            "form": form,
            "headings": [h for h in headings if h],
            "outcome": outcome,
            "current_organisation": batch.organisation,
        },
    )
