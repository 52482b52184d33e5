from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("organisations/<uuid:org_uuid>/", views.subscription_list, name="list"),
    path("organisations/<uuid:org_uuid>/add/", views.add, name="add"),
    path("organisations/<uuid:org_uuid>/<uuid:subscription_uuid>/", views.detail, name="detail"),
    path("organisations/<uuid:org_uuid>/<uuid:subscription_uuid>/edit/", views.edit, name="edit"),
    path("organisations/<uuid:org_uuid>/<uuid:subscription_uuid>/pause/", views.pause, name="pause"),
    path("organisations/<uuid:org_uuid>/<uuid:subscription_uuid>/delete/", views.delete, name="delete"),
]
