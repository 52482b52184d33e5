from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from reporting import views as reporting_views

urlpatterns = [
    path("", reporting_views.home, name="home"),
    path("", include("reporting.urls")),
    path("incidents/", include("incidents.urls")),
    path("incidents/", include("investigation.urls")),
    path("organisations/", include("organisations.urls")),
    path("evidence/", include("evidence.urls")),
    path("actions/", include("actions.urls")),
    path("case-file/", include("casefile.urls")),
    path("accounts/", include("allauth.urls")),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("django-admin/", admin.site.urls),
]
