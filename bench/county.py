"""A generated county for `bench/compare.py` (and its test): the tree, its people, N incidents.

A county council at the root, trusts beneath it, schools beneath the trusts; people in each
role at each level (the county's DPO, SIRO and governance viewer; each trust's incident
manager; each school's business manager as incident manager, its head as SIRO, an
investigating officer and reporters). N incidents spread over seven years across the schools,
in every state, as a county's log looks: the last weeks still open, older ones closed but for
a few left behind. Written in large `bulk_create` batches (no events: data to count, not a
history), then completed by the product's own functions: every incident's stored due moments
by `deadlines.store.refresh_incidents`, the search index by `learning.search.rebuild`. A few
incidents in the measured school are reported and triaged through the real steps, so their
organisation's chain and their timelines are real.

What the scan would have left behind on a running service (the escalations it already sent,
the status each reporter was last told) is written by `settle`, which asks the scan's own
`incident_needs` what is due, so a scan afterwards has nothing new to send.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

ROOT_NAME = "Bench County Council"
DAYS = 7 * 365
OPEN_DAYS = 60  # incidents reported in the last two months may still be open
STALE_SHARE = 0.005  # older incidents left open (forgotten, waiting on someone)
EMAILS = {
    "dpo": "bench-county-dpo@example.org",
    "trust": "bench-trust-handler@example.org",
    "school": "bench-school-manager@example.org",
}
VIEWERS = (("county DPO", "dpo"), ("trust handler", "trust"), ("school business manager", "school"))


@dataclass
class County:
    root: Any
    trusts: list[Any]
    schools: list[Any]
    viewers: dict[str, Any]  # "dpo", "trust", "school" -> User
    sample: Any  # an incident of the measured school with a real history (the incident page)


def find() -> County | None:
    """The county an earlier run generated in this database, or None."""
    from accounts.models import User
    from incidents.models import Incident
    from organisations.models import Organisation

    root = Organisation.objects.filter(name=ROOT_NAME, parent=None).first()
    if root is None:
        return None
    trusts = list(Organisation.objects.filter(parent=root).order_by("pk"))
    schools = list(Organisation.objects.filter(parent__in=trusts).order_by("pk"))
    viewers = {key: User.objects.get(email=email) for key, email in EMAILS.items()}
    sample = Incident.objects.filter(organisation=schools[0], triaged_on__isnull=False, imported_from="")
    return County(root, trusts, schools, viewers, sample.order_by("-pk").first())


def generate(
    incidents: int,
    *,
    schools: int = 550,
    trusts: int = 25,
    seed: int = 20,
    batch: int = 10_000,
    jobs: int = 2,
    say: Any = print,
) -> County:
    """Make the county and `incidents` incidents; `say` is told each phase's time."""
    import time

    from core import statistics
    from learning import search

    rng = random.Random(seed)
    now = timezone.now()
    started = time.perf_counter()

    def phase(label: str, since: float) -> float:
        say(f"  {label}: {time.perf_counter() - since:.1f} s")
        return time.perf_counter()

    t = started
    county = _tree(schools, trusts)
    people = _people(county)
    t = phase(f"tree and people ({len(county.schools)} schools, {len(people)} people)", t)
    ids = _incidents(county, people, incidents, rng, now, batch)
    t = phase(f"{len(ids)} incidents", t)
    jobs = jobs if connection.vendor == "postgresql" else 1
    in_parallel(refresh_due, [ids[i::jobs] for i in range(jobs)])
    t = phase(f"stored due moments (deadlines.store.refresh_incidents, {jobs} processes)", t)
    county.sample = _with_history(county, people)
    t = phase("incidents through the real steps (report, triage, assign, start)", t)
    written = search.rebuild()
    t = phase(f"search index (learning.search.rebuild, {written} entries)", t)
    settled = settle(now)
    t = phase(f"scan's state settled ({settled} escalations already sent)", t)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        statistics.refresh()  # as the nightly job would have (core.tasks.refresh_statistics)
    t = phase("ANALYZE", t)
    say(f"generated in {time.perf_counter() - started:.1f} s")
    return county


def refresh_due(ids: list[int], batch: int = 5000) -> None:
    """Each incident's due moments stored by the deadlines app's own function, in batches."""
    from deadlines import store

    timescales = store.TimescaleRows()
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            store.refresh_incidents(ids[start : start + batch], include_closed=True, timescales=timescales)


