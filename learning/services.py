"""The steps of known errors and training: each atomic, each one event on the record."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.log import record
from core.exceptions import StepRefused
from incidents.models import Incident
from incidents.registry import publish
from lib import clock
from organisations.models import Membership, Organisation
from organisations.powers import powers

from . import search
from .models import KnownError, TrainingRecord

KNOWN_ERROR_FIELDS = ("title", "symptom", "cause", "workaround", "fix", "status")


def raise_known_error(incident: Incident, *, by: Any, **fields: Any) -> KnownError:
    """A handler raises a known error from `incident`; it is on the incident's record."""
    if not powers(by, incident.organisation).can_raise_known_error:
        raise StepRefused("Only the people who handle this incident can raise a known error from it.")
    now = clock.now()
    with transaction.atomic():
        known_error = KnownError.objects.create(
            incident=incident,
            organisation_id=incident.organisation_id,
            raised_by=by,
            raised_on=now,
            changed_on=now,
            **{name: fields.get(name, "") or "" for name in KNOWN_ERROR_FIELDS if name != "status"},
            status=fields.get("status") or KnownError.Status.WORKAROUND,
        )
        publish(
            incident,
            "known_error.raised",
            by,
            target=known_error,
            after={name: getattr(known_error, name) for name in KNOWN_ERROR_FIELDS},
            at=now,
        )
        search.index_known_error(known_error)
    return known_error


def change_known_error(known_error: KnownError, *, by: Any, **fields: Any) -> KnownError:
    if not powers(by, known_error.organisation).can_raise_known_error:
        raise StepRefused("Only the people who handle the incident it came from can change a known error.")
    with transaction.atomic():
        locked = KnownError.objects.select_for_update().select_related("incident").get(pk=known_error.pk)
        before = {name: getattr(locked, name) for name in KNOWN_ERROR_FIELDS}
        for name in KNOWN_ERROR_FIELDS:
            if name in fields:
                setattr(locked, name, fields[name] or "")
        after = {name: getattr(locked, name) for name in KNOWN_ERROR_FIELDS}
        changed = {name for name in KNOWN_ERROR_FIELDS if before[name] != after[name]}
        if not changed:
            return locked
        locked.changed_on = clock.now()
        locked.save()
        publish(
            locked.incident,
            "known_error.changed",
            by,
            target=locked,
            before={name: before[name] for name in sorted(changed)},
            after={name: after[name] for name in sorted(changed)},
        )
        search.index_known_error(locked)
    return locked


def _member_under(person: Any, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=person, organisation__path__startswith=organisation.path).exists()


def record_training(
    *, organisation: Organisation, person: Any, course: str, completed_on: date, by: Any
) -> TrainingRecord:
    """One completion, entered by a handler, for someone of `organisation` or beneath it."""
    if not powers(by, organisation).can_record_training:
        raise StepRefused("Only the people who handle incidents here can record training.")
    if not _member_under(person, organisation):
        raise StepRefused("That person is not one of this organisation's people.")
    with transaction.atomic():
        training, created = TrainingRecord.objects.get_or_create(
            person=person,
            course=course.strip(),
            completed_on=completed_on,
            defaults={"organisation": organisation, "recorded_by": by, "recorded_on": clock.now()},
        )
        if created:
            record(
                organisation_id=organisation.pk,
                action="training.recorded",
                actor=by,
                record=training,
                after={"person": person.email, "course": training.course, "completed_on": completed_on},
            )
    return training


# Column headings a training spreadsheet may use for each of ours (onboarding.tables matches them).
COLUMNS = {
    "email": {"email", "email address", "e mail", "work email"},
    "course": {"course", "training", "course name", "module"},
    "completed_on": {"completed", "completed on", "date completed", "completion date", "date"},
}


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)


def _date(text: str) -> date | None:
    from datetime import datetime

    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def import_training(*, organisation: Organisation, content: bytes, file_name: str, by: Any) -> ImportResult:
    """Completions from a CSV or XLSX file (email, course, completed); all or nothing.

    A row whose person is not one of the organisation's people, or whose date cannot be read,
    is a problem: nothing is added until there are none. One event records the import.
    """
    from accounts.models import User
    from onboarding.tables import read_rows

    if not powers(by, organisation).can_record_training:
        raise StepRefused("Only the people who handle incidents here can import training.")
    result = ImportResult()
    found, rows = read_rows(content, file_name, COLUMNS)
    missing = [name for name in COLUMNS if name not in found]
    if missing:
        result.problems.append("The file needs columns for the email address, the course and the date completed.")
        return result
    members = dict(
        User.objects.filter(
            memberships__organisation__path__startswith=organisation.path, email__isnull=False
        ).values_list("email", "pk")
    )
    members = {email.lower(): pk for email, pk in members.items()}
    wanted: list[tuple[int, str, date, str]] = []
    for number, values in rows:
        email = values["email"].strip().lower()
        completed = _date(values["completed_on"])
        course = values["course"].strip()
        if email not in members:
            result.problems.append(f"Row {number}: {email or 'no email'} is not one of this organisation's people.")
        elif not course:
            result.problems.append(f"Row {number}: no course.")
        elif completed is None or completed > timezone.localdate(clock.now()):
            result.problems.append(f"Row {number}: the date completed is not a date, or is in the future.")
        else:
            wanted.append((members[email], course[:200], completed, email))
    if result.problems:
        return result
    now = clock.now()
    with transaction.atomic():
        existing = set(
            TrainingRecord.objects.filter(person_id__in={w[0] for w in wanted}).values_list(
                "person_id", "course", "completed_on"
            )
        )
        new = []
        for person_id, course, completed, email in wanted:
            if (person_id, course, completed) in existing:
                result.already += 1
                continue
            existing.add((person_id, course, completed))
            new.append((person_id, course, completed, email))
        TrainingRecord.objects.bulk_create(
            [
                TrainingRecord(
                    organisation=organisation,
                    person_id=person_id,
                    course=course,
                    completed_on=completed,
                    source=TrainingRecord.Source.IMPORTED,
                    recorded_by=by,
                    recorded_on=now,
                )
                for person_id, course, completed, _ in new
            ]
        )
        result.added = len(new)
        record(
            organisation_id=organisation.pk,
            action="training.imported",
            actor=by,
            after={
                "file": file_name,
                "added": [{"person": e, "course": c, "completed_on": d} for _, c, d, e in new],
                "already_recorded": result.already,
            },
        )
    return result


def completion(organisation: Organisation, today: date | None = None) -> dict[str, int]:
    """The organisation's figure: of its people (and beneath), how many completed training in
    the last 12 months. Two aggregate queries, whatever the numbers."""
    from datetime import timedelta

    today = today or timezone.localdate(clock.now())
    people = (
        Membership.objects.filter(organisation__path__startswith=organisation.path).values("user_id").distinct().count()
    )
    trained = (
        TrainingRecord.objects.filter(
            person__memberships__organisation__path__startswith=organisation.path,
            completed_on__gt=today - timedelta(days=365),
            completed_on__lte=today,
        )
        .values("person_id")
        .distinct()
        .count()
    )
    percent = round(100 * trained / people) if people else 0
    return {"people": people, "trained": trained, "percent": percent}
