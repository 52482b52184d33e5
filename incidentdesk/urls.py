from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from api import v1 as api_v1
from core import views as core_views
from organisations import sso_views

from . import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("intake.urls")),
    path("", include("anonymous.urls")),
    path("incidents/", include("incidents.urls")),
    path("breaches/", include("breaches.urls")),
    path("organisations/", include("organisations.urls")),
    path("organisations/", include("onboarding.urls")),
    path("evidence/", include("evidence.urls")),
    path("actions/", include("actions.urls")),
    path("case-file/", include("casefile.urls")),
    path("notifications/", include("notifications.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("reports/", include("insights.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("policy-exceptions/", include("policies.exception_urls")),
    path("policy-changes/", include("policies.proposal_urls")),
    path("email/", include("inbound.urls")),
    path("", include("parties.urls")),
    path("policies/", include("policies.urls")),
    path("learning/", include("learning.urls")),
    path("retention/", include("retention.urls")),
    path("account/", account_views.account, name="account"),
    # Before allauth's own: the OpenID Connect login and callback that check the ID token's
    # signature and nonce (organisations/sso_views.py).
    path("accounts/oidc/<str:provider_id>/login/", sso_views.oidc_login, name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", sso_views.oidc_callback, name="openid_connect_callback"),
    path("sign-in/<str:kind>/", sso_views.sign_in_with, name="sso_sign_in"),
    path("accounts/", include("allauth.urls")),
    path("", include("api.urls")),
    path("api/v1/docs", api_v1.docs, name="api_docs"),
    path("api/v1/", api_v1.api.urls),
    path("accessibility/", core_views.accessibility, name="accessibility"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("django-admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says: our own mark, not GOV.UK's crown.
    path("favicon.ico", core_views.favicon),
]
