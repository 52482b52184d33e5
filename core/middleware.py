import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lib.request_context import request_id


class RequestIdMiddleware:
    """Gives every request an id of our own, stamped on the events it writes.

    A client-supplied X-Request-ID is ignored: it could be used to forge links between
    events, or to carry something that identifies a reporter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response
