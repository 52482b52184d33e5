"""Shared view plumbing: one mixin makes every organisation-owned object deny by default."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
