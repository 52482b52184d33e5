"""Pages for suggesting a change to a policy and deciding it."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.log import events_for
from core.exceptions import StepRefused
from core.views import get_visible_or_404
from organisations.powers import powers

from . import proposals
from .exception_forms import ProposalDecisionForm, ProposalForm
from .exception_views import _my_organisations
from .exceptions import point_label
from .models import ChangeProposal, PolicyPoint


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    rows = ChangeProposal.objects.visible_to(request.user).select_related(
        "policy__organisation", "point", "proposed_by"
    )[:500]
    return render(request, "policies/proposals/list.html", {"proposals": rows})


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """Suggest a change. `?source=outcome_report&key=<incident uuid>` (or a type review) carries its link."""
    organisations = _my_organisations(request.user)
    if not organisations:
        raise PermissionDenied("You can suggest a change only where you have a role.")
    policies = proposals.policies_open_to(request.user, organisations[:20])
    points = PolicyPoint.objects.filter(version__policy__in=policies, version__status="published").select_related(
        "version__policy"
    )
    params = request.POST if request.method == "POST" else request.GET
    source = None
    if params.get("source"):
        source = proposals.source_from(request.user, params.get("source", ""), params.get("key", ""))
        if source is None:
            raise Http404
    initial = {"point": request.GET.get("point"), "policy": request.GET.get("policy")}
    form = ProposalForm(request.POST or None, policies=policies, points=points, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = proposals.propose(
                policy=data["policy"],
                point=data["point"],
                by=request.user,
                change=data["change"],
                reason=data["reason"],
                source=source,
            )
        except StepRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("proposals:detail", proposal.uuid)
    return render(
        request,
        "policies/proposals/propose.html",
        {"form": form, "source": source, "has_policies": bool(policies)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, proposal_uuid: Any) -> HttpResponse:
    proposal = get_visible_or_404(
        ChangeProposal.objects.select_related(
            "policy__organisation", "point__version__policy", "proposed_by", "decided_by", "taken_into"
        ),
        request.user,
        uuid=proposal_uuid,
    )
    may_decide = proposal.is_open and powers(request.user, proposal.policy.organisation).can_decide_proposals(
        proposal.policy.owner_role
    )
    form = ProposalDecisionForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only the policy's owner can decide a suggested change.")
        if form.is_valid():
            decide = {"accept": proposals.accept, "reject": proposals.reject, "defer": proposals.defer}
            try:
                decide[form.cleaned_data["decision"]](proposal, by=request.user, reason=form.cleaned_data["reason"])
            except StepRefused as error:
                form.add_error(None, str(error))
            else:
                return redirect("proposals:detail", proposal.uuid)
    return render(
        request,
        "policies/proposals/detail.html",
        {
            "proposal": proposal,
            "point": point_label(proposal.point) if proposal.point else "A new point",
            "owner_title": proposal.policy.organisation.role_title(proposal.policy.owner_role),
            "form": form,
            "events": events_for(proposal),
        },
    )
