from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("incident/<uuid:incident_uuid>/add/", views.upload, name="upload"),
    path("<uuid:evidence_uuid>/download/", views.download, name="download"),
    path("<uuid:evidence_uuid>/withdraw/", views.withdraw, name="withdraw"),
]
