"""Organisation admin pages: people and roles, role titles, contacts; role approvals.

An organisation admin manages the node where they hold the role and every node beneath
it; any other organisation is a 404. Giving the DPO, SIRO or admin role waits for a second
person's approval (`organisations.grants`); the approvals page lists what a person may decide.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from core.exceptions import StepRefused

from . import grants
from .forms import ContactForm, DecideGrantForm, InviteForm, RoleTitlesForm
from .models import APPROVED_ROLES, Contact, Membership, Organisation, Role, RoleGrant, RoleTitle
from .tasks import send_invitation


def administered(request: HttpRequest) -> Any:
    return Organisation.objects.visible_to(request.user, roles=[Role.ADMIN])


def get_administered(request: HttpRequest, org_uuid: Any) -> Organisation:
    return get_object_or_404(administered(request), uuid=org_uuid)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/list.html", {"organisations": administered(request)})


@login_required
def organisation_detail(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    memberships = organisation.memberships.select_related("user").order_by("user__email", "role")
    pending = [
        (grant, grants.may_decide(grant, request.user))
        for grant in RoleGrant.objects.filter(organisation=organisation, state=RoleGrant.State.PENDING).select_related(
            "user", "requested_by", "organisation"
        )
    ]
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "memberships": memberships,
            "pending_grants": pending,
            "role_titles": organisation.role_titles(),
            "contacts": organisation.contacts.all(),
            "children": organisation.children.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    titles = organisation.role_titles()
    form = InviteForm(request.POST or None)
    role_field = form.fields["role"]
    role_field.choices = [(r.value, titles[r.value]) for r in Role]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        User = get_user_model()
        email = form.cleaned_data["email"].lower()
        role = form.cleaned_data["role"]
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": form.cleaned_data["full_name"]}
            )
            if created:
                user.set_unusable_password()
                user.save()
            given, added = grants.give_role(user=user, organisation=organisation, role=role, by=request.user)
            if created:
                send_invitation.enqueue(user.pk, organisation.pk)
        if isinstance(given, RoleGrant):
            messages.info(
                request,
                f"{user.email} will be {titles[role]} once someone else who is {titles[role]} approves."
                if added
                else f"{user.email} is already waiting for approval as {titles[role]}.",
            )
        elif added:
            messages.success(request, f"{user.email} is now {titles[role]}.")
        else:
            messages.info(request, f"{user.email} already holds that role.")
        return redirect("organisations:detail", organisation.uuid)
    approved_titles = [titles[r] for r in Role if r in APPROVED_ROLES]
    return render(
        request,
        "organisations/invite.html",
        {"organisation": organisation, "form": form, "approved_titles": approved_titles},
    )


@login_required
@require_POST
def remove_membership(request: HttpRequest, org_uuid: Any, membership_id: int) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=organisation
    )
    if membership.user_id == request.user.pk and membership.role == Role.ADMIN:
        messages.error(request, "You cannot remove your own admin role. Ask another admin.")
        return redirect("organisations:detail", organisation.uuid)
    with transaction.atomic():
        record(
            organisation_id=organisation.pk,
            action="membership.removed",
            actor=request.user,
            target=membership,
            before={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()
    messages.success(request, f"Removed {membership.user.email} from {organisation.role_title(membership.role)}.")
    return redirect("organisations:detail", organisation.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def role_titles(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    own = {t.role: t.title for t in organisation.role_title_set.all()}
    parent_titles = organisation.parent.role_titles() if organisation.parent else {r.value: str(r.label) for r in Role}
    form = RoleTitlesForm(request.POST or None, inherited=parent_titles, own=own)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            new = {role: title.strip() for role, title in form.cleaned_data.items() if title.strip()}
            RoleTitle.objects.filter(organisation=organisation).exclude(role__in=new).delete()
            for role, title in new.items():
                RoleTitle.objects.update_or_create(organisation=organisation, role=role, defaults={"title": title})
            if new != own:
                record(
                    organisation_id=organisation.pk,
                    action="organisation.role_titles_changed",
                    actor=request.user,
                    target=organisation,
                    before=own,
                    after=new,
                )
        messages.success(request, "Role titles saved.")
        return redirect("organisations:detail", organisation.uuid)
    return render(request, "organisations/role_titles.html", {"organisation": organisation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def add_contact(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            contact = form.save(commit=False)
            contact.organisation = organisation
            contact.save()
            record(
                organisation_id=organisation.pk,
                action="contact.added",
                actor=request.user,
                target=contact,
                after=form.cleaned_data,
            )
        messages.success(request, f"Added {contact.name}.")
        return redirect("organisations:detail", organisation.uuid)
    return render(request, "organisations/contact_form.html", {"organisation": organisation, "form": form})


@login_required
@require_POST
def remove_contact(request: HttpRequest, org_uuid: Any, contact_id: int) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    contact = get_object_or_404(Contact, pk=contact_id, organisation=organisation)
    with transaction.atomic():
        record(
            organisation_id=organisation.pk,
            action="contact.removed",
            actor=request.user,
            target=contact,
            before={"kind": contact.kind, "name": contact.name, "email": contact.email, "phone": contact.phone},
        )
        contact.delete()
    messages.success(request, f"Removed {contact.name}.")
    return redirect("organisations:detail", organisation.uuid)


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """Requests to give a role that this person may approve or refuse."""
    pending = list(grants.decidable_by(request.user))
    titles = {grant.organisation_id: grant.organisation.role_titles() for grant in pending}
    rows = [(grant, titles[grant.organisation_id][grant.role]) for grant in pending]
    return render(request, "organisations/approvals.html", {"rows": rows})


@login_required
@require_POST
def decide_grant(request: HttpRequest, grant_uuid: Any) -> HttpResponse:
    """Approve or refuse a request to give a role (POST only: a GET never changes anything)."""
    grant = get_object_or_404(RoleGrant.objects.select_related("organisation", "user"), uuid=grant_uuid)
    # Someone with no say over the request, and who could not see it, is told nothing of it.
    if not grants.may_decide(grant, request.user) and request.user.pk not in (grant.requested_by_id, grant.user_id):
        raise Http404("No such request.")
    form = DecideGrantForm(request.POST)
    title = grant.organisation.role_title(grant.role)
    back = request.POST.get("next") or ""
    target = "organisations:detail" if back == "organisation" else "organisations:approvals"
    target_args = [grant.organisation.uuid] if back == "organisation" else []
    if not form.is_valid():
        messages.error(request, "Choose whether to approve or refuse.")
        return redirect(target, *target_args)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        grants.decide(grant, by=request.user, approve=approve, reason=form.cleaned_data["reason"])
    except StepRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(target, *target_args)
    who = grant.user.get_full_name() or grant.user.email
    if approve:
        messages.success(request, f"Approved: {who} is now {title} at {grant.organisation.name}.")
    else:
        messages.success(request, f"Refused: {who} was not made {title} at {grant.organisation.name}.")
    return redirect(target, *target_args)
