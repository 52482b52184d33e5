from django.urls import path

from . import views

app_name = "anonymous"
urlpatterns = [
    path("r/receipt/", views.receipt_lookup, name="receipt"),
    path("r/receipt/reply/", views.receipt_reply, name="receipt_reply"),
    path("r/<slug:slug>/", views.public_report, name="public_report"),
    path("r/<slug:slug>/poster.pdf", views.poster, name="poster"),
    path("anonymous/organisations/<uuid:org_uuid>/", views.public_page_settings, name="public_page_settings"),
    path("anonymous/incidents/<uuid:incident_uuid>/identity/", views.ask_identity, name="ask_identity"),
    path("anonymous/identity/<uuid:request_uuid>/decide/", views.decide_identity, name="decide_identity"),
    path("anonymous/identity/<uuid:request_uuid>/reveal/", views.reveal, name="reveal_identity"),
]
