from django.urls import path

from . import views

app_name = "casefile"
urlpatterns = [
    path("<uuid:incident_uuid>.pdf", views.case_file_pdf, name="pdf"),
]
