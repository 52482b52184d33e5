from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


def superusers_only(request: HttpRequest) -> bool:
    """Django's admin is for the installation's superusers only, never for organisation staff."""
    return bool(request.user.is_active and request.user.is_superuser)


def site_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin has no sign-in page of its own: it uses the site's, with its throttling and
    its second factor (a superuser must pass one, organisations.mfa). Someone signed in who
    may not use the admin is refused rather than sent to sign in again (which would loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("account_login"))


admin.site.has_permission = superusers_only  # type: ignore[method-assign]
admin.site.login = site_sign_in  # type: ignore[method-assign]
admin.site.site_header = "Incident Desk administration"
admin.site.site_title = "Incident Desk administration"
