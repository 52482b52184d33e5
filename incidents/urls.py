from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.IncidentListView.as_view(), name="list"),
    path("<uuid:incident_uuid>/", views.IncidentDetailView.as_view(), name="detail"),
]
