from django.urls import path

from . import exception_views as views

app_name = "exceptions"

urlpatterns = [
    path("", views.register, name="register"),
    path("ask/", views.request_exception, name="request"),
    path("<uuid:exception_uuid>/", views.detail, name="detail"),
    path("incident/<uuid:incident_uuid>/policy-points/", views.incident_points, name="incident_points"),
    path("incident/<uuid:incident_uuid>/exception/", views.incident_exception, name="incident_exception"),
]
