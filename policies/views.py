"""The policy pages: what applies to me, reading and acknowledging, and the admin's drafting,
the SIRO's or DPO's approval, publishing, and the register of who has read what.

Who may see a version is `PolicyVersion.objects.visible_to`; who may act is `Powers`
(`can_manage_policies`, `can_approve_policies`, `can_see_policy_register`); the steps are
`services`. Anything a person may not see or do here is a 404, as elsewhere.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import StepRefused
from insights.export import neutralise, table_csv_chunks
from lib import clock
from organisations.models import Organisation
from organisations.powers import powers

from . import register, review, services
from .forms import PointForm, PublishForm, StartForm, VersionForm
from .inheritance import applicable, applicable_to_each, to_acknowledge
from .models import Acknowledgement, Policy, PolicyPoint, PolicyVersion
from .proposals import for_next_draft

Section = PolicyPoint.Section


def _version(request: HttpRequest, version_uuid: Any) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.visible_to(request.user).select_related(
            "policy", "policy__organisation", "approved_by", "published_by"
        ),
        uuid=version_uuid,
    )


def _organisation(request: HttpRequest, org_uuid: Any, power: str) -> Organisation:
    organisation = get_object_or_404(Organisation, uuid=org_uuid)
    if not getattr(powers(request.user, organisation), power):
        raise Http404
    return organisation


def _managed_version(request: HttpRequest, version_uuid: Any) -> PolicyVersion:
    version = _version(request, version_uuid)
    if not powers(request.user, version.policy.organisation).can_manage_policies:
        raise Http404
    return version


def _point(request: HttpRequest, version_uuid: Any, point_id: int) -> PolicyPoint:
    version = _managed_version(request, version_uuid)
    return get_object_or_404(
        PolicyPoint.objects.select_related("version", "version__policy"), version=version, pk=point_id
    )


def grouped(version: PolicyVersion) -> list[dict[str, Any]]:
    """The version's points by section, in the page's order; empty sections left out."""
    points = list(version.points.order_by("position", "id"))
    sections = []
    for value, label in Section.choices:
        rows = [p for p in points if p.section == value]
        if rows:
            sections.append({"section": value, "title": label, "points": rows})
    return sections


# ── Everyone ─────────────────────────────────────────────────────────────────────────────


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    """The policies that apply where the person holds a role, and which they have acknowledged."""
    user: Any = request.user
    organisations = list(Organisation.objects.filter(memberships__user=user).distinct().order_by("path"))
    chosen = applicable_to_each(organisations)
    version_ids = {v.pk for versions in chosen.values() for v in versions}
    done = dict(
        Acknowledgement.objects.filter(user=user, version_id__in=version_ids).values_list(
            "version_id", "acknowledged_at"
        )
    )
    rows = [
        {
            "organisation": organisation,
            "versions": [(v, done.get(v.pk)) for v in chosen[organisation.pk]],
            "p": powers(user, organisation),
        }
        for organisation in organisations
    ]
    return render(request, "policies/list.html", {"rows": rows})


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
def prompt(request: HttpRequest) -> HttpResponse:
    """Asked after signing in: the versions the person has not yet acknowledged. Never in the
    way of a report: the page leads to the report form and on to where they were going."""
    return render(request, "policies/prompt.html", {"pending": to_acknowledge(request.user), "next": _next(request)})


@login_required
def read(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    version = _version(request, version_uuid)
    policy = version.policy
    p = powers(request.user, policy.organisation)
    user: Any = request.user
    acknowledged = Acknowledgement.objects.filter(version=version, user=user).first()
    applies = version in to_acknowledge(request.user) or acknowledged is not None
    titles = policy.organisation.role_titles()
    return render(
        request,
        "policies/read.html",
        {
            "version": version,
            "policy": policy,
            "sections": grouped(version),
            "acknowledged": acknowledged,
            "may_acknowledge": version.status == PolicyVersion.Status.PUBLISHED and applies and not acknowledged,
            "may_manage": p.can_manage_policies,
            "may_approve": p.can_approve_policies and version.status == PolicyVersion.Status.DRAFT,
            "owner_title": titles.get(policy.owner_role, ""),
            "approver_title": titles.get(version.approved_by_role, "") if version.approved_by_role else "",
            "review_state": review.review_state(version, clock.now().date()),
            "current_organisation": policy.organisation,
            "other_versions": PolicyVersion.objects.visible_to(request.user)
            .filter(policy=policy)
            .exclude(pk=version.pk)
            .order_by("-number"),
        },
    )


@login_required
def version_pdf(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    from .pdf import policy_pdf

    version = _version(request, version_uuid)
    response = HttpResponse(policy_pdf(version), content_type="application/pdf")
    name = slugify(version.policy.title) or "policy"
    response["Content-Disposition"] = f'attachment; filename="{name}-version-{version.number}.pdf"'
    return response


@login_required
@require_POST
def acknowledge(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    version = _version(request, version_uuid)
    try:
        services.acknowledge(version, by=request.user)
    except StepRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("policies:read", version.uuid)
    messages.success(
        request, f"Thank you: you have said you have read {version.policy.title}, version {version.number}."
    )
    pending = to_acknowledge(request.user)
    return redirect("policies:prompt" if pending else "policies:list")


# ── The admin's pages ────────────────────────────────────────────────────────────────────


@login_required
def manage(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    """The organisation's own policies and their versions, and what it follows from above."""
    organisation = _organisation(request, org_uuid, "can_manage_policies")
    own = list(Policy.objects.filter(organisation=organisation).prefetch_related("versions").order_by("kind", "title"))
    followed = [v for v in applicable(organisation) if v.policy.organisation_id != organisation.pk]
    today = clock.now().date()
    return render(
        request,
        "policies/manage.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "own": [
                {
                    "policy": policy,
                    "versions": sorted(policy.versions.all(), key=lambda v: -v.number),
                    "review": [review.review_state(v, today) for v in policy.versions.all() if v.status == "published"],
                }
                for policy in own
            ],
            "followed": followed,
            "titles": organisation.role_titles(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = _organisation(request, org_uuid, "can_manage_policies")
    form = StartForm(request.POST or None, titles=organisation.role_titles())
    if request.method == "POST" and form.is_valid():
        try:
            version = services.start_policy(organisation, by=request.user, **form.cleaned_data)
        except StepRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Drafted. Change what your organisation does differently, then ask for approval.")
            return redirect("policies:edit", version.uuid)
    return render(
        request,
        "policies/start.html",
        {"form": form, "organisation": organisation, "current_organisation": organisation},
    )


@login_required
@require_POST
def new_version(request: HttpRequest, policy_uuid: Any) -> HttpResponse:
    policy = get_object_or_404(Policy.objects.select_related("organisation"), uuid=policy_uuid)
    if not powers(request.user, policy.organisation).can_manage_policies:
        raise Http404
    try:
        version = services.draft_next(policy, by=request.user)
    except StepRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("policies:manage", policy.organisation.uuid)
    return redirect("policies:edit", version.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    """A draft's points, each with its change, move and remove buttons, and its summary of changes."""
    version = _managed_version(request, version_uuid)
    form = VersionForm(request.POST or None, initial={"summary_of_changes": version.summary_of_changes})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_version(version, by=request.user, **form.cleaned_data)
        except StepRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Saved.")
            return redirect("policies:edit", version.uuid)
    return render(
        request,
        "policies/edit.html",
        {
            "version": version,
            "policy": version.policy,
            "sections": grouped(version),
            "form": form,
            # Suggestions the owner accepted, for the editor to write into this draft.
            "proposals": list(for_next_draft(version.policy)),
            "organisation": version.policy.organisation,
            "current_organisation": version.policy.organisation,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_point(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    version = _managed_version(request, version_uuid)
    form = PointForm(request.POST or None, initial={"section": request.GET.get("section", Section.MUST)})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_point(version, by=request.user, **form.cleaned_data)
        except StepRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Point added.")
            return redirect("policies:edit", version.uuid)
    return render(request, "policies/point.html", {"form": form, "version": version, "adding": True})


@login_required
@require_http_methods(["GET", "POST"])
def change_point(request: HttpRequest, version_uuid: Any, point_id: int) -> HttpResponse:
    point = _point(request, version_uuid, point_id)
    form = PointForm(request.POST or None, initial={"number": point.number, "text": point.text}, changing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_point(point, by=request.user, **form.cleaned_data)
        except StepRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Point changed.")
            return redirect("policies:edit", point.version.uuid)
    return render(request, "policies/point.html", {"form": form, "version": point.version, "point": point})


@login_required
@require_POST
def remove_point(request: HttpRequest, version_uuid: Any, point_id: int) -> HttpResponse:
    point = _point(request, version_uuid, point_id)
    try:
        services.remove_point(point, by=request.user)
    except StepRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Point removed.")
    return redirect("policies:edit", point.version.uuid)


@login_required
@require_POST
def move_point(request: HttpRequest, version_uuid: Any, point_id: int) -> HttpResponse:
    point = _point(request, version_uuid, point_id)
    try:
        services.move_point(point, by=request.user, up=request.POST.get("direction") != "down")
    except StepRefused as refusal:
        messages.error(request, str(refusal))
    return redirect(reverse("policies:edit", args=[point.version.uuid]) + f"#point-{point.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def approve(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    version = _version(request, version_uuid)
    p = powers(request.user, version.policy.organisation)
    if not p.can_approve_policies:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.approve(version, by=request.user)
        except StepRefused as refusal:
            error = str(refusal)
        else:
            messages.success(request, "Approved. An organisation admin can now publish it.")
            return redirect("policies:read", version.uuid)
    return render(
        request,
        "policies/approve.html",
        {
            "version": version,
            "policy": version.policy,
            "error": error,
            "role_title": version.policy.organisation.role_title(p.approving_role),
            "current_organisation": version.policy.organisation,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, version_uuid: Any) -> HttpResponse:
    version = _managed_version(request, version_uuid)
    form = PublishForm(request.POST or None, initial={"review_by": services.default_review_date()})
    if request.method == "POST" and form.is_valid():
        try:
            services.publish(version, by=request.user, review_by=form.cleaned_data["review_by"])
        except StepRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Published. Everyone it applies to is asked to read it.")
            return redirect("policies:read", version.uuid)
    return render(
        request,
        "policies/publish.html",
        {
            "form": form,
            "version": version,
            "policy": version.policy,
            "current_organisation": version.policy.organisation,
        },
    )


# ── The register ─────────────────────────────────────────────────────────────────────────


def _register_scope(request: HttpRequest, org_uuid: Any) -> tuple[Organisation, list[Organisation]]:
    organisation = _organisation(request, org_uuid, "can_see_policy_register")
    return organisation, list(organisation.descendants().order_by("path"))


@login_required
def register_page(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation, tree = _register_scope(request, org_uuid)
    found = register.registers(tree)
    return render(
        request,
        "policies/register.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "here": [r for r in found if r.organisation.pk == organisation.pk],
            "beneath": [r for r in found if r.organisation.pk != organisation.pk],
            "may_manage": powers(request.user, organisation).can_manage_policies,
        },
    )


@login_required
def register_csv(request: HttpRequest, org_uuid: Any) -> StreamingHttpResponse:
    _, tree = _register_scope(request, org_uuid)
    rows = ([neutralise(cell) for cell in row] for row in register.csv_rows(register.registers(tree)))
    response = StreamingHttpResponse(
        table_csv_chunks(register.CSV_HEADING, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="policy-acknowledgements.csv"'
    return response
