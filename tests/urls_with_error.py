"""The project's URLs plus one view that fails, to see the 500 page as a visitor does."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from incidentdesk.urls import urlpatterns as project_urlpatterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A failure for the 500 page test")


urlpatterns = [path("test-failure/", fail), *project_urlpatterns]
