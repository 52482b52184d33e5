"""Pages for waves of reports: related incidents, duplicates, tags, and steps on a selection.

The per-incident pages follow `views.steps` (404 if not visible, 403 if the table's "who"
refuses, the step's refusal as a form error). The bulk page takes the incidents chosen on
the list (ticked, all on the page, or all matching the filter), asks which step, and takes
it on each through `lifecycle.bulk`, then says what was done and what was not, and why.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from core.exceptions import StepRefused
from lib import clock
from organisations.models import Organisation, Role
from organisations.settings_hub import back_link

from .. import forms as f
from .. import lifecycle
from ..lifecycle.bulk import DONE_WORDS, IN_REQUEST, outcome_of, queue, run
from ..models import BulkRun, Incident, IncidentTag, IncidentType, Tag, tags_for
from .incident import list_page, listed
from .steps import _refused, detail_url, incident_for_step, step_page

# The most incidents one bulk step takes: a wave of reports, not the whole log.
MOST = 1000


def _visible_reference(request: HttpRequest, reference: str) -> Incident | None:
    return Incident.objects.visible_to(request.user).select_related("organisation").filter(reference=reference).first()


@login_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "link_related")
    form = f.LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = _visible_reference(request, form.cleaned_data["reference"])
        if other is None:
            form.add_error("reference", "No incident you can see has that reference.")
        else:
            try:
                lifecycle.link_related(incident, by=request.user, other=other, reason=form.cleaned_data["reason"])
            except StepRefused as error:
                _refused(form, error)
            else:
                messages.success(request, f"{incident.reference} and {other.reference} are linked as related.")
                return redirect(detail_url(incident) + "#related")
    return step_page(
        request,
        incident,
        title="Link a related incident",
        button="Link them",
        form=form,
        intro="Both incidents show the link and why, and each has it on its record.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def duplicate(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "close_duplicate")
    form = f.DuplicateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survivor = _visible_reference(request, form.cleaned_data["reference"])
        if survivor is None:
            form.add_error("reference", "No incident you can see has that reference.")
        else:
            try:
                lifecycle.close_as_duplicate(
                    incident, by=request.user, survivor=survivor, reason=form.cleaned_data["reason"]
                )
            except StepRefused as error:
                _refused(form, error)
            else:
                messages.success(request, f"{incident.reference} is closed as a duplicate of {survivor.reference}.")
                return redirect(detail_url(survivor))
    return step_page(
        request,
        incident,
        title="Close as a duplicate",
        button="Close as a duplicate",
        form=form,
        intro="Its evidence moves to the incident it duplicates, with its custody log, and its reporter is "
        "kept as a reporter of that incident and told.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def tags(request: HttpRequest, incident_uuid: Any) -> HttpResponse:
    incident, _ = incident_for_step(request, incident_uuid, "tag")
    current = Tag.objects.filter(taggings__incident=incident)
    offered = Tag.objects.filter(Q(pk__in=tags_for(incident.organisation)) | Q(pk__in=current)).order_by("name")
    form = f.TagsForm(request.POST or None, tags=offered, initial={"tags": list(current)})
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["tags"])
        before = set(current)
        try:
            lifecycle.change_tags(incident, by=request.user, add=chosen - before, remove=before - chosen)
        except StepRefused as error:
            _refused(form, error)
        else:
            messages.success(request, "The tags are saved.")
            return redirect(detail_url(incident))
    intro = "Tags file incidents together for counts and filters, such as every report of one phishing email."
    if not offered.exists():
        intro += " This organisation has no tags yet: an organisation admin adds them in the settings."
    return step_page(request, incident, title="Change tags", button="Save the tags", form=form, intro=intro)


# ── A step on a selection ────────────────────────────────────────────────────────────────


def chosen_incidents(request: HttpRequest) -> list[Incident]:
    """The incidents the list's form chose, as the person may see them, first reported first."""
    how = request.POST.get("choose", "")
    visible = Incident.objects.visible_to(request.user).select_related("organisation")
    if how in ("page", "matching"):
        _, queryset = listed(request.user, QueryDict(request.POST.get("query", "")))
        if how == "page":
            page = list_page(queryset, QueryDict(request.POST.get("page", "")))
            uuids = [str(row.uuid) for row in page.object_list]
        else:
            uuids = [str(u) for u in queryset.values_list("uuid", flat=True)[:MOST]]
    elif how == "chosen":
        uuids = request.POST.getlist("incident")
    else:
        uuids = [u for u in request.POST.get("incidents", "").split(",") if u]
    if not uuids:
        return []
    try:
        wanted = [uuid.UUID(u) for u in uuids[:MOST]]
    except ValueError:  # not a reference the list gave: nothing chosen
        return []
    return list(visible.filter(uuid__in=wanted).order_by("reported_on", "id"))


