"""What people type is shown as text, never as markup (Hardening, finding 6).

A parent organisation's role title once reached a form hint through `|safe`, so an admin
of the county could run script in every school admin's browser. Templates now escape
every hint, and a scan of every template and Python file lists each remaining way round
autoescaping with the reason it is safe: a new one fails here until it is justified.
"""

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from organisations.models import RoleTitle

from .conftest import People

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", "node_modules", "static", "staticfiles", "var", ".git", "tests"}
UNSAFE = re.compile(r"\|\s*safe\b|\|\s*safeseq\b|mark_safe\(|SafeString\(|SafeText\(|autoescape\s+off|\bsafe_join\(")

# Each way round autoescaping that stays, and why it is safe. Keys are globs (`*` spans folders).
ALLOWED: dict[str, str] = {
    # Plain-text email bodies are not HTML: escaping would show "&amp;" to the reader. No
    # browser renders them (the HTML part is rendered from the same context with escaping).
    "*/templates/*/email/*.txt": "plain-text email body, never rendered as HTML",
}


def _unsafe_uses() -> list[str]:
    found = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if relative.parts and relative.parts[0] in SKIPPED_DIRS:
            continue
        if path.suffix not in {".html", ".txt", ".py", ".typ"} or not path.is_file():
            continue
        if any(fnmatch(relative.as_posix(), pattern) for pattern in ALLOWED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if UNSAFE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


@pytest.mark.asvs("V1.2.1")
def test_no_template_or_code_bypasses_escaping_without_a_listed_reason() -> None:
    assert _unsafe_uses() == []


@pytest.mark.asvs("V1.2.1")
def test_the_scan_sees_an_unsafe_filter(tmp_path: Path) -> None:
    # The scan is only worth something if it can fail: the pattern catches each form.
    for line in ["{{ x|safe }}", "{{ x | safe }}", "mark_safe(x)", "{% autoescape off %}", "{{ xs|safeseq }}"]:
        assert UNSAFE.search(line), line
    assert not UNSAFE.search("{{ x|safe_title }}") and not UNSAFE.search("format_html('{}', x)")


@pytest.mark.asvs("V1.2.1")
@pytest.mark.asvs("V3.2.2")
def test_a_parent_role_title_with_markup_is_shown_as_text_in_the_hint(client, people: People) -> None:
    cast = people.cast
    RoleTitle.objects.create(organisation=cast.county, role="dpo", title='<script>alert("x")</script>')
    client.force_login(people.admin)
    page = client.get(reverse("organisations:role_titles", args=[cast.school_a.uuid])).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
