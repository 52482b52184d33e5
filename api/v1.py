"""Version 1 of the public API, at /api/v1/ (docs/api.md).

Every operation goes through the same services, steps and permission checks as the pages.
The OpenAPI document is open at /api/v1/openapi.json (it describes, it holds no data); the
interactive docs at /api/v1/docs are for signed-in organisation admins and superusers.
Each router module in `api/routers/` is added here.
"""

from functools import partial
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.views import openapi_view

from organisations.models import Role
from organisations.powers import paths_where

from . import errors
from .auth import TokenAuth
from .routers import actions, breaches, evidence, incidents, log, messages, oversight, people, steps, waves

api = NinjaAPI(
    title="Incident Desk API",
    version="1",
    description="Report and handle information security incidents from another program. See docs/api.md.",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url=None,  # served by `docs` below, for admins only
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/incidents", incidents.router, tags=["Incidents"])
api.add_router("/", people.router, tags=["Organisations and people"])
api.add_router("/", steps.router)
api.add_router("/", oversight.router)
api.add_router("/", waves.router)
api.add_router("/", evidence.router)
api.add_router("/", actions.router)
api.add_router("/", messages.router)
api.add_router("/", breaches.router)
api.add_router("/", log.router)


def docs(request: HttpRequest) -> HttpResponse:
    """The interactive docs (Swagger UI, served from our own static files): admins only."""
    user = request.user
    if not user.is_authenticated or not (user.is_superuser or paths_where(user, {Role.ADMIN})):
        raise Http404
    view: Any = partial(openapi_view, api=api)
    return view(request)
