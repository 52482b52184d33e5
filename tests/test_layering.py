"""The house's floors (docs/architecture.md): an app may import from its own floor and the floors
below it, never from a floor above, and no two apps may import each other round a circle.

Every import counts: at the top of a module, inside a function (where an import would be hidden
to dodge this test) and `import_module("app.module")` with a literal name.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOORS: dict[int, set[str]] = {
    1: {"core", "lib"},  # base models and views, PDF rendering, working days; know nothing of incidents
    2: {"accounts", "organisations", "audit"},  # people, the tree and who holds which role, the record
    3: {"incidents"},  # the incident, its lifecycle and the registry other apps take part through
    4: {"notifications"},  # who is told of what, the outbox and in-app notifications
    5: {"evidence", "breaches", "actions", "parties"},  # what an incident gathers; third parties, bodies told
    6: {"deadlines"},  # due moments of everything below, the scan that chases them
    # the case file, reporting, public pages, webhooks, the policies published and acknowledged
    7: {"casefile", "insights", "anonymous", "webhooks", "policies"},
    # the front door, reports by email; a county's people and schools; lessons, known errors, search;
    # retention and disposal (it reaches every app that holds an incident's content, search included)
    8: {"intake", "inbound", "onboarding", "learning", "retention"},
    9: {"demo", "incidentdesk", "api"},  # demo data, settings, root URLs and navigation, the public API
}
FLOOR = {app: floor for floor, apps in FLOORS.items() for app in apps}


def project_apps() -> set[str]:
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "scripts", "docs", "static", "templates", "frontend"}
    }


def imports_of(path: Path) -> list[tuple[str, int]]:
    """(imported top-level package, line) for every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value.split(".")[0], node.lineno))
    return found


def app_edges() -> dict[tuple[str, str], list[str]]:
    apps = project_apps()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for app in sorted(apps):
        for path in sorted((ROOT / app).rglob("*.py")):
            for imported, line in imports_of(path):
                if imported in apps and imported != app:
                    edges[(app, imported)].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def cycles(edges: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one app (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_app_has_a_floor() -> None:
    assert project_apps() - set(FLOOR) == set(), "give each new app a floor here and in docs/architecture.md"
    assert set(FLOOR) - project_apps() == set(), "an app on a floor here no longer exists"


def test_no_app_imports_from_a_floor_above_its_own() -> None:
    upward = {
        f"{a} (floor {FLOOR[a]}) -> {b} (floor {FLOOR[b]})": places
        for (a, b), places in app_edges().items()
        if FLOOR.get(a, 0) < FLOOR.get(b, 0)
    }
    assert upward == {}


def test_no_import_cycle_between_apps() -> None:
    assert cycles(app_edges()) == []


def test_the_checker_sees_imports_hidden_in_functions_and_import_module(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from importlib import import_module\n"
        "def later():\n"
        "    from insights.log import rows\n"
        "    import deadlines.scan\n"
        "    return import_module('intake.views')\n"
    )
    assert [name for name, _ in imports_of(module)] == ["importlib", "insights", "deadlines", "intake"]


def test_the_cycle_finder_finds_a_circle_and_nothing_else() -> None:
    assert cycles({("a", "b"): [], ("b", "c"): [], ("c", "a"): [], ("c", "d"): []}) == [["a", "b", "c"]]
    assert cycles({("a", "b"): [], ("b", "c"): []}) == []


def test_no_python_file_over_800_lines() -> None:
    apps = project_apps()
    long = {
        str(path.relative_to(ROOT)): count
        for app in apps
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and (count := len(path.read_text(encoding="utf-8").splitlines())) > 800
    }
    assert long == {}
