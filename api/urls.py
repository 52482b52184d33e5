from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("account/api-tokens/", views.my_tokens, name="my_tokens"),
    path("account/api-tokens/<uuid:token_uuid>/revoke/", views.revoke_my_token, name="revoke_my_token"),
    path("organisations/<uuid:org_uuid>/service-accounts/", views.service_accounts, name="service_accounts"),
    path(
        "organisations/<uuid:org_uuid>/service-accounts/<uuid:account_uuid>/",
        views.service_account,
        name="service_account",
    ),
    path(
        "organisations/<uuid:org_uuid>/service-accounts/<uuid:account_uuid>/tokens/<uuid:service_token_uuid>/revoke/",
        views.revoke_service_token,
        name="revoke_service_token",
    ),
]
