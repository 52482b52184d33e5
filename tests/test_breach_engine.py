"""The breach assessment engine: school scenarios, each documented, and its properties.

The scenarios are written here, not taken from the engine: each says what a DPO would
expect and why, and the engine must agree. The properties hold the engine to the
direction of every fact: what makes a breach worse never lowers the outcome, what makes
it better never raises it.
"""

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from breaches.engine import (
    BREACH_TYPES,
    CONSEQUENCES,
    DATA_CATEGORIES,
    DATA_EXTENTS,
    DATA_SUBJECTS,
    DOCUMENT_KINDS,
    ENISA_BANDS,
    HARMS,
    OUTCOME_RANK,
    OUTCOME_RECORD,
    OUTCOME_REPORT,
    OUTCOME_REPORT_AND_PUBLIC_NOTICE,
    OUTCOME_REPORT_AND_TELL,
    RECIPIENTS,
    RELIABILITY_ORDER,
    SERVICE_EFFECT_ORDER,
    SEVERITIES,
    SPECIAL,
    VOLUMES,
    Facts,
    FactsError,
    Result,
    assess,
    assess_dict,
    enisa_band,
    risk_level,
)

ROOT = Path(__file__).resolve().parents[1]


def facts(**changes) -> Facts:
    return Facts.from_dict(changes)


# --- School scenarios ------------------------------------------------------------------


def test_class_list_emailed_to_the_wrong_parent_who_deleted_it_is_recorded_only() -> None:
    """Names and contact details of 28 pupils' families reach one parent, who confirms deletion.

    A known recipient who has deleted the data makes harm remote: record it, do not report.
    ENISA puts it in the medium band (children's data, identifiable), so the incident is moderate.
    """
    result = assess(
        facts(
            data_categories=["basic_identifiers", "contact_details"],
            data_subjects=["pupils", "parents_carers"],
            children_involved=True,
            people_count=28,
            recipient="known_individual",
            recovered_or_deleted=True,
            contained=True,
        )
    )
    assert result.outcome == OUTCOME_RECORD
    assert result.likelihood_words == "remote"
    assert not result.report_to_ico and not result.tell_individuals
    assert result.suggested_severity == "moderate"
    assert result.enisa.band == "medium"


def test_class_list_with_sen_notes_to_a_parent_who_has_not_deleted_it_is_reported() -> None:
    """The example file: special educational needs data of children, at a known parent, not yet deleted.

    Harm is possible (one known recipient) and would be severe (SEN): a risk, so report to
    the ICO; not high, so telling the families is a choice, not a duty.
    """
    data = json.loads((ROOT / "docs" / "assessment-example.json").read_text())
    result = assess(Facts.from_dict(data))
    assert result.outcome == OUTCOME_REPORT
    assert result.report_to_ico and not result.tell_individuals
    assert result.suggested_severity == "major"


def test_safeguarding_file_left_on_a_bus_is_high_risk() -> None:
    """A child protection file, found by no one knows whom: likely harm, severe: tell the families."""
    result = assess(
        facts(
            data_categories=["basic_identifiers", "safeguarding"],
            data_subjects=["pupils"],
            children_involved=True,
            people_count=3,
            recipient="unknown_or_public",
            contained=False,
            consequences=["physical_harm", "distress"],
        )
    )
    assert result.risk_level == "high"
    assert result.outcome == OUTCOME_REPORT_AND_TELL
    assert result.suggested_severity == "critical"
    assert result.enisa.band == "very high"


def test_encrypted_laptop_stolen_with_key_safe_is_recorded_only() -> None:
    """Health and SEN data on a stolen laptop, but encrypted with the key safe and backed up.

    The data is unintelligible to the thief (Art. 34(3)(a)); a quick restore means nothing is lost.
    """
    result = assess(
        facts(
            data_categories=["basic_identifiers", "sen", "health"],
            data_subjects=["pupils"],
            children_involved=True,
            people_count=200,
            breach_types=["confidentiality", "availability"],
            recipient="malicious_actor",
            encrypted_key_safe=True,
            malicious=True,
            contained=True,
            backup_available=True,
            restoration_hours=4,
        )
    )
    assert result.outcome == OUTCOME_RECORD
    assert "unintelligible" in result.exemptions
    assert result.enisa.ei.score == 0.25
    assert any("unintelligible" in reason for reason in result.reasons)


