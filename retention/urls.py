from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("disposal/", views.overview, name="overview"),
    path("organisations/<uuid:org_uuid>/schedule/", views.schedule_page, name="schedule"),
    path("organisations/<uuid:org_uuid>/disposal/", views.lists_page, name="lists"),
    path("incidents/<uuid:incident_uuid>/approve/", views.approve, name="approve"),
    path("incidents/<uuid:incident_uuid>/keep/", views.keep, name="keep"),
    path("incidents/<uuid:incident_uuid>/hold/", views.hold, name="hold"),
]
