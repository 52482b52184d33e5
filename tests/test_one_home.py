"""Rules that were written in several places and now live in one (issue "One home for each rule"):
which severities are serious, which one the SIRO leads, and the ICO's 72 hours. Each is asked of
`Incident` (incidents/models/incident.py); this test finds a copy written anywhere else in the
project's code (tests, migrations, benchmarks and demo data aside, which may name values)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "incidents" / "models" / "incident.py"
SKIPPED = {"tests", "bench", "demo", ".venv", "node_modules", "migrations"}

COPIES = {
    # The pair alone (the whole scale, minor to critical, is a vocabulary, not this rule).
    "the serious severities": re.compile(
        r"""[(\[]\s*(Incident\.)?Severity\.MAJOR,\s*(Incident\.)?Severity\.CRITICAL\s*[)\]]"""
        r"""|[(\[]\s*["']major["'],\s*["']critical["']\s*[)\]]"""
    ),
    "the severity the SIRO leads": re.compile(
        r"""[!=]=\s*(Incident\.)?Severity\.CRITICAL\b|[!=]=\s*["']critical["']"""
    ),
    "the ICO's hours": re.compile(r"""\bhours\s*=\s*72\b|ICO_HOURS\s*=\s*72\b"""),
}


def project_sources() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if not SKIPPED & set(path.relative_to(ROOT).parts) and path != HOME]


def copies_in(text: str) -> list[str]:
    return [rule for rule, pattern in COPIES.items() if pattern.search(text)]


def test_each_rule_is_written_only_beside_the_incident() -> None:
    found = {f"{path.relative_to(ROOT)}: {rule}" for path in project_sources() for rule in copies_in(path.read_text())}
    assert found == set()


def test_the_finder_sees_each_way_of_writing_a_copy() -> None:
    assert copies_in('if severity in ("major", "critical"):') == ["the serious severities"]
    assert copies_in("URGENT = (Incident.Severity.MAJOR, Incident.Severity.CRITICAL)") == ["the serious severities"]
    assert copies_in("if incident.severity == Severity.CRITICAL:") == ["the severity the SIRO leads"]
    assert copies_in("return o.after.get('severity') == 'critical'") == ["the severity the SIRO leads"]
    assert copies_in("Item(body=ICO, hours=72)") == ["the ICO's hours"]
    assert copies_in("if incident.siro_leads and severity in Incident.SERIOUS_SEVERITIES:") == []
    assert copies_in('SEVERITIES = ("minor", "moderate", "major", "critical")') == []
