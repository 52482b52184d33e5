"""Shared view plumbing: every organisation-owned object is found through `visible_to`, deny by default."""

from typing import Any, TypeVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static

M = TypeVar("M", bound=models.Model)


def get_visible_or_404(queryset_or_model: "type[M] | models.QuerySet[M]", user: Any, **lookup: Any) -> M:
    """The one object matching `lookup` among those `user` may see; otherwise a 404.

    Every view that looks an object up by id or uuid comes through here, so an object of
    another organisation is "not found", exactly like one that does not exist. Pass a
    queryset to add `select_related` and the like; its model's `visible_to` decides.
    """
    queryset = queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type) else queryset_or_model
    return get_object_or_404(queryset.visible_to(user), **lookup)  # type: ignore[attr-defined]


class VisibleObjectMixin(LoginRequiredMixin):
    """For list and detail views: the queryset is `model.objects.visible_to(user)`.

    An object the user may not see is therefore a 404, exactly like one that does not
    exist; a view built on this cannot forget the check.
    """

    model: type[models.Model]
    request: HttpRequest

    def get_queryset(self) -> Any:
        return self.model.objects.visible_to(self.request.user)  # type: ignore[attr-defined]


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: our own mark (never GOV.UK's
    crown), found at request time so production's hashed static names resolve."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
