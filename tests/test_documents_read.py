"""Documents a person can read ("Daily work"): human labels in the case file, and timelines with
runs of the same event folded into one line."""

import io
import itertools
from datetime import datetime

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from audit.log import record
from casefile.render import case_file_data
from incidents.models import Incident, OutcomeReport
from incidents.pdf import outcome_report_data
from insights import export
from lib.timeline import fold

from .conftest import Cast
from .factories import reported_incident


def test_a_run_of_the_same_event_is_one_line_with_its_count_and_span() -> None:
    entries = [{"when": f"1 May, 10:0{n}", "what": "Checklist item updated", "who": "Alice"} for n in range(5)]
    entries.insert(0, {"when": "1 May, 09:00", "what": "Reported", "who": "Bob"})
    entries.append({"when": "1 May, 11:00", "what": "Checklist item updated", "who": "Carol"})
    assert fold(entries) == [
        {"when": "1 May, 09:00", "what": "Reported", "who": "Bob"},
        {"when": "1 May, 10:00 to 1 May, 10:04", "what": "Checklist item updated (5 times)", "who": "Alice"},
        {"when": "1 May, 11:00", "what": "Checklist item updated", "who": "Carol"},
    ]


def test_an_event_with_its_own_reason_is_never_folded() -> None:
    entries = [
        {"when": "a", "what": "Reclassified", "who": "Alice", "reason": "New facts"},
        {"when": "b", "what": "Reclassified", "who": "Alice", "reason": "More new facts"},
    ]
    assert fold(entries) == entries


@given(st.lists(st.sampled_from(["x", "y"]), max_size=30))
def test_folding_keeps_every_event_counted_and_in_order(whats: list[str]) -> None:
    folded = fold({"when": str(n), "what": what} for n, what in enumerate(whats))
    counted = []
    for entry in folded:
        what, _, times = entry["what"].partition(" (")
        counted += [what] * (int(times.split(" ")[0]) if times else 1)
    assert counted == whats
    assert all(a["what"].split(" (")[0] != b["what"].split(" (")[0] for a, b in itertools.pairwise(folded))


def test_case_file_labels_are_words_a_reader_knows(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="A laptop was left on a train.")
    data = case_file_data(incident, cast.alice)
    labels = [row["label"] for section in data["sections"] for row in section["rows"]]
    assert "Uuid" not in labels and "Ico decision on" not in labels and "Ico decided by" not in labels
    assert {"When the ICO decision was made", "ICO decision made by", "Investigating officer"} <= set(labels)
    # Every time and person of the record says what it is ("When it was closed"), never the
    # field's code name with its first letter raised ("Closed on").
    for field in Incident._meta.concrete_fields:
        if field.name.endswith(("_on", "_by")) and field.name != "reported_by":
            assert str(field.verbose_name) != field.name.replace("_", " "), field.name


def test_the_outcome_report_folds_thirteen_checklist_updates_into_one_line(cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob, description="A laptop was left on a train.")
    for _ in range(13):
        record(
            organisation_id=incident.organisation_id,
            action="checklist.item_updated",
            actor=cast.alice,
            record=incident,
            after={"done": True},
        )
    report = OutcomeReport.objects.create(incident=incident, summary="Done.", round=1, status="submitted")
    timeline = outcome_report_data(report, viewer=cast.alice, restricted=True)["timeline"]
    updates = [entry for entry in timeline if "(13 times)" in entry["what"]]
    assert len(updates) == 1
    assert len(timeline) < 13


def test_the_xlsx_log_has_a_bold_frozen_header_widths_a_filter_and_real_dates(client, cast: Cast) -> None:
    for n in range(3):
        reported_incident(cast.school_a, cast.bob, description=f"Report {n}")
    client.force_login(cast.alice)
    body = b"".join(client.get(reverse("insights:export_xlsx")).streaming_content)
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert [cell.value for cell in sheet[1]] == export.header()
    last = sheet.cell(row=1, column=len(export.header())).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}4"
    assert sheet.column_dimensions["B"].width == 32 and all(
        (sheet.column_dimensions[cell.column_letter].width or 0) >= 12 for cell in sheet[1]
    )
    reported = sheet.cell(row=2, column=export.header().index("Reported") + 1)
    assert isinstance(reported.value, datetime) and reported.is_date
    assert reported.number_format == "d mmm yyyy hh:mm"