def bulk_form(request: HttpRequest, incidents: list[Incident], data: Any = None) -> f.BulkForm:
    organisations = {i.organisation_id: i.organisation for i in incidents}
    ancestors = {pk for o in organisations.values() for pk in o.ancestor_ids()}
    investigators: dict[int, Any] = {}
    for organisation in organisations.values():
        sample = next(i for i in incidents if i.organisation_id == organisation.pk)
        investigators |= {u.pk: u for u in lifecycle.eligible_investigators(sample)}
    return f.BulkForm(
        data,
        tags=Tag.objects.filter(organisation_id__in=ancestors, is_active=True).order_by("name"),
        investigators=list(investigators.values()),
        incident_types=IncidentType.objects.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=ancestors), is_active=True
        ),
    )


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    incidents = chosen_incidents(request)
    if not incidents:
        messages.error(request, "Choose at least one incident first.")
        return redirect(
            reverse("incidents:list") + (f"?{request.POST.get('query')}" if request.POST.get("query") else "")
        )
    context: dict[str, Any] = {
        "incidents": incidents,
        "chosen": ",".join(str(i.uuid) for i in incidents),
        "query": request.POST.get("query", ""),
    }
    if "step" not in request.POST:
        return render(request, "incidents/bulk.html", context | {"form": bulk_form(request, incidents)})
    form = bulk_form(request, incidents, request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        step = values["step"]
        if step == "duplicate":
            survivor = _visible_reference(request, values["keep"]) if values["keep"] else incidents[0]
            if survivor is None:
                form.add_error("keep", "No incident you can see has that reference.")
            values["survivor"] = survivor
        if form.is_valid() and len(incidents) > IN_REQUEST:
            try:
                if step == "duplicate":  # asked now, so a refusal is said on this page, not later
                    kept = values["survivor"]
                    lifecycle.check("take_duplicates", kept, kept.powers_of(request.user))
            except StepRefused as error:
                _refused(form, error)
            else:
                bulk_run = queue(step, incidents, by=request.user, values=values, query=context["query"])
                return redirect("incidents:bulk_run", bulk_run.uuid)
        if form.is_valid():
            try:
                outcome = run(step, incidents, by=request.user, values=values)
            except StepRefused as error:  # the incident to keep refused (closed as a duplicate itself)
                _refused(form, error)
            else:
                return render(
                    request,
                    "incidents/bulk_done.html",
                    context
                    | {
                        "outcome": outcome,
                        "done_words": DONE_WORDS[step],
                        "survivor": values.get("survivor"),
                        "step": step,
                    },
                )
    return render(request, "incidents/bulk.html", context | {"form": form})


@login_required
@require_http_methods(["GET"])
def bulk_run(request: HttpRequest, run_uuid: Any) -> HttpResponse:
    """A step on a large selection, taken by the worker: how far it has gone, then what it did.

    Only the person who asked may follow it (anyone else: not found). The page does not
    refresh itself (a page that reloads under a screen reader loses its place): it says how
    far the worker has gone and offers "Check again"."""
    bulk_run = get_object_or_404(BulkRun, uuid=run_uuid, by=request.user)
    outcome = outcome_of(bulk_run)
    survivor = None
    if bulk_run.values.get("survivor"):
        survivor = Incident.objects.visible_to(request.user).filter(pk=bulk_run.values["survivor"]).first()
    context = {
        "bulk_run": bulk_run,
        "outcome": outcome,
        "done_words": DONE_WORDS[bulk_run.step],
        "survivor": survivor,
        "step": bulk_run.step,
        "query": bulk_run.query,
        "finished": bulk_run.state == BulkRun.State.FINISHED,
        "taken": len(bulk_run.done) + len(bulk_run.refused),
        "total": len(bulk_run.chosen),
    }
    if context["finished"]:
        return render(request, "incidents/bulk_done.html", context)
    return render(request, "incidents/bulk_progress.html", context)


# ── The organisation's tags (a setting) ──────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def tag_settings(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user, roles=[Role.ADMIN]), uuid=org_uuid)
    own = Tag.objects.filter(organisation=organisation, is_active=True)
    form = f.TagForm(request.POST if request.POST.get("action") == "add" else None)
    here = reverse("incidents:tag_settings", args=[organisation.uuid])
    if request.method == "POST" and request.POST.get("action") == "add" and form.is_valid():
        name = " ".join(form.cleaned_data["name"].split())
        existing = tags_for(organisation).filter(name__iexact=name).first()
        if existing is not None:
            form.add_error("name", f"There is already a tag called {existing.name}.")
        else:
            with transaction.atomic():
                tag, created = Tag.objects.get_or_create(
                    organisation=organisation, name=name, defaults={"created_on": clock.now()}
                )
                if not created:
                    Tag.objects.filter(pk=tag.pk).update(is_active=True)
                record(
                    organisation_id=organisation.pk,
                    action="settings.tag_added",
                    actor=request.user,
                    target=organisation,
                    after={"name": name},
                )
            messages.success(request, f"The tag {name} is added.")
            return redirect(here)
    if request.method == "POST" and request.POST.get("action") == "remove":
        tag = get_object_or_404(own, pk=request.POST.get("tag"))
        with transaction.atomic():
            Tag.objects.filter(pk=tag.pk).update(is_active=False)
            record(
                organisation_id=organisation.pk,
                action="settings.tag_removed",
                actor=request.user,
                target=organisation,
                after={"name": tag.name},
            )
        messages.success(request, f"The tag {tag.name} is removed from the list. Incidents that carry it keep it.")
        return redirect(here)
    counts = dict(
        IncidentTag.objects.filter(tag__organisation=organisation).values_list("tag_id").annotate(n=Count("id"))
    )
    return render(
        request,
        "incidents/tag_settings.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "form": form,
            "own": [{"tag": tag, "count": counts.get(tag.pk, 0)} for tag in own],
            "inherited": Tag.objects.filter(
                organisation_id__in=organisation.ancestor_ids()[:-1], is_active=True
            ).select_related("organisation"),
            "back": back_link(organisation),
        },
    )
