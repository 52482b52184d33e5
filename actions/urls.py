from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("mine/", views.my_actions, name="mine"),
    path("incident/<uuid:incident_uuid>/add/", views.add, name="add"),
    path("<int:action_id>/", views.detail, name="detail"),
    path("<int:action_id>/edit/", views.edit, name="edit"),
    path("<int:action_id>/done/", views.mark_done, name="done"),
    path("<int:action_id>/cancel/", views.cancel, name="cancel"),
    path("<int:action_id>/reopen/", views.reopen, name="reopen"),
]
