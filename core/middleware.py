import uuid
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from whitenoise.middleware import WhiteNoiseMiddleware

from core.exceptions import StorageFull
from lib.pdf import PdfError
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


class PdfErrorMiddleware:
    """A PDF that could not be made is one page for everyone, whichever document it was,
    with PdfError's plain message. `lib.pdf.render_pdf` has logged typst's own account.

    The page is rendered without the request
    (no context processor runs), like the 500 page, so it is safe on the public report
    pages too, where nothing of the visitor may be read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PdfError):
            return None
        response = HttpResponse(render_to_string("core/pdf_error.html", {"reason": str(exception)}), status=500)
        response["Cache-Control"] = "no-store"
        return response


class NoStoreMiddleware:
    """Every response of the application is `Cache-Control: no-store`.

    Pages, downloads, PDFs and error pages carry incident data; a shared computer's browser
    cache or a proxy must keep none of it. Static files are served by WhiteNoise above this
    middleware and stay cacheable. A view's own directives (e.g. `private`) are kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


class StorageFullMiddleware:
    """A full file store is 503 "try again", never a 500, on any page that did not already
    show its form again itself. Rendered without the request (safe on the public pages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StorageFull):
            return None
        return storage_full_response()


def storage_full_response() -> HttpResponse:
    response = HttpResponse(render_to_string("core/storage_full.html"), status=503)
    response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    return response


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with its look at the static files made once a process for each way it is set up.

    WhiteNoise reads every static file's name, size and date each time the middleware is made.
    A server makes it once, but Django's test client makes it for each new client: 1,493 times
    in three test modules, 8 ms each. The files found are kept here, by
    folder or finders and by every setting that goes into their headers, and given to the next
    middleware made the same way. Files added while the process runs are not seen, as before
    (WhiteNoise looks once, except with WHITENOISE_AUTOREFRESH, which is left alone).
    """

    _found: ClassVar[dict[tuple[Any, ...], dict[str, Any]]] = {}

    def add_files(self, root: Any, prefix: Any = None) -> None:
        if self.autorefresh:  # folders are looked in on each request: nothing to keep
            super().add_files(root, prefix)
            return
        self._found_once(("folder", str(root), prefix), partial(WhiteNoiseMiddleware.add_files, self, root, prefix))

    def add_files_from_finders(self) -> None:
        finders = (
            tuple(map(str, settings.STATICFILES_DIRS)),
            tuple(settings.INSTALLED_APPS),
            tuple(settings.STATICFILES_FINDERS),
        )
        self._found_once(("finders", finders), super().add_files_from_finders)

    def _found_once(self, where: tuple[Any, ...], look: Callable[[], None]) -> None:
        key = (
            where,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.index_file,
            self.add_headers_function,
            self.static_prefix,
            settings.STORAGES.get("staticfiles", {}).get("BACKEND"),
            repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
            getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None),
        )
        found = self._found.get(key)
        if found is None:
            before = dict(self.files)
            look()
            found = {url: file for url, file in self.files.items() if before.get(url) is not file}
            self._found[key] = found
        else:
            self.files.update(found)
