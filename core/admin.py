from django.contrib import admin
from django.http import HttpRequest


def superusers_only(request: HttpRequest) -> bool:
    """Django's admin is for the installation's superusers only, never for organisation staff."""
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Incident Desk administration"
admin.site.site_title = "Incident Desk administration"
