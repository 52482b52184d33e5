"""Incident list and detail for the people who handle incidents."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from audit.log import events_for, record
from core.keyset import KeysetPage, keyset_page, tally
from core.views import VisibleObjectMixin, get_visible_or_404
from lib import clock
from organisations.models import HANDLER_ROLES, Organisation

from ..forms import IncidentFilterForm
from ..models import Incident
from ..panels import detail_incidents, incident_panels, report_rows

PAGE_SIZE = 50
NOT_ON_TIMELINE = ("incident.viewed", "outcome.pdf_downloaded")
# The list's sort, newest first (then highest id): the one every list index ends with.
SORT_KEY = "reported_on"


class IncidentListView(VisibleObjectMixin, View):
    model = Incident

    def get(self, request: HttpRequest) -> HttpResponse:
        form, queryset = listed(request.user, request.GET)
        page = list_page(queryset, request.GET)
        query = request.GET.copy()
        for cursor in ("after", "before", "page"):
            query.pop(cursor, None)
        # Where this page starts, so "act on all on this page" finds the same rows again.
        here = request.GET.copy()
        for name in list(here):
            if name not in ("after", "before"):
                here.pop(name)
        return render(
            request,
            "incidents/list.html",
            {
                "form": form,
                "page_obj": page,
                # Exact up to a thousand, else "about N": never a count over every row.
                "tally": tally(queryset, key=SORT_KEY),
                "page_query": here.urlencode(),
                "querystring": f"?{query.urlencode()}&" if query else "?",
                # The "exists" placeholder: restricted incidents this person would otherwise see.
                "restricted": list(Incident.objects.restricted_in_reach(request.user)[:200]),
                # The filter, kept in the choosing form so "all matching" means what is shown.
                "filter_query": query.urlencode(),
            },
        )


def list_page(queryset: Any, data: Any) -> KeysetPage:
    """The page of the list that `data` asks for (`?after=` or `?before=` a row), newest first.

    Keyset, not offset: the database walks the index of (organisation, reported_on, id) or
    (reported_on, id) from the cursor and reads one page, so page 2,000 costs what page 1 does.
    """
    page = keyset_page(queryset.only(*LIST_COLUMNS), data, key=SORT_KEY, size=PAGE_SIZE)
    clock.remember_precisions(page.object_list)  # anonymous reports' times: one question a page
    return page


def listed(user: Any, data: Any) -> tuple[IncidentFilterForm, Any]:
    """The list's filter form and the incidents it lets through (the list, and choosing from it)."""
    organisations = Organisation.objects.visible_to(user, roles=HANDLER_ROLES).only("id", "name", "path")
    form = IncidentFilterForm(data or None, organisations=organisations, user=user)
    return form, form.filter(Incident.objects.visible_to(user).select_related("organisation"))


LIST_COLUMNS = (
    "uuid",
    "content_key",  # opens the listed description without asking for its key (audit/sealing.py)
    "reference",
    "status",
    "reported_on",
    "description",
    "organisation__name",
    # What `summary_for` asks to know whether the viewer may read the description.
    "organisation__path",
    "reported_by",
    "investigator",
    "personal_data",
    "reporter_anonymous",
)


class IncidentDetailView(VisibleObjectMixin, View):
    model = Incident

    def get(self, request: HttpRequest, incident_uuid: Any) -> HttpResponse:
        incident = get_visible_or_404(detail_incidents().all(), request.user, uuid=incident_uuid)
        # Reading a report's personal data is itself on the record. No savepoint: nothing here
        # recovers from a failed write, so inside a request's transaction it would be two
        # round trips for nothing (outside one, this is the transaction either way).
        with transaction.atomic(savepoint=False):
            record(
                organisation_id=incident.organisation_id, action="incident.viewed", actor=request.user, record=incident
            )
        # Once per request: every panel below reads these powers rather than asking again.
        powers = incident.powers_of(request.user)
        if incident.disposed_on is not None:  # its content is gone: what is left, and why (docs/retention.md)
            return render(
                request,
                "incidents/disposed.html",
                {"incident": incident, "current_organisation": incident.organisation, "powers": powers},
            )
        panels = incident_panels(incident, request.user, powers)  # fetches the lists, corrections among them
        return render(
            request,
            "incidents/detail.html",
            panels
            | {
                "incident": incident,
                "current_organisation": incident.organisation,
                "rows": report_rows(incident),
                # Views and downloads are on the record but not on the timeline: left out in the
                # query, or every view would make the next page read one more row.
                "events": events_for(incident).exclude(action__in=NOT_ON_TIMELINE),
                "role_titles": incident.organisation.role_titles(),
            },
        )
