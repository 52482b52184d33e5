from django.urls import path

from . import views

app_name = "inbound"
urlpatterns = [
    path("organisations/<uuid:org_uuid>/", views.mail_settings, name="settings"),
]
