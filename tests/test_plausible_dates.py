"""Dates people type are bounded to a plausible range: a clear form error, never a 500
(Hardening, finding 4). The rule is `core.dates`; these tests drive it through each page
where an implausible date once broke the service, and walk every form in the project to
prove none takes a date outside the rule.
"""

import importlib
import pkgutil
from datetime import date, datetime

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from actions.models import RemedialAction
from core import dates
from incidents.models import Incident
from insights import importer

from .conftest import Cast, People
from .factories import reported_incident
from .lifecycle_helpers import email_type

pytestmark = pytest.mark.asvs("V2.2.1")

MESSAGE_START = "Enter a date between 1 January 1990 and"


def test_the_range_runs_from_1990_to_ten_years_ahead() -> None:
    today = timezone.localdate()
    assert dates.is_plausible(date(1990, 1, 1)) and not dates.is_plausible(date(1989, 12, 31))
    assert dates.is_plausible(dates.latest()) and dates.latest() == today.replace(year=today.year + 10)
    assert not dates.is_plausible(date(today.year + 11, 1, 1))
    assert dates.latest(date(2028, 2, 29)) == date(2038, 2, 28)
    assert not dates.is_plausible(date(9999, 12, 31)) and not dates.is_plausible(date(1, 1, 1))


@pytest.mark.parametrize("text", ["0001-01-01T00:00", "9999-12-31T23:59", "1989-12-31T23:59"])
def test_an_implausible_moment_is_a_form_error(text: str) -> None:
    field = dates.DateTimeField()
    with pytest.raises(forms.ValidationError) as error:
        field.clean(text)
    assert error.value.messages[0].startswith(MESSAGE_START)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0000-01", "Enter a date between"),
        ("2026-13", "Enter a month"),
        ("2026-00", "Enter a month"),
        ("x", "Enter a month"),
    ],
)
def test_an_implausible_month_is_a_form_error(text: str, expected: str) -> None:
    with pytest.raises(forms.ValidationError) as error:
        dates.MonthField(required=False).clean(text)
    assert error.value.messages[0].startswith(expected)
    assert dates.MonthField(required=False).clean("2026-03") == date(2026, 3, 1)


def test_awareness_in_year_9999_is_refused_and_the_list_still_opens(client, people: People) -> None:
    cast = people.cast
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = client.post(
        reverse("incidents:triage", args=[incident.uuid]),
        {
            "nature": "incident",
            "breach_status": "confirmed",
            "personal_data_breach": "yes",
            "breach_types": ["confidentiality"],
            "incident_type": email_type().pk,
            "severity": "minor",
            "aware_on": "9999-12-31T09:00",
            "investigator": "",
        },
    )
    assert response.status_code == 200
    assert MESSAGE_START in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.REPORTED and incident.aware_on is None
    assert client.get(reverse("incidents:list")).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"month": "0000-01"},
        {"month": "9999-12"},
        {"reported_to": "9999-12-31"},
        {"reported_from": "0001-01-01"},
        {"reported_to": "31/12/9999"},
    ],
)
def test_the_monitoring_log_and_its_exports_answer_an_implausible_filter_with_an_error(
    client, cast: Cast, query: dict[str, str]
) -> None:
    reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.carol)
    page = client.get(reverse("insights:log"), query)
    assert page.status_code == 200
    assert "Enter a date between 1 January 1990" in page.content.decode()
    assert page.context["tally"].number == 0
    for name in ("insights:export_csv", "insights:export_xlsx"):
        assert client.get(reverse(name), query).status_code == 200


def test_a_month_filter_still_finds_that_months_reports(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.carol)
    month = timezone.localtime(incident.reported_on).strftime("%Y-%m")
    assert client.get(reverse("insights:log"), {"month": month}).context["tally"].number == 1


def test_a_governor_pack_for_year_0001_is_a_form_error(client, cast: Cast) -> None:
    client.force_login(cast.carol)
    response = client.get(reverse("insights:pack"), {"start": "0001-01-01", "end": "0001-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE_START in response.content.decode()


def test_an_action_due_in_year_9999_is_a_form_error(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    response = client.post(
        reverse("actions:add", args=[incident.uuid]),
        {"title": "Lock the filing cabinet", "owner": cast.bob.pk, "due_on": "9999-12-31", "source": "investigation"},
    )
    assert response.status_code == 200
    assert MESSAGE_START in response.content.decode()
    assert not RemedialAction.objects.exists()


def test_an_imported_log_row_dated_year_1_is_rejected_in_words() -> None:
    with pytest.raises(importer.Rejected, match="not a plausible date"):
        importer._date("01/01/0001")
    assert importer._date("31/03/2024") == timezone.make_aware(datetime(2024, 3, 31))


def _project_forms() -> list[type[forms.BaseForm]]:
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
            continue
        for module in pkgutil.walk_packages([config.path], f"{config.name}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)

    found: list[type[forms.BaseForm]] = []
    ours = {
        c.name for c in apps.get_app_configs() if c.path.startswith(str(settings.BASE_DIR)) and ".venv" not in c.path
    }

    def walk(cls: type) -> None:
        sub: type
        for sub in cls.__subclasses__():
            if sub.__module__.split(".")[0] in ours:
                found.append(sub)
            walk(sub)

    walk(forms.BaseForm)
    return found


def test_every_date_field_of_every_form_is_bounded() -> None:
    project_forms = _project_forms()
    date_fields = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in project_forms
        for name, field in form.base_fields.items()  # type: ignore[attr-defined]
        if isinstance(field, forms.DateField | forms.DateTimeField | dates.MonthField)
    }
    # The walk finds the forms that take dates (a walk that found none would prove nothing).
    assert "intake.forms.ReportForm.occurred_on" in date_fields
    assert "insights.log.LogFilterForm.month" in date_fields
    assert len(date_fields) >= 17
    unbounded = sorted(name for name, field in date_fields.items() if not dates.is_bounded(field))
    assert unbounded == []
