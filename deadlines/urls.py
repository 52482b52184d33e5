from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("organisations/<uuid:org_uuid>/timescales/", views.timescales, name="timescales"),
    path("ico-clocks/", views.ico_clocks, name="ico_clocks"),
]
