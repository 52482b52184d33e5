from django.urls import path

from .views import incident, oversight, restriction, steps

app_name = "incidents"
urlpatterns = [
    path("", incident.IncidentListView.as_view(), name="list"),
    path("<uuid:incident_uuid>/", incident.IncidentDetailView.as_view(), name="detail"),
    path("queue/", steps.triage_queue, name="queue"),
    path("mine/", steps.assigned_to_me, name="mine"),
    path("serious/", steps.serious, name="serious"),
    path("settings/<uuid:org_uuid>/", steps.investigation_settings, name="settings"),
    path("checklist/<int:item_id>/", steps.checklist_item, name="checklist_item"),
    path("<uuid:incident_uuid>/triage/", steps.triage, name="triage"),
    path("<uuid:incident_uuid>/reclassify/", steps.reclassify, name="reclassify"),
    path("<uuid:incident_uuid>/assign/", steps.assign, name="assign"),
    path("<uuid:incident_uuid>/start/", steps.start, name="start"),
    path("<uuid:incident_uuid>/not-an-incident/", steps.not_incident, name="not_incident"),
    path("<uuid:incident_uuid>/notes/", steps.add_note, name="add_note"),
    path("<uuid:incident_uuid>/message/", steps.message_reporter, name="message_reporter"),
    path("<uuid:incident_uuid>/outcome/", steps.outcome, name="outcome"),
    path("<uuid:incident_uuid>/outcome/submit/", steps.submit, name="submit"),
    path("<uuid:incident_uuid>/outcome/review/", steps.review, name="review"),
    path("<uuid:incident_uuid>/outcome/report.pdf", steps.outcome_pdf, name="outcome_pdf"),
    path("<uuid:incident_uuid>/close/", steps.close, name="close"),
    path("<uuid:incident_uuid>/reopen/", steps.reopen, name="reopen"),
    path("<uuid:incident_uuid>/correct/", oversight.correct, name="correct"),
    path("<uuid:incident_uuid>/ask-dpo/", oversight.ask_dpo, name="ask_dpo"),
    path("<uuid:incident_uuid>/dpo/advice/", oversight.dpo_advise, name="dpo_advise"),
    path("<uuid:incident_uuid>/dpo/reviewed/", oversight.dpo_review, name="dpo_review"),
    path("<uuid:incident_uuid>/dpo/direct/", oversight.dpo_direct, name="dpo_direct"),
    path("<uuid:incident_uuid>/sign-off/", oversight.sign_off, name="sign_off"),
    path("settings/<uuid:org_uuid>/sign-off/", oversight.sign_off_settings, name="sign_off_settings"),
    path("<uuid:incident_uuid>/restrict/", restriction.restrict, name="restrict"),
    path("<uuid:incident_uuid>/restrict/lift/", restriction.lift, name="lift_restriction"),
    path("<uuid:incident_uuid>/outside-help/", restriction.outside_help, name="outside_help"),
    path("outside-help/<uuid:access_uuid>/end/", restriction.end_outside_help, name="end_outside_help"),
    path("invitation/<str:token>/", restriction.accept_invitation, name="accept_invitation"),
]