def test_ransomware_with_tested_backups_and_no_exfiltration_is_recorded_only() -> None:
    """Files encrypted by ransomware, restored from a tested backup in ten hours, no sign of copying.

    An availability breach that was put right within a day does not risk harm to people.
    """
    result = assess(
        facts(
            data_categories=["basic_identifiers", "education_records", "contact_details"],
            data_subjects=["pupils", "staff"],
            children_involved=True,
            people_count=600,
            breach_types=["availability"],
            backup_available=True,
            restoration_hours=10,
            malicious=True,
            contained=True,
        )
    )
    assert result.outcome == OUTCOME_RECORD
    assert result.enisa.cb.score == 0.5  # malicious intent only: a quick restore adds nothing


def test_ransomware_without_a_backup_is_reported() -> None:
    """The same attack with no working backup: pupils' records may be lost for good."""
    result = assess(
        facts(
            data_categories=["basic_identifiers", "education_records", "contact_details"],
            data_subjects=["pupils", "staff"],
            children_involved=True,
            people_count=600,
            breach_types=["availability"],
            backup_available=False,
            malicious=True,
            contained=True,
        )
    )
    assert result.report_to_ico


def test_phishing_compromise_of_a_staff_mailbox_with_suspected_exfiltration_is_high_risk() -> None:
    """An attacker read a teacher's mailbox (pupils' SEN, parents' contacts) and may have copied it."""
    result = assess(
        facts(
            data_categories=["basic_identifiers", "contact_details", "education_records", "sen"],
            data_subjects=["pupils", "parents_carers", "staff"],
            children_involved=True,
            people_count=150,
            recipient="malicious_actor",
            malicious=True,
            exfiltration="suspected",
            contained=True,
        )
    )
    assert result.outcome == OUTCOME_REPORT_AND_TELL
    assert result.enisa.cb.score == 1.0  # unknown recipients 0.5 + malice 0.5


def test_staff_contact_list_shown_to_an_authorised_colleague_is_minor() -> None:
    """A staff phone list sent to a colleague who may see it anyway: no breach of confidentiality to speak of."""
    result = assess(
        facts(
            data_categories=["basic_identifiers", "contact_details"],
            data_subjects=["staff"],
            people_count=40,
            recipient="authorised_colleague",
            contained=True,
        )
    )
    assert result.outcome == OUTCOME_RECORD
    assert result.suggested_severity == "minor"
    assert result.enisa.band == "low"


def test_high_risk_whose_later_measures_remove_it_is_reported_without_telling() -> None:
    """Art. 34(3)(b): a mailbox compromise where the stolen password was reset before any use."""
    base = dict(
        data_categories=["basic_identifiers", "health"],
        data_subjects=["staff"],
        recipient="malicious_actor",
        malicious=True,
        contained=True,
    )
    assert assess(facts(**base)).outcome == OUTCOME_REPORT_AND_TELL
    result = assess(facts(**base, later_measures_remove_high_risk=True, later_measures_notes="Password reset."))
    assert result.outcome == OUTCOME_REPORT
    assert result.exemptions == ["later_measures"]
    assert result.report_to_ico and not result.tell_individuals


def test_high_risk_where_contacting_everyone_is_disproportionate_needs_a_public_notice() -> None:
    """Art. 34(3)(c): old contact details of thousands of former pupils' families, published by mistake."""
    result = assess(
        facts(
            data_categories=["basic_identifiers", "contact_details", "education_records"],
            data_subjects=["pupils", "parents_carers"],
            children_involved=True,
            people_count=5000,
            recipient="unknown_or_public",
            contact_disproportionate=True,
        )
    )
    assert result.outcome == OUTCOME_REPORT_AND_PUBLIC_NOTICE
    assert result.public_notice and not result.tell_individuals
    assert result.exemptions == ["disproportionate_effort"]


