"""The glossary page: every term of the work defined, in the reader's organisation's role titles."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .glossary import glossary
from .models import Membership


@login_required
def glossary_page(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user_id=request.user.pk or 0).select_related("organisation")
    membership = memberships.order_by("pk").first()
    organisation = membership.organisation if membership else None
    context = {"terms": glossary(organisation), "organisation": organisation}
    return render(request, "organisations/glossary.html", context)
