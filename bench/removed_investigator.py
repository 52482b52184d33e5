"""Which incident pages an investigator reaches before and after their role is removed.

Not a test: run it and read the figures. It builds a throwaway test database (VAR_DIR or
DATABASE_URL as for the tests), assigns an investigator an incident with evidence, an action
and a checklist, then asks every URL that takes an incident, evidence, action or checklist
item, by GET and by an empty POST, as that investigator: once with the role, once after it is
removed (the same session). Anything but 403, 404, 405 or a redirect counts as "answered";
a POST answered by a redirect counts as "acted".

.venv/bin/python bench/removed_investigator.py [checkout]   (default: this one)
"""

import os
import sys
from pathlib import Path
from typing import Any

CODE = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1])
sys.path.insert(0, CODE)
os.chdir(CODE)
os.environ["DJANGO_SETTINGS_MODULE"] = "incidentdesk.settings"

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 64
KEYS = ("incident_uuid", "evidence_uuid", "action_id", "item_id")


def world() -> tuple[Any, dict[str, Any]]:
    from accounts.models import User
    from actions.services import create_action
    from evidence.services import add_evidence
    from incidents import lifecycle
    from incidents.models import report_incident
    from organisations.models import Membership, Organisation, Role

    county = Organisation.objects.create(name="County", kind="dpo_service")
    school = Organisation.objects.create(name="School", kind="school", parent=county)
    people = {}
    for key, role in [("manager", Role.INCIDENT_MANAGER), ("reporter", Role.REPORTER), ("inv", Role.INVESTIGATOR)]:
        people[key] = User.objects.create_user(email=f"{key}@example.org")
        Membership.objects.create(user=people[key], organisation=school, role=role)
    manager = people["manager"]
    with transaction.atomic():
        incident, _ = report_incident(
            organisation=school, reported_by=people["reporter"], submission_key=None, fields={"description": "x"}
        )
    lifecycle.triage(
        incident,
        by=manager,
        investigator=people["inv"],
        severity="minor",
        nature="event",
        breach_status="near_miss",
        personal_data_breach="no",
    )
    lifecycle.start_investigation(incident, by=people["inv"])
    with transaction.atomic():
        evidence = add_evidence(incident=incident, content=PNG, original_name="a.png", actor=manager)
    action = create_action(by=manager, incident=incident, title="Retrain", owner=manager, due_on=None)
    item = incident.checklist.first()
    return people["inv"], {
        "incident_uuid": incident.uuid,
        "evidence_uuid": evidence.uuid,
        "action_id": action.pk,
        "item_id": item.pk,
    }


def routes(kwargs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(patterns: list[Any], prefix: str, ns: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, f"{ns}{entry.namespace}:" if entry.namespace else ns)
            elif isinstance(entry, URLPattern) and entry.name:
                needed = set(entry.pattern.converters)
                if needed and needed <= set(KEYS):
                    found.append((f"{ns}{entry.name}", {k: kwargs[k] for k in needed}))

    walk(get_resolver().url_patterns, "", "")
    return found


def probe(label: str, client: Client, urls: list[tuple[str, dict[str, Any]]]) -> None:
    opened = []
    for name, kw in urls:
        url = reverse(name, kwargs=kw)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (302, 400, 403, 404, 405):
                opened.append(f"{method.upper()} {name} {status}")
            elif status == 302 and method == "post":
                opened.append(f"POST {name} 302 (acted)")
    print(f"{label}: {len(urls)} URLs x GET/POST, answered or acted: {len(opened)}")
    for line in opened:
        print("   ", line)


def main() -> None:
    from organisations.models import Membership, Role

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        investigator, kwargs = world()
        urls = routes(kwargs)
        client = Client()
        client.force_login(investigator)
        probe("with the investigator role", client, urls)
        Membership.objects.filter(user=investigator, role=Role.INVESTIGATOR).delete()
        probe("after the role is removed (same session)", client, urls)
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
