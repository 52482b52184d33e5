"""How the API answers when it says no, in the same plain words as the pages.

    409  a step that may not happen now (`core.exceptions.StepRefused`): its reason
    422  invalid input: {"detail": "…", "errors": {"field": ["message", …]}}
    403  the token lacks a scope (`api.auth.Forbidden`)
    404  not found, or not visible to the caller (the same answer: `visible_to`)
    429  too many calls with one token this minute, with Retry-After

Routers validate input with the web's own forms where one exists and raise `Invalid(form.errors)`,
so the API's messages are the pages' messages.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from core.exceptions import StepRefused

from .auth import Forbidden, RateLimited

INVALID = "Some of what was sent is not valid. See errors."
NOT_JSON = "What was sent could not be read. Send a JSON object."


class Invalid(Exception):
    """Input that a form or a rule refused: {field: [messages]} (use "__all__" for the whole)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(INVALID)
        self.errors = errors


def form_invalid(form: Any) -> Invalid:
    """A Django form's errors as an `Invalid` to raise: the page's own messages."""
    return Invalid({name: [str(message) for message in messages] for name, messages in form.errors.items()})


def field_name(loc: Any) -> str:
    """`["body", "payload", "description"]` → "description"; a header or query parameter by its name."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def ninja_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(field_name(error.get("loc", ())), []).append(str(error.get("msg", "Not valid.")))
    return found


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(StepRefused)
    def step_refused(request: HttpRequest, exc: StepRefused) -> HttpResponse:
        return answer(request, {"detail": str(exc)}, 409)

    @api.exception_handler(Invalid)
    def invalid(request: HttpRequest, exc: Invalid) -> HttpResponse:
        return answer(request, {"detail": INVALID, "errors": exc.errors}, 422)

    @api.exception_handler(NinjaValidationError)
    def ninja_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return answer(request, {"detail": INVALID, "errors": ninja_errors(exc.errors)}, 422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # django-ninja answers a body it cannot read (not JSON, not UTF-8) with its own 400.
        if exc.status_code == 400:
            return answer(request, {"detail": INVALID, "errors": {"__all__": [NOT_JSON]}}, 422)
        return answer(request, {"detail": str(exc)}, exc.status_code)

    @api.exception_handler(DjangoValidationError)
    def django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return answer(request, {"detail": INVALID, "errors": errors}, 422)

    @api.exception_handler(Forbidden)
    def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
        return answer(request, {"detail": str(exc)}, 403)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = answer(request, {"detail": "A valid token is needed: Authorization: Bearer idk_…"}, 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, {"detail": "Not found."}, 404)

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = answer(request, {"detail": str(exc)}, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
