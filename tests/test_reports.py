"""Management reporting: dashboard, monitoring log and exports, checked against the database."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from actions.models import RemedialAction
from audit.models import Event
from deadlines import overdue
from incidents import lifecycle
from incidents.builtins import BODIES_TOLD
from incidents.models import Incident, IncidentType
from insights import export, log
from insights.sample import generate, generate_actions
from organisations.models import Membership, Organisation, Role

from .conftest import Cast
from .factories import OrganisationFactory, UserFactory, reported_incident
from .lifecycle_helpers import classification

NOW = timezone.make_aware(datetime(2026, 3, 11, 10, 30))  # a Wednesday


def types() -> list[IncidentType | None]:
    names = ["Email to the wrong person", "Lost or stolen device", "Phishing", "Other"]
    return [IncidentType.objects.get_or_create(organisation=None, name=n)[0] for n in names] + [None]


@pytest.fixture
def data(cast: Cast, time_machine) -> Cast:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    generate([cast.school_a, cast.school_b], types(), 240, now=NOW)
    generate_actions([cast.school_a, cast.school_b], 60, now=NOW, owner=cast.alice)
    return cast


# An independent statement of the overdue rules, walking the calendar with England's bank
# holidays, to check what the deadlines app stores and the reports count.
def end_of_working_day(start: datetime | date, days: int) -> datetime:
    """The end (local midnight after) of the `days`-th working day after `start`'s local date."""
    import holidays

    day = timezone.localtime(start).date() if isinstance(start, datetime) else start
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(day.year - 1, day.year + 2))
    while days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            days -= 1
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def python_flags(incident: Incident, now: datetime, own: dict[str, int] | None = None) -> dict[str, bool]:
    """`own`: the organisation's own outcome-report days by severity, over the defaults."""
    days = {"minor": 20, "moderate": 15, "major": 10, "critical": 5, "": 20} | (own or {})
    awareness = incident.aware_on or (
        incident.reported_on if incident.personal_data == "yes" and incident.personal_data_breach != "no" else None
    )
    clock = (
        awareness is not None
        and incident.ico_reported_on is None
        and incident.status in Incident.OPEN_STATUSES
        and incident.personal_data_breach != "no"
        and incident.ico_decision != "record_only"
    )
    # Telling others: the built-in types' bodies that set a deadline (no notices in this data).
    kind = incident.incident_type
    hours = [h for h in BODIES_TOLD.get(kind.name, {}).values() if h] if kind and kind.organisation_id is None else []
    start = incident.discovered_on or incident.reported_on
    return {
        "others": incident.status in Incident.OPEN_STATUSES and any(now >= start + timedelta(hours=h) for h in hours),
        "triage": incident.status == "reported" and now >= end_of_working_day(incident.reported_on, 1),
        "investigation": incident.status in ("triaged", "investigating")
        and incident.outcome_submitted_on is None
        and now >= end_of_working_day(incident.triaged_on or incident.reported_on, days[incident.severity]),
        "action": any(
            a.status == "open"
            and now >= (end_of_working_day(a.due_on, 0) if a.due_on else end_of_working_day(a.created_on, 20))
            for a in incident.remedial_actions.all()
        ),
        "ico": clock and now >= awareness + timedelta(hours=72),  # type: ignore[operator]
        "ico_running": clock,
    }


def action_overdue(action: RemedialAction, now: datetime) -> bool:
    due = end_of_working_day(action.due_on, 0) if action.due_on else end_of_working_day(action.created_on, 20)
    return action.status == "open" and now >= due


def test_dashboard_figures_match_direct_counts(client, data: Cast) -> None:
    client.force_login(data.carol)
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 200
    figures = response.context["figures"]
    incidents = Incident.objects.filter(organisation__path__startswith=data.county.path)
    open_ = incidents.filter(status__in=Incident.OPEN_STATUSES)
    assert figures.open_total == open_.count() > 0
    for bar in figures.by_status:
        assert bar.value == open_.filter(status=bar.query["status"]).count()
    for bar in figures.by_severity:
        severity = "" if bar.query["severity"] == "none" else bar.query["severity"]
        assert bar.value == open_.filter(severity=severity).count()
    assert sum(bar.value for bar in figures.by_type) == open_.count()
    for bar in figures.by_type:
        condition = (
            {"incident_type__isnull": True} if bar.query["type"] == "none" else {"incident_type_id": bar.query["type"]}
        )
        assert bar.value == open_.filter(**condition).count()
    flags = [python_flags(i, NOW) for i in incidents.prefetch_related("remedial_actions")]
    expected = {key: sum(f[key] for f in flags) for key in ("triage", "investigation", "action", "ico", "ico_running")}
    assert all(expected.values()), expected  # the generated data exercises every rule
    got = {bar.query.get("overdue") or "ico_running": bar.value for bar in figures.clocks + figures.overdue}
    assert got == expected
    assert figures.actions_overdue == sum(1 for a in RemedialAction.objects.all() if action_overdue(a, NOW)) > 0
    start = timezone.make_aware(datetime(2025, 4, 1))
    assert sum(bar.value for bar in figures.per_month) == incidents.filter(reported_on__gte=start).count()
    march = incidents.filter(reported_on__gte=timezone.make_aware(datetime(2026, 3, 1))).count()
    assert figures.per_month[-1].value == march
    by_org = {row["name"]: row for row in figures.per_organisation}
    assert by_org["School A"]["open"] == open_.filter(organisation=data.school_a).count()
    assert by_org["School B"]["open"] == open_.filter(organisation=data.school_b).count()


