"""docs/security.md's ASVS table and the tests' `asvs` markers agree.

Every `@pytest.mark.asvs("V…")` in the tests has a row; every row names tests that exist, at
least one of them carrying that requirement's marker, or gives the reason it does not apply. A new tagged test
without a row, or a row naming a test that was renamed, fails here with what to write.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TABLE_HEADING = "## ASVS Level 2 requirements"
REQUIREMENT = re.compile(r"^V\d+\.\d+\.\d+$")
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")
REASON_STARTS = ("Not applicable:",)


def table_rows() -> list[tuple[str, str, str]]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split(TABLE_HEADING, 1)[1]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| V"):
            continue
        # A cell may hold a backticked `|safe`: split on pipes outside backticks only.
        cells = [c.strip() for c in re.split(r"\|(?=(?:[^`]*`[^`]*`)*[^`]*$)", line.strip().strip("|"))]
        rows.append((cells[0].split()[0], cells[1], cells[-1]))
    return rows


def markers() -> dict[str, dict[str, set[str]]]:
    """requirement -> test file -> names of the tests carrying it ('*' for a module-wide mark)."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(ROOT).as_posix()

        def requirement_of(node: ast.expr) -> str | None:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "asvs"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                return str(node.args[0].value)
            return None

        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for decorator in node.decorator_list:
                    if requirement := requirement_of(decorator):
                        found[requirement][relative].add(node.name)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
            ):
                values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
                for value in values:
                    if requirement := requirement_of(value):
                        found[requirement][relative].add("*")
    return found


def test_every_tagged_test_has_a_row() -> None:
    rows = {requirement for requirement, _, _ in table_rows()}
    missing = {requirement: sorted(files) for requirement, files in markers().items() if requirement not in rows}
    assert missing == {}, f"Add a row to the table in docs/security.md for each of: {missing}"


def test_every_row_names_tagged_tests_or_a_reason() -> None:
    tagged = markers()
    problems = []
    for requirement, _, tests in table_rows():
        if not REQUIREMENT.match(requirement):
            problems.append(f"{requirement}: not a requirement number like V3.4.3")
            continue
        references = TEST_REFERENCE.findall(tests)
        if not references:
            if not tests.startswith(REASON_STARTS):
                problems.append(f"{requirement}: name a test (`tests/…py::test_…`) or start with 'Not applicable:'")
            elif tagged.get(requirement):
                problems.append(f"{requirement}: tests carry it now ({sorted(tagged[requirement])}); name them")
            continue
        marked = False
        for file, name in references:
            carrying = tagged.get(requirement, {}).get(file, set())
            if not (ROOT / file).is_file():
                problems.append(f"{requirement}: {file} does not exist")
            elif name and not re.search(rf"def {name}\(", (ROOT / file).read_text(encoding="utf-8")):
                problems.append(f"{requirement}: {file} has no test {name}")
            marked = marked or bool(carrying and (not name or name in carrying or "*" in carrying))
        if not marked:
            problems.append(f"{requirement}: none of the tests named is marked asvs({requirement!r})")
    assert problems == []


def test_the_table_has_rows_and_the_tests_have_markers() -> None:
    # Both checks above would pass on an empty table and no markers: make sure they read something.
    assert len(table_rows()) >= 10
    assert len(markers()) >= 10
