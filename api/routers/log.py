"""The DPO monitoring log, streamed as CSV, XLSX or JSON lines, with the web log's filters.

    GET /log.csv | /log.xlsx | /log.jsonl   ?scope=<organisation uuid>&status=open&severity=major...

The same scope (`insights.scope`: the handlers' organisations, the widest by default), the
same filter form (`insights.log.LogFilterForm`), the same rows, the same cell neutralisation
and the same "log.exported" event as the web log's export links: the API's operations call
`insights.views.export_log`, which streams what `insights.export` writes. Filters the page
would show as errors are a 422 here.
"""

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from api.auth import need
from api.models import Scope
from api.schemas import REFUSALS, InvalidInput
from insights import export
from insights.log import LogFilterForm
from insights.scope import resolve_for_handlers
from insights.views import export_log

from .forms import cleaned

router = Router(tags=["Monitoring log"])


class LogFilters(Schema):
    """The web log's filters, all optional (insights/log.py says what each takes)."""

    scope: str | None = Field(None, description="The organisation (uuid) whose log, with everything beneath it.")
    organisation: str | None = Field(None, description="Exactly this organisation in the scope (uuid).")
    status: str | None = Field(None, description="A status, `open` or `closed_any`.")
    severity: str | None = Field(None, description="A severity, or `none` for not yet set.")
    type: str | None = Field(None, description="An incident type's id, or `none`.")
    breach_status: str | None = None
    personal_data_breach: str | None = None
    overdue: str | None = Field(None, description="`any`, or one kind of overdue deadline.")
    ico_clock: str | None = Field(None, description="`running`: not yet reported to the ICO.")
    month: str | None = Field(None, description="Reported in this month (YYYY-MM).")
    reported_from: str | None = Field(None, description="Reported on or after (YYYY-MM-DD).")
    reported_to: str | None = Field(None, description="Reported up to and including (YYYY-MM-DD).")


def streamed(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The filters checked by the log page's form (422 when it would show errors), then the export."""
    need(request, Scope.READ)
    cleaned(LogFilterForm(request.GET, scope=resolve_for_handlers(request)))
    return export_log(request, fmt)


def described(fmt: str, what: str) -> dict[str, Any]:
    _, content_type = export.FORMATS[fmt]
    media = content_type.split(";")[0]
    schema = {"type": "string", "format": "binary"} if fmt == "xlsx" else {"type": "string"}
    return {"responses": {200: {"description": what, "content": {media: {"schema": schema}}}}}


RESPONSES = {200: None, 422: InvalidInput, **REFUSALS}


@router.get("/log.csv", response=RESPONSES, summary="The monitoring log as CSV", openapi_extra=described("csv", "CSV"))
def log_csv(request: HttpRequest, filters: Query[LogFilters]) -> StreamingHttpResponse:
    return streamed(request, "csv")


@router.get(
    "/log.xlsx", response=RESPONSES, summary="The monitoring log as a workbook", openapi_extra=described("xlsx", "XLSX")
)
def log_xlsx(request: HttpRequest, filters: Query[LogFilters]) -> StreamingHttpResponse:
    return streamed(request, "xlsx")


@router.get(
    "/log.jsonl",
    response=RESPONSES,
    summary="The monitoring log as JSON lines",
    openapi_extra=described("jsonl", "One incident a line, newest first."),
)
def log_jsonl(request: HttpRequest, filters: Query[LogFilters]) -> StreamingHttpResponse:
    return streamed(request, "jsonl")
