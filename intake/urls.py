from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/<uuid:incident_uuid>/done/", views.done, name="done"),
    path("report/for-someone/", views.on_behalf, name="on_behalf"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<uuid:incident_uuid>/", views.my_report, name="my_report"),
    path("my-reports/<uuid:incident_uuid>/add/", views.add_to_my_report, name="add_to_my_report"),
]