def in_parallel(work: Any, parts: list[list[int]]) -> None:
    """`work(part)` for each part, in forked processes when there are several (PostgreSQL only:
    each process has its own connection)."""
    if len(parts) == 1:
        work(parts[0])
        return
    import multiprocessing

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_child, args=(work, part)) for part in parts]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"a generating process failed (exit code {process.exitcode})")


def _child(work: Any, part: list[int]) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    work(part)
    connections.close_all()


def _tree(schools: int, trusts: int) -> County:
    from organisations.models import Organisation

    root = Organisation.objects.create(name=ROOT_NAME, kind=Organisation.Kind.COUNCIL)
    made_trusts = [
        Organisation.objects.create(name=f"Bench Trust {i + 1}", kind=Organisation.Kind.TRUST, parent=root)
        for i in range(trusts)
    ]
    made_schools = [
        Organisation.objects.create(
            name=f"Bench School {i + 1}", kind=Organisation.Kind.SCHOOL, parent=made_trusts[i % trusts]
        )
        for i in range(schools)
    ]
    return County(root, made_trusts, made_schools, {}, None)


@dataclass
class People:
    reporters: dict[int, list[Any]]  # school id -> reporters
    investigators: dict[int, Any]  # school id -> investigating officer
    manager: dict[int, Any]  # school id -> school business manager (incident manager)

    def __len__(self) -> int:
        return sum(len(r) for r in self.reporters.values()) + 2 * len(self.manager) + len(self.investigators)


def _people(county: County) -> People:
    from accounts.models import User
    from organisations.models import Membership, Role

    users: list[Any] = []
    roles: list[tuple[int, Any, str]] = []  # (user index, organisation, role)

    def person(email: str, name: str, *holds: tuple[Any, str]) -> int:
        users.append(User(email=email, full_name=name, password="!"))  # noqa: S106 (unusable password)
        roles.extend((len(users) - 1, org, role) for org, role in holds)
        return len(users) - 1

    person(EMAILS["dpo"], "County DPO", (county.root, Role.DPO))
    person("bench-county-siro@example.org", "County SIRO", (county.root, Role.SIRO))
    person("bench-county-governance@example.org", "County governance", (county.root, Role.GOVERNANCE))
    person("bench-county-admin@example.org", "County admin", (county.root, Role.ADMIN))
    for i, trust in enumerate(county.trusts):
        email = EMAILS["trust"] if i == 0 else f"bench-trust-{trust.pk}@example.org"
        person(email, f"{trust.name} handler", (trust, Role.INCIDENT_MANAGER))
        person(f"bench-trust-{trust.pk}-board@example.org", f"{trust.name} board", (trust, Role.GOVERNANCE))
    at: dict[int, dict[str, list[int]]] = {}
    for i, school in enumerate(county.schools):
        email = EMAILS["school"] if i == 0 else f"bench-sbm-{school.pk}@example.org"
        mine = at.setdefault(school.pk, {})
        mine["manager"] = [person(email, f"{school.name} business manager", (school, Role.INCIDENT_MANAGER))]
        person(f"bench-head-{school.pk}@example.org", f"{school.name} head", (school, Role.SIRO))
        mine["investigator"] = [
            person(f"bench-io-{school.pk}@example.org", f"{school.name} officer", (school, Role.INVESTIGATOR))
        ]
        mine["reporters"] = [
            person(f"bench-staff-{school.pk}-{n}@example.org", f"{school.name} staff {n}", (school, Role.REPORTER))
            for n in range(2)
        ]
    made = User.objects.bulk_create(users, batch_size=2000)
    if not made or made[0].pk is None:  # SQLite before RETURNING: read the ids back
        by_email = dict(User.objects.filter(email__startswith="bench-").values_list("email", "pk"))
        for user in made:
            user.pk = by_email[user.email]
    Membership.objects.bulk_create(
        [Membership(user=made[index], organisation=org, role=role) for index, org, role in roles], batch_size=2000
    )
    county.viewers = {key: User.objects.get(email=email) for key, email in EMAILS.items()}
    return People(
        reporters={pk: [made[i] for i in v["reporters"]] for pk, v in at.items()},
        investigators={pk: made[v["investigator"][0]] for pk, v in at.items()},
        manager={pk: made[v["manager"][0]] for pk, v in at.items()},
    )