def test_every_dashboard_figure_links_to_a_log_that_counts_the_same(client, data: Cast) -> None:
    client.force_login(data.carol)
    figures = client.get(reverse("insights:dashboard")).context["charts"]
    checked = 0
    for chart in figures:
        for row in chart["rows"]:
            assert row["href"], row
            page = client.get(row["href"])
            assert page.context["tally"].number == row["value"], (chart["key"], row["label"])
            checked += 1
    assert checked > 20
    # The overdue actions figure links to the actions list, which counts the same actions.
    dashboard = client.get(reverse("insights:dashboard"))
    actions = client.get(dashboard.context["actions_url"])
    assert actions.context["page_obj"].paginator.count == dashboard.context["figures"].actions_overdue > 0
    # For one school of the service the list would count more, so there is no link.
    school = client.get(reverse("insights:dashboard"), {"scope": str(data.school_a.uuid)})
    assert school.context["actions_url"] is None


def test_each_organisation_count_links_to_a_log_that_counts_the_same(client, data: Cast) -> None:
    # The rows are drawn in Python (insights_tables): every cell's link is followed here.
    Organisation.objects.filter(pk=data.school_b.pk).update(name="School B <b>\"&'")
    client.force_login(data.carol)
    html = client.get(reverse("insights:dashboard")).content.decode()
    start = html.index('data-table="organisations"')
    table = html[start : html.index("</table>", start)]
    assert "School B &lt;b&gt;&quot;&amp;&#x27;" in table and "<b>" not in table
    link = r'<a class="govuk-link" href="([^"]+)">(\d+)<span class="govuk-visually-hidden"> ([^<]+)</span>'
    cells = re.findall(link, table)
    assert len(cells) == 10  # two schools, five counts each
    for href, number, words in cells:
        page = client.get(unescape(href))
        assert page.context["tally"].number == int(number), words
    assert sum(int(number) for _, number, _ in cells) > 0


def test_governance_viewer_sees_counts_without_links_or_log(client, data: Cast) -> None:
    viewer = UserFactory(full_name="Gina Governor")
    Membership.objects.create(user=viewer, organisation=data.school_a, role=Role.GOVERNANCE)
    client.force_login(viewer)
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("insights:log") not in html
    assert "GEN1-" not in html  # no incident references
    assert (
        response.context["figures"].open_total
        == Incident.objects.filter(organisation=data.school_a, status__in=Incident.OPEN_STATUSES).count()
    )
    assert client.get(reverse("insights:log")).status_code == 404
    assert client.get(reverse("insights:export_csv")).status_code == 404


def test_scope_outside_the_persons_organisations_is_a_404(client, data: Cast) -> None:
    client.force_login(data.alice)
    assert client.get(reverse("insights:dashboard"), {"scope": str(data.school_b.uuid)}).status_code == 404
    assert client.get(reverse("insights:log"), {"scope": str(data.county.uuid)}).status_code == 404
    response = client.get(reverse("insights:log"))
    assert {r["organisation"] for r in response.context["rows"]} == {"School A"}


def test_dpo_chooses_a_school_within_their_service(client, data: Cast) -> None:
    client.force_login(data.carol)
    response = client.get(reverse("insights:dashboard"), {"scope": str(data.school_b.uuid)})
    assert (
        response.context["figures"].open_total
        == Incident.objects.filter(organisation=data.school_b, status__in=Incident.OPEN_STATUSES).count()
    )


