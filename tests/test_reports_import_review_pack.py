"""Importing old breach logs, the six-month type review and the governor pack."""

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from pypdf import PdfReader

from actions.models import RemedialAction
from audit.models import Event
from incidents.models import Incident, IncidentType, OutcomeReport
from insights import export, importer, review
from insights.models import ImportBatch, ImportMapping, TypeReview
from insights.sample import generate, generate_actions
from insights.tasks import schedule_type_reviews
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import OrganisationFactory, UserFactory, set_fields
from .test_reporting import run_worker

NOW = timezone.make_aware(datetime(2026, 3, 11, 10, 30))


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def upload(client, organisation, name: str, content: bytes):  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("insights:import") + f"?scope={organisation.uuid}",
        {"organisation": str(organisation.uuid), "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content
    return ImportBatch.objects.latest("id")


OLD_LOG = [
    ["Ref", "Date reported", "Category", "How bad", "Summary", "People"],
    ["OLD-1", "03/02/2024", "Phishing", "Minor", "Staff clicked a link", "3"],
    ["OLD-2", "2024-02-05", "phishing", "major", "=cmd|' /C calc'!A0", ""],
    ["OLD-3", "", "Phishing", "Minor", "No date", ""],
    ["OLD-4", "31/02/2024", "Phishing", "Minor", "Bad date", ""],
    ["OLD-5", "01/03/2024", "Unknown kind", "Huge", "Bad type and severity", "lots"],
    ["OLD-6", "04/03/2024", "", "Moderate", "No type is fine", "12"],
]
MAPPING = {
    "original_reference": "Ref",
    "reported_on": "Date reported",
    "type": "Category",
    "severity": "How bad",
    "description": "Summary",
    "people_affected": "People",
}


def test_import_dry_run_lists_every_rejected_row_and_why_then_imports_once(client, cast: Cast) -> None:
    IncidentType.objects.get_or_create(organisation=None, name="Phishing")
    client.force_login(cast.alice)
    batch = upload(client, cast.school_a, "old-log.csv", csv_bytes(OLD_LOG))
    page = client.post(reverse("insights:import_batch", args=[batch.uuid]), MAPPING | {"step": "dry_run"})
    outcome = page.context["outcome"]
    assert [number for number, _ in outcome.rejected] == [4, 5, 6]
    reasons = dict(outcome.rejected)
    assert reasons[4] == ["Reported: missing"]
    assert "is not a date" in reasons[5][0]
    assert any("Severity" in r for r in reasons[6]) and any("People affected" in r for r in reasons[6])
    assert any("Unknown kind" in r for r in reasons[6])
    assert len(outcome.good) == 3 and not Incident.objects.exists()
    assert ImportMapping.objects.get(organisation=cast.school_a).columns == MAPPING

    client.post(reverse("insights:import_batch", args=[batch.uuid]), MAPPING | {"step": "import"})
    imported = Incident.objects.filter(organisation=cast.school_a).order_by("reported_on")
    assert imported.count() == 3
    assert {i.imported_from for i in imported} == {"old-log.csv"}
    assert imported[0].incident_type.name == "Phishing" and imported[0].people_affected == 3
    assert imported[1].severity == "major"
    events = Event.objects.filter(action="incident.imported")
    afters: list[Any] = [e.after for e in events]
    assert len(afters) == 3 and all(a["file"] == "old-log.csv" for a in afters)
    batch.refresh_from_db()
    assert batch.status == "imported" and bytes(batch.content) == b"" and batch.imported_count == 3
    completed: Any = Event.objects.get(action="import.completed").after
    assert completed["imported"] == 3

    # The same file again (even renamed) creates nothing new; the saved mapping is offered.
    again = upload(client, cast.school_a, "old-log-copy.csv", csv_bytes(OLD_LOG))
    page = client.get(reverse("insights:import_batch", args=[again.uuid]))
    assert page.context["form"]["reported_on"].initial == "Date reported"
    page = client.post(reverse("insights:import_batch", args=[again.uuid]), MAPPING | {"step": "dry_run"})
    assert len(page.context["outcome"].already) == 3 and not page.context["outcome"].good
    client.post(reverse("insights:import_batch", args=[again.uuid]), MAPPING | {"step": "import"})
    assert Incident.objects.filter(organisation=cast.school_a).count() == 3


def test_import_reads_xlsx(client, cast: Cast) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Reported", "Severity", "Status"])
    sheet.append([datetime(2025, 1, 6, 9, 15), "Critical", "Closed"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(cast.alice)
    batch = upload(client, cast.school_a, "log.xlsx", buffer.getvalue())
    mapping = {"reported_on": "Reported", "severity": "Severity", "status": "Status"}
    client.post(reverse("insights:import_batch", args=[batch.uuid]), mapping | {"step": "import"})
    incident = Incident.objects.get()
    assert incident.severity == "critical" and incident.status == "closed"
    assert timezone.localtime(incident.reported_on).replace(tzinfo=None) == datetime(2025, 1, 6, 9, 15)


def test_import_refuses_files_that_are_not_spreadsheets(client, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.post(
        reverse("insights:import"),
        {"organisation": str(cast.school_a.uuid), "file": SimpleUploadedFile("log.csv", b"\x00\x01binary")},
    )
    assert response.status_code == 200 and not ImportBatch.objects.exists()


def test_round_trip_export_import_export_gives_the_same_rows(client, cast: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    types = [IncidentType.objects.get_or_create(organisation=None, name=n)[0] for n in ("Phishing", "Malware")] + [None]
    generate([cast.school_a], types, 90, now=NOW)
    Incident.objects.filter(pk=Incident.objects.first().pk).update(ico_reference="=1+2")  # type: ignore[union-attr]
    empty = OrganisationFactory(name="Empty School", parent=cast.county)
    client.force_login(cast.carol)

    def export_rows(org) -> list[list[str]]:  # type: ignore[no-untyped-def]
        body = client.get(reverse("insights:export_csv"), {"scope": str(org.uuid)}).streaming_content
        rows = list(csv.reader(io.StringIO(b"".join(body).decode("utf-8-sig"))))
        skip = {export.header().index("Reference"), export.header().index("Organisation")}
        return sorted([value for i, value in enumerate(row) if i not in skip] for row in rows[1:])

    first = export_rows(cast.school_a)
    content = b"".join(client.get(reverse("insights:export_csv"), {"scope": str(cast.school_a.uuid)}).streaming_content)
    batch = upload(client, empty, "export.csv", content)
    mapping_page = client.get(reverse("insights:import_batch", args=[batch.uuid]))
    mapping = {name: field.initial for name, field in mapping_page.context["form"].fields.items() if field.initial}
    assert set(mapping) >= {"reported_on", "type", "severity", "status", "ico_reference"}
    response = client.post(reverse("insights:import_batch", args=[batch.uuid]), mapping | {"step": "import"})
    assert response.status_code == 302
    assert Incident.objects.filter(organisation=empty).count() == 90
    assert export_rows(empty) == first


def test_review_counts_flags_records_and_alerts_the_board(
    cast: Cast, time_machine, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    phishing = IncidentType.objects.get_or_create(organisation=None, name="Phishing")[0]
    device = IncidentType.objects.get_or_create(organisation=None, name="Lost device")[0]
    governor = UserFactory(full_name="Gina Governor")
    Membership.objects.create(user=governor, organisation=cast.school_a, role=Role.GOVERNANCE)
    admin = UserFactory()
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)

    def at(days_ago: int, kind: IncidentType) -> None:
        Incident.objects.create(
            organisation=cast.school_a, description="x", reported_on=NOW - timedelta(days=days_ago), incident_type=kind
        )

    for days in (10, 40, 70):  # three in the last six months
        at(days, phishing)
    for days in (200, 250):  # two in the six before: rising, so flagged
        at(days, phishing)
    at(20, device)
    for days in (200, 220, 300):  # falling
        at(days, device)
    at(400, device)  # older than a year: not counted
    made, _ = review.run_review(cast.school_a, requested_by=cast.alice)
    lines = {line.type_name: line for line in made.lines.all()}
    assert (lines["Phishing"].recent_count, lines["Phishing"].previous_count, lines["Phishing"].flagged) == (3, 2, True)
    assert (lines["Lost device"].recent_count, lines["Lost device"].previous_count) == (1, 3)
    assert not lines["Lost device"].flagged and lines["Lost device"].change == -2
    assert made.period_start == date(2025, 9, 12) and made.previous_start == date(2025, 3, 12)
    drafted: Any = Event.objects.get(action="type_review.drafted").after
    assert drafted["flagged_types"] == ["Phishing"]

    with transaction.atomic():
        action = review.add_action(
            made,
            line=lines["Phishing"],
            title="Phishing training",
            owner=cast.alice,
            due_on=date(2026, 4, 30),
            by=cast.carol,
        )
    assert action.source == RemedialAction.Source.TYPE_REVIEW and action.incident is None
    review.complete(made, by=cast.carol, notes="Phishing still rising: training booked.")
    made.refresh_from_db()
    assert made.status == "completed" and made.reviewed_by == cast.carol and list(made.actions.all()) == [action]


@pytest.mark.django_db(transaction=True)
def test_flagged_review_emails_governance_viewers_and_admins_without_details(cast: Cast) -> None:
    phishing = IncidentType.objects.get_or_create(organisation=None, name="Phishing")[0]
    governor = UserFactory(email="governor@example.org")
    Membership.objects.create(user=governor, organisation=cast.school_a, role=Role.GOVERNANCE)
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    Incident.objects.create(
        organisation=cast.school_a, description="secret words", reported_on=timezone.now(), incident_type=phishing
    )
    review.run_review(cast.school_a)
    mail.outbox.clear()
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.org", "governor@example.org"]
    assert all("secret words" not in m.body and "/reports/reviews/" in m.body for m in mail.outbox)


def test_scheduled_reviews_run_once_per_organisation_every_six_months(cast: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    assert schedule_type_reviews.call() == 3  # county and both schools
    assert schedule_type_reviews.call() == 0  # a second run the same day does nothing
    time_machine.move_to(NOW + timedelta(days=100), tick=False)
    assert schedule_type_reviews.call() == 0
    time_machine.move_to(NOW + timedelta(days=185), tick=False)
    assert schedule_type_reviews.call() == 3
    assert TypeReview.objects.filter(trigger="scheduled").count() == 6


def test_review_pages_hide_owner_names_from_governance_viewers(client, cast: Cast) -> None:
    governor = UserFactory()
    Membership.objects.create(user=governor, organisation=cast.school_a, role=Role.GOVERNANCE)
    made, _ = review.run_review(cast.school_a)
    with transaction.atomic():
        review.add_action(
            made, line=None, title="Check the shredder", owner=cast.alice, due_on=date(2030, 1, 1), by=cast.alice
        )
    client.force_login(governor)
    page = client.get(reverse("insights:review", args=[made.uuid])).content.decode()
    assert "Check the shredder" in page and "Alice Handler" not in page
    assert (
        client.post(reverse("insights:review", args=[made.uuid]), {"step": "complete", "notes": "x"}).status_code == 404
    )
    client.force_login(cast.alice)
    page = client.get(reverse("insights:review", args=[made.uuid])).content.decode()
    assert "Alice Handler" in page
    response = client.post(reverse("insights:review", args=[made.uuid]), {"step": "complete", "notes": "Done."})
    assert response.status_code == 302
    client.force_login(cast.dave)
    assert client.get(reverse("insights:review", args=[made.uuid])).status_code == 404


def test_governor_pack_pdf_has_the_figures_and_no_names(client, cast: Cast, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    types = [
        IncidentType.objects.get_or_create(organisation=None, name=n)[0] for n in ("Phishing", "Lost or stolen device")
    ] + [None]
    generate([cast.school_a, cast.school_b], types, 120, now=NOW)
    generate_actions([cast.school_a, cast.school_b], 30, now=NOW)
    set_fields(
        Incident.objects.first(),
        reported_by=cast.bob,
        description="Bob Reporter emailed the list",
        reported_on=NOW - timedelta(days=3),
    )
    governor = UserFactory(full_name="Gina Governor")
    Membership.objects.create(user=governor, organisation=cast.county, role=Role.GOVERNANCE)
    client.force_login(governor)
    response = client.get(reverse("insights:pack"), {"start": "2025-09-01", "end": "2026-02-28"})
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    start = timezone.make_aware(datetime(2025, 9, 1))
    end = timezone.make_aware(datetime(2026, 3, 1))
    previous_start = timezone.make_aware(datetime(2025, 3, 4))  # the 181 days before
    reported = Incident.objects.filter(reported_on__gte=start, reported_on__lt=end)
    before = Incident.objects.filter(reported_on__gte=previous_start, reported_on__lt=start)
    assert f"Incidents reported {reported.count()} {before.count()}" in text
    near = reported.filter(breach_status="near_miss").count()
    assert f"Near misses {near} {before.filter(breach_status='near_miss').count()}" in text
    pdb = reported.filter(personal_data_breach="yes").count()
    assert f"Personal data breaches {pdb} " in text
    ico = Incident.objects.filter(ico_reported_on__gte=start, ico_reported_on__lt=end).count()
    assert f"Reports to the ICO {ico} " in text
    done = RemedialAction.objects.filter(status="done", completed_on__gte=start, completed_on__lt=end).count()
    assert f"Remedial actions completed {done} " in text
    phishing = reported.filter(incident_type__name="Phishing").count()
    assert f"Phishing {phishing} " in text
    for person in ("Bob", "Alice", "Carol", "Dave", "Gina", "@example.org", "emailed the list", "GEN1-"):
        assert person not in text
    assert Event.objects.filter(action="pack.produced", organisation_id=cast.county.pk).count() == 1
    # The pack is tagged (PDF/UA) so screen readers can read its tables.
    assert b"/StructTreeRoot" in response.content


def test_pack_period_must_make_sense(client, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.get(reverse("insights:pack"), {"start": "2026-02-01", "end": "2026-01-01"})
    assert response.status_code == 200 and response.context["form"].errors


def test_pack_data_is_passed_as_inputs_not_markup(cast: Cast) -> None:
    from insights import pack
    from insights.scope import Scope

    cast.school_a.name = '#panic("x") ] [ $ * _'
    cast.school_a.save()
    scope = Scope(cast.school_a, [cast.school_a], True)
    pdf = pack.render_pdf(pack.build(scope, pack.Period(date(2026, 1, 1), date(2026, 1, 31))))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert '#panic("x")' in text


def test_import_fields_match_export_headings() -> None:
    headings = set(export.header())
    assert all(f.label in headings for f in importer.FIELDS if f.key != "description")


def test_lessons_are_stripped_of_names_emails_and_phone_numbers(cast: Cast) -> None:
    from insights.lessons import lessons_learned, people_names, redact

    names = people_names(cast.school_a)
    assert {"Alice Handler", "Bob Reporter", "Carol DPO"} <= names and "Dave Elsewhere" not in names
    text = redact("alice handler sent it to bob@example.org; call 01632 960001. Check recipients.", names)
    assert text == "[name removed] sent it to [email removed]; call [phone number removed]. Check recipients."
    assert lessons_learned(Incident.objects.none(), cast.school_a) == []


def test_the_pack_carries_the_lessons_of_submitted_outcome_reports_without_names(db: None) -> None:
    from insights.lessons import lessons_learned
    from tests.lifecycle_helpers import make_team, to_outcome_submitted

    team = make_team()
    incident = to_outcome_submitted(team)
    set_fields(
        OutcomeReport.objects.filter(incident=incident),
        lessons_learned=f"{team.manager.full_name} now checks the recipient before sending lists.",
    )
    lessons = lessons_learned(Incident.objects.filter(pk=incident.pk), team.school)
    assert lessons == [
        {"type": incident.incident_type.name, "lesson": "[name removed] now checks the recipient before sending lists."}
    ]
