from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "breaches"
urlpatterns = [
    path("<uuid:incident_uuid>/", views.overview, name="overview"),
    path("<uuid:incident_uuid>/assess/", views.assess, name="assess"),
    path("<uuid:incident_uuid>/assessments/<int:version>/", views.assessment_version, name="version"),
    path("<uuid:incident_uuid>/decide/", views.decide, name="decide"),
    path("<uuid:incident_uuid>/ico-report/details/", views.report_details, name="report_details"),
    path("<uuid:incident_uuid>/ico-report.docx", views.ico_report_docx, name="ico_report_docx"),
    path("<uuid:incident_uuid>/ico-report.pdf", views.ico_report_pdf, name="ico_report_pdf"),
    path("<uuid:incident_uuid>/ico-submissions/new/", views.record_submission, name="record_submission"),
    path("<uuid:incident_uuid>/ico-response/", views.record_response, name="record_response"),
    path("<uuid:incident_uuid>/letter.docx", views.letter_docx, name="letter_docx"),
    path("<uuid:incident_uuid>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<uuid:incident_uuid>/individuals-told/new/", views.record_notice, name="record_notice"),
    path("<uuid:incident_uuid>/not-a-breach/", views.not_a_breach, name="not_a_breach"),
    # The ICO clocks page moved to the deadlines app, which computes every clock: old links and
    # bookmarks still arrive.
    path(
        "ico-clocks/",
        RedirectView.as_view(pattern_name="deadlines:ico_clocks", permanent=True, query_string=True),
        name="clocks_moved",
    ),
]