def _status(age_days: float, rng: random.Random) -> str:
    from incidents.models import Incident

    s = Incident.Status
    if age_days < 3:
        choices = [(s.REPORTED, 40), (s.TRIAGED, 20), (s.INVESTIGATING, 30), (s.OUTCOME_SUBMITTED, 5), (s.CLOSED, 5)]
    elif age_days < OPEN_DAYS:
        choices = [
            (s.REPORTED, 3),
            (s.TRIAGED, 7),
            (s.INVESTIGATING, 35),
            (s.OUTCOME_SUBMITTED, 15),
            (s.CLOSED, 30),
            (s.CLOSED_NOT_INCIDENT, 8),
            (s.CLOSED_DUPLICATE, 2),
        ]
    elif rng.random() < STALE_SHARE:
        choices = [(s.TRIAGED, 20), (s.INVESTIGATING, 60), (s.OUTCOME_SUBMITTED, 20)]
    else:
        choices = [(s.CLOSED, 80), (s.CLOSED_NOT_INCIDENT, 15), (s.CLOSED_DUPLICATE, 5)]
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


INFORMATION = ["pupil names and dates of birth", "SEN records", "staff payroll", "parent contact details", "none"]
SEVERITY_WEIGHTS = [("minor", 55), ("moderate", 30), ("major", 12), ("critical", 3)]