def test_log_rows_and_flags_match_the_rules(client, data: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    client.force_login(data.carol)
    response = client.get(reverse("insights:log"), {"page": 1})
    assert response.context["tally"].number == 240
    # Malware reported and triaged 30 hours ago: the insurer is told within 24 (no generated type has a deadline).
    malware, _ = IncidentType.objects.get_or_create(organisation=None, name="Malware")
    time_machine.move_to(NOW - timedelta(hours=30), tick=False)
    incident = reported_incident(data.school_a, data.bob)
    lifecycle.triage(incident, by=data.alice, **classification(incident_type=malware))
    time_machine.move_to(NOW, tick=False)
    incidents = {
        i.reference: i for i in Incident.objects.select_related("incident_type").prefetch_related("remedial_actions")
    }
    # And each flag's own filter (a separate condition, `flag_condition`): every flag is then seen raised.
    pages = [response] + [client.get(reverse("insights:log"), {"overdue": flag}) for flag in overdue.FLAGS]
    raised: set[str] = set()
    for row in (row for page in pages for row in page.context["rows"]):
        incident = incidents[row["reference"]]
        flags = python_flags(incident, NOW)
        assert {f: row[f"overdue_{f}"] for f in overdue.FLAGS} == {f: flags[f] for f in overdue.FLAGS}
        raised |= {f for f in overdue.FLAGS if row[f"overdue_{f}"]}
        end = incident.closed_on or NOW
        assert row["days_open"] == (end - incident.reported_on).days
    assert raised == set(overdue.FLAGS)  # every flag's column is checked raised, not only lowered


@pytest.mark.parametrize(
    "params",
    [
        {"status": "open", "severity": "major"},
        {"breach_status": "near_miss", "personal_data_breach": "yes"},
        {"overdue": "any"},
        {"status": "closed_any"},
        {"reported_from": "2025-12-01", "reported_to": "2026-01-31"},
    ],
)
def test_export_is_exactly_what_is_filtered(client, data: Cast, params: dict) -> None:
    client.force_login(data.carol)
    page = client.get(reverse("insights:log"), params)
    count = page.context["tally"].number
    assert count > 0
    response = client.get(reverse("insights:export_csv"), params)
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == export.header()
    assert len(rows) - 1 == count
    first_page_refs = [r["reference"] for r in page.context["rows"]]
    assert [r[0] for r in rows[1 : len(first_page_refs) + 1]] == first_page_refs
    xlsx = client.get(reverse("insights:export_xlsx"), params)
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).worksheets[0]
    xrows = list(sheet.iter_rows(values_only=True))
    assert len(xrows) - 1 == count
    assert [r[0] for r in xrows[1:]] == [r[0] for r in rows[1:]]
    events = list(Event.objects.filter(action="log.exported").order_by("id"))
    afters: list[Any] = [e.after for e in events]
    assert [a["format"] for a in afters] == ["csv", "xlsx"]
    assert afters[0]["rows"] == count and events[0].organisation_id == data.county.pk
    assert events[0].actor == data.carol


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_export_neutralises_formulas(client, cast: Cast, dangerous: str) -> None:
    Incident.objects.create(
        organisation=cast.school_a, description="x", reported_on=timezone.now(), reference="R1", ico_reference=dangerous
    )
    client.force_login(cast.alice)
    body = b"".join(client.get(reverse("insights:export_csv")).streaming_content).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(body)))[1]
    column = export.header().index("ICO reference")
    assert row[column] == "'" + dangerous
    xlsx = b"".join(client.get(reverse("insights:export_xlsx")).streaming_content)
    cell = list(load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows(values_only=True))[1][column]
    assert cell == "'" + dangerous
    assert export.neutralise("plain") == "plain" and export.neutralise(-5) == -5


def _make_world(n: int, now: datetime) -> tuple[Organisation, object]:
    county = OrganisationFactory(kind=Organisation.Kind.DPO_SERVICE)
    schools = [OrganisationFactory(parent=county) for _ in range(3)]
    dpo = UserFactory()
    Membership.objects.create(user=dpo, organisation=county, role=Role.DPO)
    generate(
        schools,
        [IncidentType.objects.get_or_create(organisation=None, name=f"T{n}-{i}")[0] for i in range(3)] + [None],
        n,
        now=now,
        seed=n,
    )
    generate_actions(schools, n // 4, now=now, seed=n)
    return county, dpo


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(context)


# The pinned counts: they must not change with the number of incidents (NetBox query_counts).
# (One each for the tags: the log's tag filter choices, the dashboard's counts by tag. The
# dashboard's figures added by policies and learning: incidents by policy point, the
# acknowledgement figure, training completion.)
PINNED = {"insights:dashboard": 20, "insights:log": 13, "insights:export_csv": 14, "insights:export_xlsx": 14}


def test_query_counts_do_not_grow_with_incidents(client, db) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    county, dpo = _make_world(12, now)
    client.force_login(dpo)
    for name in PINNED:  # warm: the session, the organisation's event chain
        _queries(client, reverse(name))
    small = {name: _queries(client, reverse(name)) for name in PINNED}
    generate(list(county.descendants(include_self=False)), [None], 600, now=now, seed=99)
    generate_actions(list(county.descendants(include_self=False)), 100, now=now, seed=99)
    large = {name: _queries(client, reverse(name)) for name in PINNED}
    assert small == large
    for name, pinned in PINNED.items():
        assert large[name] <= pinned, (name, large[name])


def test_log_row_columns_cover_the_issue() -> None:
    labels = [c.label for c in log.COLUMNS]
    for wanted in ["Reference", "Organisation", "Occurred", "Discovered", "Reported", "Aware", "Closed", "Type",
                   "Severity", "Nature", "Breach status", "Personal data breach", "People affected",
                   "Records affected", "ICO decision", "ICO reported", "ICO reference", "Individuals told",
                   "Status", "Days open", "Triage overdue", "Investigation overdue", "Action overdue",
                   "ICO clock overdue"]:  # fmt: skip
        assert wanted in labels