def test_unknown_facts_are_assessed_cautiously() -> None:
    """Nothing known yet but that it is a confidentiality breach: harm possible, impact limited at least."""
    result = assess(Facts())
    assert result.likelihood_words in ("possible", "likely")
    assert result.enisa.ei.score == 1.0


# --- The parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [(0, 3, "unlikely"), (3, 0, "unlikely"), (1, 2, "unlikely"), (2, 2, "risk"), (1, 3, "risk"), (2, 3, "high")],
)
def test_risk_level_adds_likelihood_and_impact(likelihood: int, impact: int, expected: str) -> None:
    assert risk_level(likelihood, impact) == expected


@pytest.mark.parametrize(
    ("score", "band"),
    [(1.99, "low"), (2.0, "medium"), (2.99, "medium"), (3.0, "high"), (3.99, "high"), (4.0, "very high")],
)
def test_enisa_bands_follow_the_methodology(score: float, band: str) -> None:
    assert enisa_band(score) == band


def test_enisa_score_is_context_times_identification_plus_circumstances() -> None:
    result = assess(facts(data_categories=["financial"], recipient="unknown_or_public", contained=True))
    enisa = result.enisa
    assert enisa.dpc.score == 3
    assert enisa.ei.score == 0.75
    assert enisa.cb.score == 0.5
    assert enisa.score == pytest.approx(3 * 0.75 + 0.5)
    assert enisa.band == "medium"
    assert all(part.reasons for part in (enisa.dpc, enisa.ei, enisa.cb))


def test_dpc_is_raised_for_children_and_capped_at_four() -> None:
    assert assess(facts(data_categories=["contact_details"])).enisa.dpc.score == 1
    assert assess(facts(data_categories=["contact_details"], children_involved=True)).enisa.dpc.score == 2
    assert assess(facts(data_categories=["health"], children_involved=True, people_count=5000)).enisa.dpc.score == 4


def test_facts_round_trip_through_json() -> None:
    original = facts(data_categories=["health", "sen"], people_count=3, restoration_hours=2.5, consequences_notes="x")
    again = Facts.from_dict(json.loads(json.dumps(original.to_dict())))
    assert again == original


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "Unknown fields: colour"),
        ({"data_categories": ["gossip"]}, "unknown gossip"),
        ({"data_categories": "health"}, "must be a list"),
        ({"recipient": "the moon"}, "recipient must be one of"),
        ({"people_count": -1}, "people_count must be a number"),
        ({"people_count": True}, "people_count must be a number"),
        ({"malicious": "yes"}, "malicious must be true or false"),
        ({"breach_types": []}, "breach_types needs at least one"),
        ([], "must be a JSON object"),
    ],
)
def test_bad_facts_are_refused_in_plain_words(data, message: str) -> None:
    with pytest.raises(FactsError, match=message):
        Facts.from_dict(data)


def test_result_is_json_with_every_part_the_issue_names() -> None:
    out = json.loads(json.dumps(assess_dict({"data_categories": ["health"], "recipient": "known_individual"})))
    for key in ("risk_level", "report_to_ico", "tell_individuals", "suggested_severity", "enisa", "reasons"):
        assert key in out
    assert set(out["enisa"]) == {"dpc", "ei", "cb", "score", "band"}
    assert out["likelihood"]["words"] and out["impact"]["words"]


