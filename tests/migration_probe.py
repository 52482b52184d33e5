"""Render pages of a migrated database as each demo person; write what came back as JSON.

Run by tests/test_migrate_from_previous.py, never by pytest itself (its name does not start
with test_): `python -m tests.migration_probe [OUT.json]` from the repository root, with
DJANGO_SETTINGS_MODULE=incidentdesk.settings, DATABASE_URL at the migrated database and
ALLOWED_HOSTS including "testserver". Without OUT.json the result is printed.

The result is a JSON object:

- "responses": a list of [user email, url, status] (every GET made, in order): each
  person's start page and navigation links, and every other argument-free page of ours once
  for each mix of roles;
- "errors": [user email, url, status, exception] for every response of 500 or more;
- "unresolved": URL names that reverse() no longer knows (renamed or removed), with why;
- "nav": {user email: [url, ...]}: the links in the person's navigation (on the page "/"
  leads to);
- "visible": {user email: [incident uuid, ...]}: the incidents each person handles or
  investigates, worked out from memberships and the organisation tree (not from the app's
  own access code), so the test can check they got 200 on each one's detail page;
- "incidents": every incident's uuid;
- "details": {user email: {incident uuid: status}} for the detail page of every incident
  the person can see and of HIDDEN_SAMPLE incidents they cannot;
- "case_files": {user email: {incident uuid: status}} for the case-file PDF of each
  incident, fetched once in all, by the first person (in email order) who can see it;
- "detail_url_name" / "case_file_url_name": the names used for the incident pages, or null
  when reverse() does not know them (then also in "unresolved").

Nothing here imports an app's modules by path: models are looked up by app label and URLs by
name, so a module moved inside the tree does not stop the probe, and a renamed URL name is
reported instead of crashing it.
"""

import json
import re
import sys
import traceback
from typing import Any

import django

# Pages that take no arguments and are reachable from the navigation (the navigation's
# links, the reports sub-navigation, notification settings, the footer), each by its URL
# name at the previous release and its name after the apps were restructured; the first
# name that reverses is used, and a page none of whose names reverse is reported. Links
# actually in each person's navigation, and every argument-free named URL of the project's
# own apps, are fetched as well, so a rename loses no page, only its report here.
NAV_URL_NAMES: list[tuple[str, ...]] = [
    ("home",),
    ("reporting:report", "intake:report"),
    ("reporting:my_reports", "intake:my_reports"),
    ("incidents:list",),
    ("investigation:queue", "incidents:queue"),
    ("investigation:mine", "incidents:mine"),
    ("investigation:serious", "incidents:serious"),
    ("deadlines:ico_clocks",),
    ("actions:list",),
    ("actions:mine",),
    ("reports:dashboard", "insights:dashboard"),
    ("reports:log", "insights:log"),
    ("reports:pack", "insights:pack"),
    ("reports:reviews", "insights:reviews"),
    ("reports:import", "insights:import"),
    ("organisations:list",),
    ("notifications:list",),
    ("notifications:preferences",),
    ("notifications:deliveries",),
    ("anonymous:receipt",),
    ("accessibility",),
    ("privacy",),
]
DETAIL_URL_NAME = "incidents:detail"
CASE_FILE_URL_NAME = "casefile:pdf"
# Namespaces of other projects' URLs, left out of the sweep of argument-free URLs.
SKIPPED_NAMESPACES = {"admin"}
HANDLER_ROLES = {"incident_manager", "siro", "dpo"}
# How many incidents a person does not handle have their detail page fetched (to see it
# refuse them without a server error); every incident they handle is fetched.
HIDDEN_SAMPLE = 4
NAV_LINK = re.compile(r'class="govuk-service-navigation__link" href="([^"#]+)"')


