"""The engine against published regulator cases (tests/breach_cases/, docs/assessment.md "Calibration").

Each case file holds its source, the regulator's verdict (report to the ICO? tell the
people?; null where the source does not say), the facts as a DPO would enter them, and a
second wording of the same facts as another DPO might enter them. The engine must agree
with every stated verdict, in both wordings, and a case without its source fails.
"""

import json
from pathlib import Path

import pytest

from breaches.engine import Facts, assess

CASES_DIR = Path(__file__).resolve().parent / "breach_cases"
CASE_FILES = sorted(CASES_DIR.glob("*.json"))
SOURCE_FIELDS = ("title", "publisher", "url", "reference")
CONFIDENCE = ("checked", "partly checked", "not confirmed")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source_problems(case: dict) -> list[str]:
    """What a case file lacks to be cited: every source field, a stated verdict, how far it was checked."""
    problems = []
    source = case.get("source")
    if not isinstance(source, dict):
        return ["no source"]
    problems += [f"source has no {name}" for name in SOURCE_FIELDS if not str(source.get(name) or "").strip()]
    verdict = case.get("verdict") or {}
    if verdict.get("report_to_ico") is None and verdict.get("tell_individuals") is None:
        problems.append("no verdict stated")
    if case.get("confidence") not in CONFIDENCE:
        problems.append("no confidence (checked, partly checked, not confirmed)")
    return problems


def second_wording(case: dict) -> dict:
    facts = dict(case["facts"])
    facts.update(case["second_wording"]["changes"])
    return facts


def agrees(verdict: dict, facts: dict) -> bool:
    result = assess(Facts.from_dict(facts))
    told = result.tell_individuals or result.public_notice
    return all(
        stated is None or stated == got
        for stated, got in ((verdict["report_to_ico"], result.report_to_ico), (verdict["tell_individuals"], told))
    )


def test_there_are_at_least_thirty_cases_across_the_three_kinds_of_breach_and_sectors() -> None:
    cases = [load(path) for path in CASE_FILES]
    assert len(cases) >= 30
    kinds = {kind for case in cases for kind in case["facts"].get("breach_types", ["confidentiality"])}
    assert kinds == {"confidentiality", "integrity", "availability"}
    sectors = {case["sector"] for case in cases}
    assert {"school", "council"} <= sectors and len(sectors - {"school", "council"}) >= 3


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_every_case_cites_its_source(path: Path) -> None:
    assert source_problems(load(path)) == []


def test_a_case_without_its_source_fails_the_check() -> None:
    case = load(CASE_FILES[0])
    del case["source"]["url"]
    assert source_problems(case) == ["source has no url"]
    assert source_problems({"verdict": {"report_to_ico": True}}) == ["no source"]


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_the_engine_agrees_with_the_regulator(path: Path) -> None:
    case = load(path)
    assert agrees(case["verdict"], case["facts"]), case["title"]


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_two_dpos_wording_the_case_differently_get_one_outcome(path: Path) -> None:
    case = load(path)
    assert case["second_wording"]["note"] and case["second_wording"]["changes"]
    first = assess(Facts.from_dict(case["facts"]))
    second = assess(Facts.from_dict(second_wording(case)))
    assert first.outcome == second.outcome, case["second_wording"]["note"]