def test_engine_imports_neither_django_nor_the_database() -> None:
    code = (
        "import sys, breaches.engine\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'psycopg', 'sqlite3')]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_command_prints_a_decision_with_reasons_from_the_example_file() -> None:
    out = io.StringIO()
    call_command("assess_breach", str(ROOT / "docs" / "assessment-example.json"), stdout=out)
    result = json.loads(out.getvalue())
    assert result["report_to_ico"] is True
    assert result["reasons"]


def test_command_reads_standard_input(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"data_categories": ["basic_identifiers"]})))
    out = io.StringIO()
    call_command("assess_breach", "-", stdout=out)
    assert json.loads(out.getvalue())["outcome"] in OUTCOME_RANK


def test_command_refuses_bad_json_and_bad_facts(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("assess_breach", str(bad))
    bad.write_text('{"recipient": "nobody"}')
    with pytest.raises(CommandError, match="recipient must be one of"):
        call_command("assess_breach", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("assess_breach", str(tmp_path / "missing.json"))


# --- Properties --------------------------------------------------------------------------

EXFILTRATION_LEVELS = ["none", "suspected", "confirmed"]
any_facts = st.builds(
    Facts,
    data_categories=st.frozensets(st.sampled_from(sorted(DATA_CATEGORIES))),
    data_subjects=st.frozensets(st.sampled_from(sorted(DATA_SUBJECTS))),
    children_involved=st.booleans(),
    people_count=st.none() | st.integers(0, 20000),
    records_count=st.none() | st.integers(0, 20000),
    breach_types=st.frozensets(st.sampled_from(sorted(BREACH_TYPES)), min_size=1),
    recipient=st.none() | st.sampled_from(sorted(RECIPIENTS)),
    encrypted_key_safe=st.booleans(),
    recovered_or_deleted=st.booleans(),
    exfiltration=st.sampled_from(["none", "suspected", "confirmed"]),
    backup_available=st.none() | st.booleans(),
    restoration_hours=st.none() | st.floats(0, 1000),
    malicious=st.booleans(),
    contained=st.booleans(),
    consequences=st.frozensets(st.sampled_from(sorted(CONSEQUENCES))),
    later_measures_remove_high_risk=st.booleans(),
    contact_disproportionate=st.booleans(),
    harm_materialised=st.frozensets(st.sampled_from(sorted(HARMS))),
    data_extent=st.none() | st.sampled_from(sorted(DATA_EXTENTS)),
    document_kinds=st.frozensets(st.sampled_from(sorted(DOCUMENT_KINDS))),
    recipient_reliability=st.none() | st.sampled_from(RELIABILITY_ORDER),
    unavailable_hours=st.none() | st.floats(0, 1000),
    service_effect=st.none() | st.sampled_from(SERVICE_EFFECT_ORDER),
    hashed_strong=st.booleans(),
    pseudonymised=st.booleans(),
    profiling=st.booleans(),
    publicly_available=st.booleans(),
    volume_per_person=st.none() | st.sampled_from(sorted(VOLUMES)),
)


def seriousness(result: Result) -> tuple[int, ...]:
    """Every dimension that must move together."""
    return (
        OUTCOME_RANK[result.outcome],
        result.likelihood,
        result.impact,
        SEVERITIES.index(result.suggested_severity),
        ENISA_BANDS.index(result.enisa.band),
    )


def no_lower(worse: Result, better: Result) -> bool:
    return all(w >= b for w, b in zip(seriousness(worse), seriousness(better), strict=True)) and (
        worse.enisa.score >= better.enisa.score
    )


@settings(max_examples=300, deadline=None)
@given(any_facts, st.sampled_from(sorted(SPECIAL)))
def test_adding_special_category_data_never_lowers_the_outcome(f: Facts, category: str) -> None:
    worse = dataclasses.replace(f, data_categories=f.data_categories | {category})
    assert no_lower(assess(worse), assess(f))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_children_never_lower_the_outcome(f: Facts) -> None:
    worse = dataclasses.replace(f, children_involved=True)
    assert no_lower(assess(worse), assess(dataclasses.replace(f, children_involved=False)))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_malicious_intent_never_lowers_the_outcome(f: Facts) -> None:
    assert no_lower(assess(dataclasses.replace(f, malicious=True)), assess(dataclasses.replace(f, malicious=False)))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_a_malicious_recipient_never_lowers_the_outcome(f: Facts) -> None:
    assert no_lower(assess(dataclasses.replace(f, recipient="malicious_actor")), assess(f))


@settings(max_examples=300, deadline=None)
@given(
    any_facts, st.sampled_from(["none", "suspected", "confirmed"]), st.sampled_from(["none", "suspected", "confirmed"])
)
def test_exfiltration_never_lowers_the_outcome(f: Facts, a: str, b: str) -> None:
    low, high = sorted((a, b), key=EXFILTRATION_LEVELS.index)
    assert no_lower(assess(dataclasses.replace(f, exfiltration=high)), assess(dataclasses.replace(f, exfiltration=low)))


@settings(max_examples=300, deadline=None)
@given(any_facts, st.integers(0, 20000), st.integers(0, 20000))
def test_more_people_never_lowers_the_outcome(f: Facts, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert no_lower(assess(dataclasses.replace(f, people_count=high)), assess(dataclasses.replace(f, people_count=low)))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_encryption_with_the_key_safe_never_raises_the_outcome(f: Facts) -> None:
    assert no_lower(
        assess(dataclasses.replace(f, encrypted_key_safe=False)),
        assess(dataclasses.replace(f, encrypted_key_safe=True)),
    )


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_an_encrypted_confidentiality_breach_never_needs_telling_individuals(f: Facts) -> None:
    # Harm that has already happened is a fact, not a chance encryption can rule out, so it is left out here.
    result = assess(
        dataclasses.replace(
            f,
            encrypted_key_safe=True,
            breach_types=frozenset({"confidentiality"}),
            harm_materialised=frozenset(),
            service_effect=None,
        )
    )
    assert not result.tell_individuals
    assert not result.public_notice
    assert result.outcome == OUTCOME_RECORD


@settings(max_examples=300, deadline=None)
@given(any_facts, st.sampled_from([None, "known_individual", "unknown_or_public", "malicious_actor"]))
def test_confirmed_deletion_by_a_trusted_recipient_never_raises_the_outcome(f: Facts, recipient) -> None:
    before = assess(dataclasses.replace(f, recipient=recipient))
    after = assess(dataclasses.replace(f, recipient="trusted_party_deleted"))
    assert no_lower(before, after)


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_recovery_or_confirmed_deletion_never_raises_the_outcome(f: Facts) -> None:
    assert no_lower(
        assess(dataclasses.replace(f, recovered_or_deleted=False)),
        assess(dataclasses.replace(f, recovered_or_deleted=True)),
    )


@settings(max_examples=300, deadline=None)
@given(any_facts, st.none() | st.floats(0, 1000))
def test_a_quick_restore_from_backup_never_raises_the_outcome(f: Facts, hours) -> None:
    quick = dataclasses.replace(f, backup_available=True, restoration_hours=1.0)
    slower = dataclasses.replace(f, backup_available=True, restoration_hours=hours)
    none = dataclasses.replace(f, backup_available=False, restoration_hours=hours)
    assert no_lower(assess(slower), assess(quick))
    assert no_lower(assess(none), assess(quick))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_the_result_is_consistent(f: Facts) -> None:
    result = assess(f)
    assert result.report_to_ico == (result.outcome != OUTCOME_RECORD)
    assert result.tell_individuals == (result.outcome == OUTCOME_REPORT_AND_TELL)
    assert result.public_notice == (result.outcome == OUTCOME_REPORT_AND_PUBLIC_NOTICE)
    assert (result.suggested_severity == "critical") == (result.risk_level == "high")
    assert result.enisa.score == pytest.approx(result.enisa.dpc.score * result.enisa.ei.score + result.enisa.cb.score)
    assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
    assert json.loads(json.dumps(result.to_dict()))["outcome"] == result.outcome


def test_command_assesses_a_batch_for_review(tmp_path) -> None:
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([{"data_categories": ["health"]}, {"encrypted_key_safe": True}]))
    out = io.StringIO()
    call_command("assess_breach", str(batch), str(ROOT / "docs" / "assessment-example.json"), stdout=out)
    results = json.loads(out.getvalue())
    assert [r["source"] for r in results] == [
        f"{batch}[0]",
        f"{batch}[1]",
        str(ROOT / "docs" / "assessment-example.json"),
    ]
    assert results[1]["result"]["outcome"] == OUTCOME_RECORD
    bad = tmp_path / "bad-batch.json"
    bad.write_text(json.dumps([{}, {"recipient": "nobody"}]))
    with pytest.raises(CommandError, match=r"bad-batch.json\[1\]: recipient must be one of"):
        call_command("assess_breach", str(bad))


# --- Issue 19: the new facts keep every property ------------------------------------------


def two_in_order(order):
    return st.tuples(st.sampled_from(order), st.sampled_from(order)).map(lambda pair: sorted(pair, key=order.index))


@settings(max_examples=300, deadline=None)
@given(any_facts, st.sampled_from(sorted(HARMS)))
def test_harm_that_has_happened_never_lowers_the_outcome(f: Facts, harm: str) -> None:
    worse = dataclasses.replace(f, harm_materialised=f.harm_materialised | {harm})
    assert no_lower(assess(worse), assess(f))
    assert assess(worse).likelihood == 3


@settings(max_examples=300, deadline=None)
@given(any_facts, st.sampled_from(sorted(DOCUMENT_KINDS)))
def test_adding_a_kind_of_document_never_lowers_the_outcome(f: Facts, kind: str) -> None:
    assert no_lower(assess(dataclasses.replace(f, document_kinds=f.document_kinds | {kind})), assess(f))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_a_passing_mention_never_raises_the_outcome_over_a_record(f: Facts) -> None:
    record = assess(dataclasses.replace(f, data_extent="record"))
    assert no_lower(record, assess(dataclasses.replace(f, data_extent="incidental")))
    assert seriousness(record) == seriousness(assess(dataclasses.replace(f, data_extent=None)))


@settings(max_examples=300, deadline=None)
@given(any_facts, two_in_order(RELIABILITY_ORDER))
def test_a_more_reliable_recipient_never_raises_the_outcome(f: Facts, pair) -> None:
    reliable, less = pair
    assert no_lower(
        assess(dataclasses.replace(f, recipient_reliability=less)),
        assess(dataclasses.replace(f, recipient_reliability=reliable)),
    )


@settings(max_examples=300, deadline=None)
@given(any_facts, st.floats(0, 1000), st.floats(0, 1000))
def test_a_longer_outage_never_lowers_the_outcome(f: Facts, a: float, b: float) -> None:
    short, long = sorted((a, b))
    assert no_lower(
        assess(dataclasses.replace(f, unavailable_hours=long)), assess(dataclasses.replace(f, unavailable_hours=short))
    )


@settings(max_examples=300, deadline=None)
@given(any_facts, two_in_order(SERVICE_EFFECT_ORDER))
def test_a_worse_effect_on_services_never_lowers_the_outcome(f: Facts, pair) -> None:
    milder, worse = pair
    assert no_lower(
        assess(dataclasses.replace(f, service_effect=worse)), assess(dataclasses.replace(f, service_effect=milder))
    )


@settings(max_examples=300, deadline=None)
@given(any_facts, st.sampled_from(["hashed_strong", "pseudonymised", "publicly_available"]))
def test_hashing_pseudonymisation_and_public_data_never_raise_the_outcome(f: Facts, name: str) -> None:
    off: dict[str, Any] = {name: False}
    on: dict[str, Any] = {name: True}
    assert no_lower(assess(dataclasses.replace(f, **off)), assess(dataclasses.replace(f, **on)))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_profiling_and_much_data_per_person_never_lower_the_outcome(f: Facts) -> None:
    plain = dataclasses.replace(f, profiling=False, volume_per_person="few")
    assert no_lower(assess(dataclasses.replace(plain, profiling=True)), assess(plain))
    assert no_lower(assess(dataclasses.replace(plain, volume_per_person="many")), assess(plain))


@settings(max_examples=300, deadline=None)
@given(any_facts)
def test_a_working_backup_never_raises_the_outcome_and_not_known_sits_between(f: Facts) -> None:
    """Backup: yes is never worse than not known, and not known never worse than no."""
    yes, unknown, no = (assess(dataclasses.replace(f, backup_available=value)) for value in (True, None, False))
    assert no_lower(unknown, yes)
    assert no_lower(no, unknown)


@settings(max_examples=200, deadline=None)
@given(any_facts)
def test_every_would_change_line_is_what_the_engine_says(f: Facts) -> None:
    """The uncertainty reading never invents: each line names an outcome the engine gives with that one change."""
    result = assess(f)
    for line in result.uncertainty["would_change"]:
        assert line["outcome"] != result.outcome
        assert line["words"].startswith("If ")


OLD_FIELDS = [
    "data_categories",
    "data_subjects",
    "children_involved",
    "people_count",
    "records_count",
    "breach_types",
    "recipient",
    "encrypted_key_safe",
    "recovered_or_deleted",
    "exfiltration",
    "backup_available",
    "restoration_hours",
    "malicious",
    "contained",
    "consequences",
    "consequences_notes",
    "later_measures_remove_high_risk",
    "later_measures_notes",
    "contact_disproportionate",
]


def test_old_files_are_accepted_unchanged_and_new_facts_default_to_before(tmp_path) -> None:
    """A file written before issue 19 (no new fields) reads, and assesses as with every new fact left unsaid."""
    data = json.loads((ROOT / "docs" / "assessment-example.json").read_text())
    assert set(data) <= set(OLD_FIELDS)
    old = Facts.from_dict(data)
    explicit = Facts.from_dict(
        {
            **data,
            "harm_materialised": [],
            "document_kinds": [],
            "data_extent": None,
            "recipient_reliability": None,
            "unavailable_hours": None,
            "service_effect": None,
            "hashed_strong": False,
            "pseudonymised": False,
            "profiling": False,
            "publicly_available": False,
            "volume_per_person": None,
        }
    )
    assert old == explicit
    assert assess(old).to_dict() == assess(explicit).to_dict()
    out = io.StringIO()
    call_command("assess_breach", str(ROOT / "docs" / "assessment-example.json"), stdout=out)
    assert json.loads(out.getvalue())["outcome"] == OUTCOME_REPORT


def test_a_backup_with_no_restore_time_is_not_known_not_the_worst_case() -> None:
    """Issue 19: a working backup whose restore time is blank no longer counts as if there were no backup."""
    base = dict(data_categories=["contact_details"], breach_types=["availability"], contained=True)
    with_backup = assess(facts(**base, backup_available=True))
    without = assess(facts(**base, backup_available=False))
    assert with_backup.likelihood < without.likelihood
    assert "how long the data was, or will be, out of reach" in with_backup.uncertainty["not_known"]


def test_the_result_says_what_would_change_it() -> None:
    """A letter with financial details to a member of the public: reported; if deletion is confirmed, record only."""
    result = assess(
        facts(
            data_categories=["basic_identifiers", "financial"],
            people_count=1,
            recipient="known_individual",
            recipient_reliability="known_not_cooperative",
            contained=True,
        )
    )
    assert result.outcome == OUTCOME_REPORT
    assert result.uncertainty["at_threshold"]
    assert "If the data is recovered or the recipient confirms deletion: record it only." in [
        line["words"] for line in result.uncertainty["would_change"]
    ]


def test_a_result_resting_on_not_known_says_so() -> None:
    result = assess(facts(data_categories=["health"], people_count=3, contained=True))
    assert "who received the data, or could reach it" in result.uncertainty["not_known"]
    assert result.uncertainty["rests_on_not_known"]
