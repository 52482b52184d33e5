"""Accessibility checks with axe-core, as bundled by axe-playwright-python."""

from functools import cache
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Error as PlaywrightError

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_source():
    # axe-playwright-python ships axe-core's axe.min.js (MPL-2.0) next to its code.
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def axe_version(page):
    """The version of axe-core injected into the page (injects it if needed)."""
    _inject(page)
    return page.evaluate("axe.version")


def _inject(page):
    # Evaluated through the browser's DevTools protocol, which the page's Content-Security-Policy
    # does not govern: the pages keep their policy (no inline script) while axe checks them.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())


def run_axe(page, tags=WCAG_TAGS):
    """axe's violations on the page as it is now: a list of dicts (less the one known exception).

    A click on a link returns before the browser has left the page, so axe can start on the old
    page and lose its document to the navigation ("Cannot read properties of null", "Execution
    context was destroyed"). Such a run says nothing about either page: it waits for the new
    page to load and runs again, on the page the test then sees.
    """
    for attempt in range(5):
        page.wait_for_load_state("load")
        try:
            _inject(page)
            # resultTypes: only the violations are wanted, so axe skips detailing what passed (faster).
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                tags,
            )
        except PlaywrightError as error:
            if attempt == 4 or not _lost_to_navigation(str(error)):
                raise
            page.wait_for_timeout(100)
            continue
        return _without_govuk_reveal_expanded(result["violations"])
    raise AssertionError("unreachable")


def _lost_to_navigation(message):
    return any(
        sign in message for sign in ("reading 'documentElement'", "Execution context was destroyed", "navigation")
    )


def _govuk_reveal_expanded(node):
    """A GOV.UK radio that reveals a question, flagged only for its `aria-expanded`.

    GOV.UK Frontend's radios script sets `aria-expanded` on a radio that controls a
    conditional reveal. ARIA 1.2 does not list it for radios, so axe flags it; GOV.UK keeps
    it on purpose, because screen readers announce it and its research found it helps
    (alphagov/govuk-frontend#979, listed there as a known axe issue; w3c/aria#1404). Exactly
    that is let through: the attribute alone, on such a radio, nothing else.
    """
    html = node.get("html", "")
    if 'class="govuk-radios__input"' not in html or "aria-controls=" not in html:
        return False
    found = [str(item) for check in node.get("any", []) + node.get("all", []) for item in (check.get("data") or [])]
    return bool(found) and all(item.startswith("aria-expanded=") for item in found)


def _without_govuk_reveal_expanded(violations):
    kept = []
    for violation in violations:
        if violation["id"] == "aria-allowed-attr":
            nodes = [node for node in violation["nodes"] if not _govuk_reveal_expanded(node)]
            if not nodes:
                continue
            violation = {**violation, "nodes": nodes}
        kept.append(violation)
    return kept


def format_violations(violations, nodes_shown=3):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"][:nodes_shown]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
        if len(v["nodes"]) > nodes_shown:
            lines.append(f"    ... and {len(v['nodes']) - nodes_shown} more")
    return "\n".join(lines)


def assert_accessible(page, tags=WCAG_TAGS):
    """Fail with a readable list if axe finds WCAG 2.2 AA violations on the page."""
    __tracebackhide__ = True
    violations = run_axe(page, tags)
    if violations:
        raise AssertionError(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n" + format_violations(violations)
        )