def _incidents(county: County, people: People, count: int, rng: random.Random, now: datetime, batch: int) -> list[int]:
    """`count` incidents with ids given here (so each row carries its reference on insert)."""
    from incidents.models import Incident, IncidentType
    from learning.corpus import description

    s = Incident.Status
    types = list(IncidentType.objects.filter(organisation=None, is_active=True))
    first = (Incident.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    last_in_school: dict[int, int] = {}
    ids: list[int] = []
    rows: list[Any] = []
    # Oldest first, so ids rise with the report date as on a running service.
    ages = sorted((rng.random() * DAYS for _ in range(count)), reverse=True)
    for n, age in enumerate(ages):
        pk = first + n
        school = county.schools[rng.randrange(len(county.schools))]
        reported = now - timedelta(days=age)
        status = _status(age, rng)
        text, place = description(rng)
        triaged = status != s.REPORTED
        closed = status in Incident.CLOSED_STATUSES
        pdb = rng.choice(["yes", "no", "no", "not_known"]) if triaged else ""
        triaged_on = reported + timedelta(hours=rng.uniform(1, 60)) if triaged else None
        if triaged_on and triaged_on > now:
            triaged_on = now
        outcome = status in (s.OUTCOME_SUBMITTED, s.CLOSED)
        closed_on = min(now, (triaged_on or reported) + timedelta(days=rng.uniform(2, 40))) if closed else None
        outcome_on = (
            min(closed_on or now, (triaged_on or reported) + timedelta(days=rng.uniform(1, 20))) if outcome else None
        )
        anonymous = rng.random() < 0.05
        rows.append(
            Incident(
                pk=pk,
                uuid=uuid.uuid4(),
                reference=Incident.make_reference(pk, timezone.localtime(reported).year),
                organisation_id=school.pk,
                status=status,
                description=text,
                location=place,
                information_involved=rng.choice(INFORMATION),
                personal_data=rng.choice(["yes", "no", "not_sure"]),
                occurred_on=reported - timedelta(hours=rng.uniform(0, 48)),
                discovered_on=reported - timedelta(minutes=rng.uniform(5, 300)),
                reported_on=reported,
                reported_by=None if anonymous else rng.choice(people.reporters[school.pk]),
                reporter_anonymous=anonymous,
                investigator=people.investigators[school.pk]
                if status in (s.INVESTIGATING, s.OUTCOME_SUBMITTED, s.CLOSED)
                else None,
                nature=rng.choice(["incident", "incident", "event", "weakness"]) if triaged else "",
                breach_status=rng.choice(["near_miss", "potential", "confirmed"]) if triaged else "",
                personal_data_breach=pdb,
                breach_types=["confidentiality"] if pdb == "yes" else [],
                incident_type=rng.choice(types) if triaged and types else None,
                severity=rng.choices([v for v, _ in SEVERITY_WEIGHTS], [w for _, w in SEVERITY_WEIGHTS])[0]
                if triaged
                else "",
                aware_on=triaged_on if pdb == "yes" else None,
                triaged_on=triaged_on,
                outcome_submitted_on=outcome_on,
                closed_on=closed_on,
                ico_decision=rng.choice(["record_only", "record_only", "report"]) if pdb == "yes" and closed else "",
                ico_decision_on=closed_on if pdb == "yes" and closed else None,
                duplicate_of_id=last_in_school.get(school.pk) if status == s.CLOSED_DUPLICATE else None,
            )
        )
        if status != s.CLOSED_DUPLICATE:
            last_in_school[school.pk] = pk
        ids.append(pk)
        if len(rows) >= batch:
            insert(rows)
            rows = []
    if rows:
        insert(rows)
    _reset_sequences(Incident)
    return ids


def insert(rows: list[Any]) -> None:
    """Write model instances in one statement: COPY on PostgreSQL, `bulk_create` elsewhere.

    The values are the fields' own database values (`get_db_prep_save`, after `pre_save` for
    `auto_now`), so a copied row is what `bulk_create` would have written."""
    model = type(rows[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows)
        return
    fields = [f for f in model._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields])


def _reset_sequences(*models: Any) -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _with_history(county: County, people: People) -> Any:
    """Six reports in the measured school through the product's own steps; returns the one the
    incident page is measured on (triaged, assigned, being investigated: a full timeline)."""
    from incidents import lifecycle
    from incidents.models import IncidentType, report_incident

    school = county.schools[0]
    manager = people.manager[school.pk]
    kind = IncidentType.objects.filter(organisation=None).first()
    shown = None
    for n in range(6):
        incident, _ = report_incident(
            organisation=school,
            reported_by=people.reporters[school.pk][n % 2],
            submission_key=None,
            fields={
                "description": f"A class list was sent to the wrong parent by email ({n}).",
                "location": "office",
                "information_involved": "pupil names and dates of birth",
                "personal_data": "yes",
            },
        )
        if n % 3 == 0:
            continue
        lifecycle.triage(
            incident,
            by=manager,
            severity="moderate",
            nature="incident",
            breach_status="potential",
            personal_data_breach="not_known",
            incident_type=kind,
        )
        incident.refresh_from_db()
        lifecycle.assign_investigator(incident, by=manager, investigator=people.investigators[school.pk])
        incident.refresh_from_db()
        lifecycle.start_investigation(incident, by=manager)
        shown = incident
    return shown


def settle(now: datetime | None = None) -> int:
    """Write what earlier scans would have left: an escalation for each need the scan's own
    `incident_needs` finds now, and each reporter told of the status their report has.
    Returns the escalations written. Running it again adds only what fell due since."""
    from deadlines.models import Deadline, Escalation, ReporterProgress
    from deadlines.scan import RECENTLY_CLOSED, incident_needs
    from incidents.models import Incident

    now = now or timezone.now()
    looked_at = Incident.objects.filter(status__in=Incident.OPEN_STATUSES) | Incident.objects.filter(
        closed_on__gte=now - RECENTLY_CLOSED
    )
    written = 0
    ids = list(looked_at.order_by("pk").values_list("pk", "organisation_id", "status", "reported_on"))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        due: dict[int, list[Any]] = {}
        for row in Deadline.objects.filter(incident_id__in=[c[0] for c in chunk], action__isnull=True):
            due.setdefault(row.incident_id, []).append(row)  # type: ignore[arg-type]
        escalations = [
            Escalation(
                organisation_id=org,
                incident_id=pk,
                kind=need.kind,
                threshold=need.threshold,
                due_on=need.due.due_at,
                created_on=now,
            )
            for pk, org, status, _ in chunk
            if status in Incident.OPEN_STATUSES
            for need in incident_needs(due.get(pk, []), now)
        ]
        Escalation.objects.bulk_create(escalations, ignore_conflicts=True)
        written += len(escalations)
        ReporterProgress.objects.bulk_create(
            [
                ReporterProgress(incident_id=pk, told_status=status, told_on=reported)
                for pk, _, status, reported in chunk
                if status != Incident.Status.REPORTED
            ],
            ignore_conflicts=True,
        )
    return written
