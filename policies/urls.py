from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("to-read/", views.prompt, name="prompt"),
    path("<uuid:version_uuid>/", views.read, name="read"),
    path("<uuid:version_uuid>/pdf/", views.version_pdf, name="pdf"),
    path("<uuid:version_uuid>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<uuid:version_uuid>/edit/", views.edit, name="edit"),
    path("<uuid:version_uuid>/points/add/", views.add_point, name="add_point"),
    path("<uuid:version_uuid>/points/<int:point_id>/", views.change_point, name="change_point"),
    path("<uuid:version_uuid>/points/<int:point_id>/remove/", views.remove_point, name="remove_point"),
    path("<uuid:version_uuid>/points/<int:point_id>/move/", views.move_point, name="move_point"),
    path("<uuid:version_uuid>/approve/", views.approve, name="approve"),
    path("<uuid:version_uuid>/publish/", views.publish, name="publish"),
    path("policy/<uuid:policy_uuid>/new-version/", views.new_version, name="new_version"),
    path("organisations/<uuid:org_uuid>/", views.manage, name="manage"),
    path("organisations/<uuid:org_uuid>/start/", views.start, name="start"),
    path("organisations/<uuid:org_uuid>/register/", views.register_page, name="register"),
    path("organisations/<uuid:org_uuid>/register.csv", views.register_csv, name="register_csv"),
]
