from django.urls import path

from . import help, letterhead, settings_hub, sso_views, views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("glossary/", help.glossary_page, name="glossary"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<uuid:grant_uuid>/", views.decide_grant, name="decide_grant"),
    path("<uuid:org_uuid>/", views.organisation_detail, name="detail"),
    path("<uuid:org_uuid>/settings/", settings_hub.settings_page, name="settings"),
    path("<uuid:org_uuid>/invite/", views.invite, name="invite"),
    path("<uuid:org_uuid>/memberships/<int:membership_id>/remove/", views.remove_membership, name="remove_membership"),
    path("<uuid:org_uuid>/role-titles/", views.role_titles, name="role_titles"),
    path("<uuid:org_uuid>/contacts/add/", views.add_contact, name="add_contact"),
    path("<uuid:org_uuid>/contacts/<int:contact_id>/remove/", views.remove_contact, name="remove_contact"),
    path("<uuid:org_uuid>/sign-in/", sso_views.sign_in_settings, name="sign_in_settings"),
    path("<uuid:org_uuid>/letterhead/", letterhead.letterhead, name="letterhead"),
    path("<uuid:org_uuid>/letterhead/logo.png", letterhead.letterhead_logo, name="letterhead_logo"),
]
