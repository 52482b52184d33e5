from django.urls import path

from . import views

app_name = "parties"
urlpatterns = [
    path("organisations/<uuid:org_uuid>/third-parties/", views.register, name="register"),
    path("organisations/<uuid:org_uuid>/third-parties/add/", views.edit_party, name="add"),
    path("organisations/<uuid:org_uuid>/third-parties/<int:party_id>/", views.edit_party, name="edit"),
    path("organisations/<uuid:org_uuid>/other-bodies/", views.body_rules, name="body_rules"),
    path(
        "organisations/<uuid:org_uuid>/other-bodies/<int:type_id>/", views.body_rules_for_type, name="body_rules_type"
    ),
    path("incidents/<uuid:incident_uuid>/third-party/", views.incident_party, name="incident_party"),
    path("incidents/<uuid:incident_uuid>/others-told/", views.record_notice, name="record_notice"),
]
