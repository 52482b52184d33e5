"""Requests to the public report pages carry nothing that could identify the sender.

`AnonymousRequestMiddleware` runs first (outermost). For paths under
`settings.ANONYMOUS_PATH_PREFIX` it:

- turns the client address into a keyed, daily-changing hash for rate limits
  (`request.anonymous_client`), then deletes the address, the user agent, cookies and
  every header not needed to serve the page, before any other code sees the request. No
  session cookie reaches the session middleware, so a signed-in person is not recognised;
- gives the request no request id (events written while serving it carry none);
- on the way out drops every cookie, `Vary: Cookie` and `X-Request-ID`, and sets
  `Cache-Control: no-store` and `Referrer-Policy: no-referrer`.

`ScrubAnonymousRequests` is a logging filter: it drops access-log lines for these paths
and strips the request from error records, so error reports never carry one.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from lib.request_context import request_id

from .keys import client_key

# What a public page needs from the request; everything else is deleted.
KEPT_META = frozenset(
    {
        "REQUEST_METHOD",
        "PATH_INFO",
        "SCRIPT_NAME",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_X_FORWARDED_PROTO",
    }
)


def is_anonymous_path(path: str) -> bool:
    return path.startswith(settings.ANONYMOUS_PATH_PREFIX)


def client_address(meta: dict[str, Any]) -> str:
    """The sender's address, from the header the deployment names.

    From a forwarded list the last entry is taken: the one the deployment's own proxy
    added. Earlier entries are whatever the client chose to send.
    """
    value = str(meta.get(settings.ANONYMOUS_CLIENT_ADDRESS_HEADER) or meta.get("REMOTE_ADDR") or "")
    return value.split(",")[-1].strip()


def scrub(request: HttpRequest) -> None:
    request.anonymous_client = client_key(client_address(request.META))  # type: ignore[attr-defined]
    for key in list(request.META):
        if key not in KEPT_META and not key.startswith("wsgi."):
            del request.META[key]
    # Code that expects an address gets a fixed placeholder, never the real one.
    request.META["REMOTE_ADDR"] = "0.0.0.0"  # noqa: S104 (not a bind address)
    request.COOKIES = {}
    request.anonymous_channel = True  # type: ignore[attr-defined]


class AnonymousRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_anonymous_path(request.path_info):
            return self.get_response(request)
        scrub(request)
        response = self.get_response(request)
        response.cookies.clear()
        if response.has_header("Vary"):
            kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        if response.has_header("X-Request-ID"):
            del response["X-Request-ID"]
        patch_cache_control(response, no_store=True, no_cache=True, private=True)
        response["Referrer-Policy"] = "no-referrer"
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        # RequestIdMiddleware (inside this one) has set an id; these requests get none, so
        # no event can be joined to a proxy's log of the response.
        if getattr(request, "anonymous_channel", False):
            request_id.set("")


class ScrubAnonymousRequests(logging.Filter):
    """Logging filter: no access lines for public paths; error records lose the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path_info", None) or getattr(request, "path", None)
        if path is None and record.name == "django.server":
            # runserver's access log: the request line is in the arguments.
            text = " ".join(str(a) for a in (record.args or ()) if isinstance(a, str))
            return f" {settings.ANONYMOUS_PATH_PREFIX}" not in text
        if path is not None and is_anonymous_path(str(path)):
            if record.name == "django.server":
                return False
            record.request = None
        return True