def argument_free_project_urls() -> list[str]:
    """Every named URL of the project's own URLconf that reverses without arguments."""
    from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

    names: list[str] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                # Includes without a namespace (allauth) belong to other projects.
                if entry.namespace and entry.namespace not in SKIPPED_NAMESPACES:
                    walk(entry.url_patterns, entry.namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.append(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, None)
    urls = []
    for name in names:
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue  # takes arguments
    return urls


def resolvable(name: str, unresolved: list[list[str]], args: list[Any]) -> str | None:
    """`name` if reverse() knows it (with `args`), else None and the reason in `unresolved`."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name, args=args)
    except NoReverseMatch as error:
        unresolved.append([name, str(error)])
        return None
    return name


def main(argv: list[str]) -> int:
    django.setup()

    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.signals import got_request_exception
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    # Handlers must pass a second factor before any page: sign in as if they had.
    from tests.mfa import SecondFactorClient

    Incident = apps.get_model("incidents", "Incident")
    Membership = apps.get_model("organisations", "Membership")
    User = get_user_model()

    last_exception: dict[str, str] = {}

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        last_exception["text"] = traceback.format_exc(limit=-12)

    got_request_exception.connect(remember, weak=False)

    responses: list[list[Any]] = []
    nav: dict[str, list[str]] = {}
    details: dict[str, dict[str, int]] = {}
    case_files: dict[str, dict[str, int]] = {}
    errors: list[list[Any]] = []
    unresolved: list[list[str]] = []
    case_file_rendered: set[str] = set()

    static_urls: list[str] = []
    for names in NAV_URL_NAMES:
        reasons = []
        for name in names:
            try:
                static_urls.append(reverse(name))
                break
            except NoReverseMatch as error:
                reasons.append(str(error))
        else:
            unresolved.append([" or ".join(names), "; ".join(reasons)])
    project_urls = argument_free_project_urls()

    incidents = list(Incident.objects.order_by("pk").values_list("uuid", "organisation__path", "investigator_id"))
    sample = [incidents[0][0]] if incidents else []
    detail_name = resolvable(DETAIL_URL_NAME, unresolved, sample)
    case_file_name = resolvable(CASE_FILE_URL_NAME, unresolved, sample)

    people = User.objects.filter(pk__in=Membership.objects.values("user_id")).order_by("email")
    visible: dict[str, list[str]] = {}
    for person in people:
        paths = set(
            Membership.objects.filter(user=person, role__in=HANDLER_ROLES).values_list("organisation__path", flat=True)
        )
        visible[person.email] = [
            str(uuid)
            for uuid, path, investigator_id in incidents
            if investigator_id == person.pk or any(path.startswith(p) for p in paths)
        ]

    swept: set[frozenset[tuple[str, int]]] = set()

    def roles_of(person: Any) -> frozenset[tuple[str, int]]:
        """The person's roles, each with the depth in the tree of the organisation it is at."""
        return frozenset(
            (role, path.count("/"))
            for role, path in Membership.objects.filter(user=person).values_list("role", "organisation__path")
        )

    for person in people:
        client = SecondFactorClient(raise_request_exception=False)
        client.force_login(person)
        fetched: set[str] = set()

        def get(url: str, person: Any = person, client: Client = client, fetched: set[str] = fetched) -> Any:
            fetched.add(url)
            last_exception.clear()
            response = client.get(url)
            responses.append([person.email, url, response.status_code])
            if response.status_code >= 500:
                errors.append([person.email, url, response.status_code, last_exception.get("text", "")])
            return response

        response = get("/")
        if response.status_code in (301, 302, 303, 307, 308):
            response = get(response["Location"])
        nav_urls = NAV_LINK.findall(response.content.decode(errors="replace")) if response.status_code == 200 else []
        nav[person.email] = nav_urls
        # Every page of the navigation as each person; every other argument-free page once
        # for each mix of roles (people with the same roles at the same levels of the tree
        # are served the same code paths).
        mix = roles_of(person)
        sweep = [*static_urls, *project_urls] if mix not in swept else []
        swept.add(mix)
        for url in [*nav_urls, *sweep]:
            if url not in fetched:
                get(url)
        details[person.email] = {}
        if detail_name:
            # Every incident the person handles, and a few they do not (spread over the
            # organisations), whose pages must refuse without a server error.
            own = set(visible[person.email])
            others = [str(uuid) for uuid, _path, _investigator in incidents if str(uuid) not in own]
            for key in [*visible[person.email], *others[:: max(1, len(others) // HIDDEN_SAMPLE)][:HIDDEN_SAMPLE]]:
                details[person.email][key] = get(reverse(detail_name, args=[key])).status_code
        # The case file is rendered by typst, the slowest page: each incident's once, by the
        # first person (in email order) who handles it, which is what the check needs.
        case_files[person.email] = {}
        if case_file_name:
            for key in visible[person.email]:
                if key not in case_file_rendered:
                    case_file_rendered.add(key)
                    case_files[person.email][key] = get(reverse(case_file_name, args=[key])).status_code

    result = {
        "responses": responses,
        "errors": errors,
        "unresolved": unresolved,
        "incidents": [str(uuid) for uuid, _path, _investigator in incidents],
        "visible": visible,
        "nav": nav,
        "details": details,
        "case_files": case_files,
        "detail_url_name": detail_name,
        "case_file_url_name": case_file_name,
    }
    text = json.dumps(result, indent=1)
    if len(argv) > 1:
        with open(argv[1], "w", encoding="utf-8") as out:
            out.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
