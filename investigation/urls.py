from django.urls import path

from . import views

app_name = "investigation"
urlpatterns = [
    path("queue/", views.triage_queue, name="queue"),
    path("mine/", views.assigned_to_me, name="mine"),
    path("serious/", views.serious, name="serious"),
    path("settings/<uuid:org_uuid>/", views.investigation_settings, name="settings"),
    path("checklist/<int:item_id>/", views.checklist_item, name="checklist_item"),
    path("<uuid:incident_uuid>/triage/", views.triage, name="triage"),
    path("<uuid:incident_uuid>/reclassify/", views.reclassify, name="reclassify"),
    path("<uuid:incident_uuid>/assign/", views.assign, name="assign"),
    path("<uuid:incident_uuid>/start/", views.start, name="start"),
    path("<uuid:incident_uuid>/not-an-incident/", views.not_incident, name="not_incident"),
    path("<uuid:incident_uuid>/ico-decision/", views.ico_decision, name="ico_decision"),
    path("<uuid:incident_uuid>/notes/", views.add_note, name="add_note"),
    path("<uuid:incident_uuid>/message/", views.message_reporter, name="message_reporter"),
    path("<uuid:incident_uuid>/outcome/", views.outcome, name="outcome"),
    path("<uuid:incident_uuid>/outcome/submit/", views.submit, name="submit"),
    path("<uuid:incident_uuid>/outcome/review/", views.review, name="review"),
    path("<uuid:incident_uuid>/outcome/report.pdf", views.outcome_pdf, name="outcome_pdf"),
    path("<uuid:incident_uuid>/close/", views.close, name="close"),
    path("<uuid:incident_uuid>/reopen/", views.reopen, name="reopen"),
]
