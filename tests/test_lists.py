"""Lists that tell (issue 13): what happened on one line on every incident list, overdue and
due soon marked with a tag whose words say it, deadlines on "Major and critical", and the
monitoring log's chosen columns; none of it costs a query per row."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from deadlines.models import DUE_SOON_HOURS, Deadline
from incidents import lifecycle
from incidents.models import Incident
from incidents.templatetags.incident_lists import summary_for
from insights import log
from lib.text import one_line

from .factories import reported_incident
from .lifecycle_helpers import Team, classification, make_team

# A Tuesday morning in term: no weekend or bank holiday within a working day either side.
TUESDAY = datetime(2026, 11, 3, 10, tzinfo=UTC)
LONG = (
    "A year 6 class list with dates of birth and medical notes was emailed to the wrong parent\n\n"
    "by the office this morning; the parent has been asked to delete it and confirm in writing."
)
SUMMARY = one_line(LONG)
TAIL = "confirm in writing"


@pytest.fixture
def team(db: None) -> Team:
    return make_team()


def page_of(client: Client, user: Any, name: str, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse(name) + query)
    assert response.status_code == 200, name
    return response.content.decode()


def major(team: Team, description: str = LONG, breach: bool = False) -> Incident:
    incident = reported_incident(team.school, team.reporter, description=description, personal_data="yes")
    extra: dict[str, Any] = {"personal_data_breach": "yes", "aware_on": TUESDAY} if breach else {}
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("major", **extra))
    return incident


# ── One line of what happened ─────────────────────────────────────────────────────────────


def test_one_line_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    assert SUMMARY.endswith("…") and len(SUMMARY) <= 100
    assert "\n" not in SUMMARY and "  " not in SUMMARY
    assert LONG.replace("\n\n", " ").startswith(SUMMARY[:-1])
    assert LONG.replace("\n\n", " ")[len(SUMMARY) - 1] == " "  # cut where a word ends
    assert one_line("Laptop left on a train.") == "Laptop left on a train."
    assert one_line("  two\nlines  ") == "two lines"
    assert one_line(None) == ""
    assert len(one_line("x" * 300)) == 100  # one long word: cut inside it


def test_every_incident_list_shows_what_happened_on_one_line(client, team: Team) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        waiting = reported_incident(team.school, team.reporter, description=LONG + " (waiting)")
        serious = major(team, LONG + " (serious)", breach=True)
        pages = {
            "incidents:queue": page_of(client, team.manager, "incidents:queue"),
            "incidents:list": page_of(client, team.manager, "incidents:list"),
            "incidents:mine": page_of(client, team.investigator, "incidents:mine"),
            "incidents:serious": page_of(client, team.siro, "incidents:serious"),
            "deadlines:ico_clocks": page_of(client, team.dpo, "deadlines:ico_clocks"),
            "intake:my_reports": page_of(client, team.reporter, "intake:my_reports"),
            "insights:log": page_of(client, team.dpo, "insights:log"),
            "home": page_of(client, team.manager, "home"),
        }
    for name, page in pages.items():
        assert SUMMARY in page, name
        assert TAIL not in page, name  # never the whole description in a list
    assert waiting.reference in pages["incidents:queue"] and serious.reference in pages["incidents:serious"]


def test_the_summary_is_only_for_those_who_may_read_the_report(team: Team) -> None:
    incident = reported_incident(team.school, team.reporter, description=LONG)
    assert summary_for(incident, team.manager) == SUMMARY
    assert summary_for(incident, team.reporter) == SUMMARY  # their own words
    for outsider in (team.elsewhere, team.governor, team.admin, team.investigator):
        assert summary_for(incident, outsider) == "", outsider
    lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
    assert summary_for(Incident.objects.get(pk=incident.pk), team.investigator) == SUMMARY  # now assigned


def test_an_anonymous_or_confidential_report_s_summary_names_no_reporter(client, team: Team) -> None:
    anonymous = reported_incident(team.school, None, description="Printout left at the photocopier.")
    anonymous.reporter_anonymous = True
    anonymous.save(update_fields=["reporter_anonymous"])
    confidential = reported_incident(team.school, team.reporter, description="Password on a sticky note.")
    confidential.reporter_confidential = True
    confidential.save(update_fields=["reporter_confidential"])
    page = page_of(client, team.manager, "incidents:list")
    assert "Printout left at the photocopier." in page and "Password on a sticky note." in page
    assert team.reporter.full_name not in page


# ── Overdue and due soon: a tag and words ─────────────────────────────────────────────────


def test_due_soon_is_defined_once_on_the_deadline() -> None:
    now = TUESDAY
    clock = Deadline(due_at=now + timedelta(hours=5), due_date=None, nation="england", met_at=None, stopped="")
    assert clock.is_due_soon(now) and clock.urgency(now) == "soon"
    clock.due_at = now + timedelta(hours=DUE_SOON_HOURS + 1)
    assert not clock.is_due_soon(now) and clock.urgency(now) == ""
    clock.due_at = now - timedelta(minutes=1)
    assert not clock.is_due_soon(now) and clock.urgency(now) == "overdue"
    clock.met_at = now
    assert clock.urgency(now) == ""
    day = Deadline(due_at=now, due_date=datetime(2026, 11, 4).date(), nation="england", met_at=None, stopped="")
    day.due_at = datetime(2026, 11, 4, 23, 59, tzinfo=UTC)
    assert day.is_due_soon(now)  # tomorrow, a working day
    day.due_date, day.due_at = datetime(2026, 11, 10).date(), datetime(2026, 11, 10, 23, 59, tzinfo=UTC)
    assert not day.is_due_soon(now)


def test_the_triage_queue_marks_overdue_and_due_soon_with_a_tag_and_words(client, team: Team) -> None:
    with time_machine.travel(TUESDAY - timedelta(days=7), tick=False):
        late = reported_incident(team.school, team.reporter, description="Late one.")
    with time_machine.travel(TUESDAY, tick=False):
        fresh = reported_incident(team.school, team.reporter, description="Fresh one.")
        page = page_of(client, team.manager, "incidents:queue")
    assert '<strong class="govuk-tag govuk-tag--red">Overdue by 4 working days</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--yellow">Due in 1 working day</strong>' in page
    assert page.index(str(late.reference)) < page.index(str(fresh.reference))


def test_a_deadline_neither_late_nor_soon_is_words_without_a_tag(client, team: Team) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        incident = reported_incident(team.school, team.reporter, description="Minor one.")
        lifecycle.triage(incident, by=team.manager, investigator=team.investigator, **classification("minor"))
        page = page_of(client, team.manager, "incidents:list")
    assert "Update the reporter:</span> due in 10 working days" in page  # the outcome report's 20 come later
    assert "govuk-tag--yellow" not in page and "govuk-tag--red" not in page


def test_the_ico_clocks_page_marks_a_clock_due_soon_and_one_overdue(client, team: Team) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        soon = major(team, "Soon.", breach=True)
    with time_machine.travel(TUESDAY + timedelta(hours=60), tick=False):
        page = page_of(client, team.dpo, "deadlines:ico_clocks")
        assert '<strong class="govuk-tag govuk-tag--yellow">Due in 12 hours</strong>' in page
    with time_machine.travel(TUESDAY + timedelta(hours=75), tick=False):
        page = page_of(client, team.dpo, "deadlines:ico_clocks")
        assert '<strong class="govuk-tag govuk-tag--red">Overdue by 3 hours</strong>' in page
    assert soon.reference in page


def test_the_ico_clocks_page_reads_a_page_at_a_time_most_urgent_first(
    client, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deadlines import views

    monkeypatch.setattr(views, "ICO_PAGE_SIZE", 2)
    made = []
    for hours in (0, 1, 2):  # aware one after another: the first made is the most urgent
        with time_machine.travel(TUESDAY + timedelta(hours=hours), tick=False):
            made.append(major(team, f"Breach {hours}.", breach=True))
            Deadline.objects.filter(incident=made[-1], kind=Deadline.Kind.ICO).update(
                due_at=TUESDAY + timedelta(hours=72 + hours)
            )
    with time_machine.travel(TUESDAY + timedelta(hours=3), tick=False):
        first = page_of(client, team.dpo, "deadlines:ico_clocks")
        second = page_of(client, team.dpo, "deadlines:ico_clocks", "?page=2")
        beyond = page_of(client, team.dpo, "deadlines:ico_clocks", "?page=3")
    assert made[0].reference in first and made[1].reference in first and made[2].reference not in first
    assert "Showing clocks 1 to 2, 2 a page." in first
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert made[2].reference in second and made[0].reference not in second
    assert 'href="?page=1" rel="prev"' in second and 'rel="next"' not in second
    assert "No more ICO clocks are running." in beyond


def test_the_actions_lists_mark_an_overdue_action_from_its_stored_deadline(client, team: Team) -> None:
    from actions.services import create_action

    with time_machine.travel(TUESDAY - timedelta(days=60), tick=False):
        incident = major(team, "Old one.")
        create_action(
            by=team.manager, incident=incident, title="Lock the cabinet", owner=team.investigator, due_on=None
        )
    with time_machine.travel(TUESDAY, tick=False):
        for user, name in ((team.investigator, "actions:mine"), (team.manager, "actions:list")):
            page = page_of(client, user, name)
            assert "Lock the cabinet" in page
            assert 'govuk-tag--red">Overdue by' in page, name
            assert 'govuk-tag--red">Overdue</strong>' in page, name


# ── Major and critical: each incident's next deadline ────────────────────────────────────


def test_major_and_critical_shows_each_incident_s_next_deadline(client, team: Team) -> None:
    with time_machine.travel(TUESDAY, tick=False):
        incident = major(team, "Major one.")
        client.force_login(team.siro)
        page = client.get(reverse("incidents:serious")).content.decode()
    first = Deadline.objects.open().filter(incident=incident).order_by("due_at", "id").first()
    assert first is not None and first.kind in (Deadline.Kind.OUTCOME, Deadline.Kind.REPORTER_UPDATE)
    assert "Next deadline" in page
    cell = f'data-label="Next deadline"><span class="app-due__label">{first.label}:</span> due in 10 working days'
    assert cell in page
    with time_machine.travel(TUESDAY + timedelta(days=30), tick=False):
        page = page_of(client, team.siro, "incidents:serious")
    assert 'govuk-tag--red">Overdue by' in page


# ── The monitoring log's columns ──────────────────────────────────────────────────────────


def headers(page: str) -> list[str]:
    head = page.split("<thead", 1)[1].split("</thead>", 1)[0]
    return [cell.split(">", 1)[1].split("<", 1)[0] for cell in head.split('<th scope="col"')[1:]]


def test_the_log_shows_a_readable_default_set_of_columns_with_what_happened(client, team: Team) -> None:
    reported_incident(team.school, team.reporter, description=LONG)
    page = page_of(client, team.dpo, "insights:log")
    labels = {c.key: c.label for c in log.SCREEN_COLUMNS}
    assert headers(page) == ["Reference", *(labels[k] for k in log.DEFAULT_SCREEN_COLUMNS)]
    assert "What happened" in headers(page) and SUMMARY in page
    assert "app-table-scroll" not in page  # no narrow scroll box
    assert "app-table--sticky" in page
    assert 'name="columns" value="summary"' in page and "checked" in page  # the chooser shows the choice


def test_the_log_shows_the_columns_chosen_by_a_plain_get(client, team: Team) -> None:
    reported_incident(team.school, team.reporter, description=LONG)
    page = page_of(client, team.dpo, "insights:log", "?columns=nature&columns=summary&columns=aware_on")
    assert headers(page) == ["Reference", "What happened", "Aware", "Nature"]
    assert "Reported in month" in page  # the filters are still offered
    # The chosen columns travel with the page's links, and nothing of them reaches the download.
    assert "columns=nature" in page
    response = client.get(reverse("insights:export_csv") + "?columns=nature")
    first_line = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",")[:3] == ["Reference", "Organisation", "Occurred"]


def test_an_unknown_column_falls_back_to_the_usual_set(client, team: Team) -> None:
    reported_incident(team.school, team.reporter)
    page = page_of(client, team.dpo, "insights:log", "?columns=password")
    assert headers(page)[1] == "What happened" and len(headers(page)) == 1 + len(log.DEFAULT_SCREEN_COLUMNS)


def test_the_log_marks_overdue_rows_with_tags_that_say_which(client, team: Team) -> None:
    with time_machine.travel(TUESDAY - timedelta(days=7), tick=False):
        reported_incident(team.school, team.reporter)
    with time_machine.travel(TUESDAY, tick=False):
        page = page_of(client, team.dpo, "insights:log")
    assert '<strong class="govuk-tag govuk-tag--red">Triage overdue</strong>' in page


# ── Query counts do not grow with rows ────────────────────────────────────────────────────

PAGES = [
    ("manager", "incidents:queue", ""),
    ("manager", "incidents:list", ""),
    ("investigator", "incidents:mine", ""),
    ("siro", "incidents:serious", ""),
    ("dpo", "deadlines:ico_clocks", ""),
    ("reporter", "intake:my_reports", ""),
    ("dpo", "insights:log", "?columns=" + "&columns=".join(c.key for c in log.SCREEN_COLUMNS)),
    ("manager", "home", ""),
    ("siro", "home", ""),
]


def counts(client: Client, team: Team, django_assert_max_num_queries: Any) -> dict[str, int]:
    found = {}
    for who, name, query in PAGES:
        client.force_login(getattr(team, who))
        with django_assert_max_num_queries(40) as captured:
            assert client.get(reverse(name) + query).status_code == 200
        found[f"{who} {name}"] = len(captured)
    return found


def test_no_list_costs_a_query_per_row(client, team: Team, django_assert_max_num_queries) -> None:
    def add(n: int) -> None:
        for i in range(n):
            reported_incident(team.school, team.reporter, description=f"Waiting {i}. {LONG}")
            major(team, f"Major {i}. {LONG}", breach=True)

    with time_machine.travel(TUESDAY, tick=False):
        add(2)
        few = counts(client, team, django_assert_max_num_queries)
        add(8)
        many = counts(client, team, django_assert_max_num_queries)
    assert few == many
