from django.urls import path

from . import proposal_views as views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("suggest/", views.propose, name="propose"),
    path("<uuid:proposal_uuid>/", views.detail, name="detail"),
]
