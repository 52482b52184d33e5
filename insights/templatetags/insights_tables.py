"""The dashboard's "By organisation" table rows, drawn in Python.

    {% organisation_rows figures log_url scope_query %}

A county has hundreds of organisations, each a row of five counts that link to the log. Drawn by
the template engine, that table was 56 of a county DPO's 192 ms of dashboard (577 rows, 26 values
each); here each row is one `format_html` with its values escaped once, the same markup.
"""

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{%s}</td>'
LINKED = (
    '<td class="govuk-table__cell govuk-table__cell--numeric"><a class="govuk-link" '
    'href="{log_url}?{scope_query}&amp;organisation={org}&amp;%s">{%s}'
    '<span class="govuk-visually-hidden"> %s {name}</span></a></td>'
)
# (count, the log's filter for it, the words a screen reader hears after the number)
COLUMNS = (
    ("open", "status=open", "open at"),
    ("last_12_months", "reported_from={since}", "reported at"),
    ("ico_running", "ico_clock=running", "ICO clocks at"),
    ("triage", "overdue=triage", "triage overdue at"),
    ("investigation", "overdue=investigation", "investigation overdue at"),
)
HEADER = '<tr class="govuk-table__row">\n    <th scope="row" class="govuk-table__header">{name}</th>\n'
WITH_LINKS = HEADER + "".join(f"    {LINKED % (query, key, words)}\n" for key, query, words in COLUMNS) + "  </tr>"
WITHOUT_LINKS = HEADER + "".join(f"    {CELL % key}\n" for key, _, _ in COLUMNS) + "  </tr>"


@register.simple_tag
def organisation_rows(figures: Any, log_url: str | None, scope_query: str) -> SafeString:
    """A row for each of `figures.per_organisation`; counts link to the log when `log_url` is given."""
    if log_url:
        shared = {"log_url": log_url, "scope_query": scope_query, "since": figures.since}
        return format_html_join("", WITH_LINKS, (shared | row for row in figures.per_organisation))
    return format_html_join("", WITHOUT_LINKS, figures.per_organisation)
