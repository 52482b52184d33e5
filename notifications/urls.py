from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.read_all, name="read_all"),
    path("<uuid:notification_uuid>/", views.open_notification, name="open"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("organisations/<uuid:org_uuid>/informed-parties/", views.informed_parties, name="informed_parties"),
]
