from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("<uuid:org_uuid>/people/", views.people_page, name="people"),
    path("<uuid:org_uuid>/people/import/", views.import_people, name="import_people"),
    path("<uuid:org_uuid>/people/export.csv", views.export_csv, name="export_csv"),
    path("<uuid:org_uuid>/people/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<uuid:org_uuid>/organisations/import/", views.import_organisations, name="import_organisations"),
]
