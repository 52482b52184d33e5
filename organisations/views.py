"""Organisation admin pages: people and roles, role titles, contacts.

An organisation admin manages the node where they hold the role and every node beneath
it; any other organisation is a 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record

from .forms import ContactForm, InviteForm, RoleTitlesForm
from .models import Contact, Membership, Organisation, Role, RoleTitle
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
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "current_organisation": organisation,
            "memberships": memberships,
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
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                email=email, defaults={"full_name": form.cleaned_data["full_name"]}
            )
            if created:
                user.set_unusable_password()
                user.save()
            membership, added = Membership.objects.get_or_create(
                user=user, organisation=organisation, role=form.cleaned_data["role"]
            )
            if added:
                record(
                    organisation_id=organisation.pk,
                    action="membership.added",
                    actor=request.user,
                    target=membership,
                    after={"user": user.email, "role": membership.role},
                )
            if created:
                send_invitation.enqueue(user.pk, organisation.pk)
        if added:
            messages.success(request, f"{user.email} is now {titles[membership.role]}.")
        else:
            messages.info(request, f"{user.email} already holds that role.")
        return redirect("organisations:detail", organisation.uuid)
    return render(request, "organisations/invite.html", {"organisation": organisation, "form": form})


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
