"""Lessons and known errors that people can find, and who completed which training.

- `SearchEntry`: one row per thing the search finds (an incident, an accepted outcome report's
  lessons, a known error) and per place a person may be named ("find a person": the report's
  people, its reporter, a message, a note, an evidence file's name, the breach record, a
  correction, the outcome report), its words normalised (`learning/search.py`) so SQLite FTS5 and
  PostgreSQL's full-text index match the same words. The engine's index over it is made by
  the migration (an FTS5 table kept by triggers; a generated tsvector column with a GIN index).
- `KnownError`: a known error raised from an incident (004 7.13): symptom, cause, workaround,
  fix. States: workaround known, fixed, no longer applies.
- `TrainingRecord`: a person completed a course on a day (entered or imported).
"""

from django.conf import settings
from django.db import models

from audit.sealing import SealedCharField, SealedModel, SealedTextField
from incidents.models import Incident
from incidents.models.incident import child_queryset
from organisations.models import HANDLER_ROLES, Organisation
from organisations.powers import paths_where


class SearchEntry(SealedModel):
    """What the search finds, derived from its source and rewritten in the source's transaction.

    Visible exactly when its incident is: known errors and lessons are found by those who may
    open the incident they came from.
    """

    class Kind(models.TextChoices):
        INCIDENT = "incident", "Incident"
        LESSON = "lesson", "Lesson"
        KNOWN_ERROR = "known_error", "Known error"
        # Where a person may be named ("find a person", docs/find-a-person.md): `key` is the
        # source row's id (the incident's for the report's people, its reporter and its breach record).
        PEOPLE = "people", "The report's people"
        REPORTER = "reporter", "Reporter"
        MESSAGE = "message", "Reporter message"
        NOTE = "note", "Note"
        EVIDENCE = "evidence", "Evidence file name"
        BREACH = "breach", "Breach record"
        CORRECTION = "correction", "Correction"
        OUTCOME = "outcome", "Outcome report"

    # What the Search page, the incident list and "similar" look in; the others are find a person's.
    SEARCHED = (Kind.INCIDENT, Kind.LESSON, Kind.KNOWN_ERROR)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.BigIntegerField()  # the source's primary key
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # Copies of the incident's words, so sealed under its key (decision 0038); `body` holds blind words.
    title = SealedCharField(max_length=300, key_from="incident")
    excerpt = SealedTextField(blank=True, key_from="incident")
    body = models.TextField()  # blind words, one space apart, a space at each end (learning/search.py)
    words = models.PositiveIntegerField()

    objects = child_queryset("incident").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="learning_search_entry_once")]
        indexes = [
            models.Index(fields=["incident"], name="learning_search_incident"),
            # A school's or trust's own entries of a kind: what its searches read (search.matching).
            models.Index(fields=["organisation", "kind"], name="learning_search_org_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class KnownError(models.Model):
    """A known error: what people see, why, how to work around it, and the fix (004 7.13).

    Raised by a handler from the incident it was found in, and linked back to it; offered to
    handlers triaging an incident like it. Status: workaround known, fixed, no longer applies.
    """

    class Status(models.TextChoices):
        WORKAROUND = "workaround", "Workaround known"
        FIXED = "fixed", "Fixed"
        RETIRED = "retired", "No longer applies"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="known_errors")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    symptom = models.TextField()
    cause = models.TextField(blank=True)
    workaround = models.TextField(blank=True)
    fix = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WORKAROUND)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateTimeField()
    changed_on = models.DateTimeField()

    objects = child_queryset("incident").as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return self.title


class TrainingQuerySet(models.QuerySet["TrainingRecord"]):
    def visible_to(self, user: object) -> "TrainingQuerySet":
        """Training of the people of the organisations where `user` handles incidents (and beneath)."""
        paths = paths_where(user, HANDLER_ROLES) if getattr(user, "is_authenticated", False) else set()
        if not paths:
            return self.none()
        return self.filter(organisation__in=Organisation.objects.under_paths(paths))


class TrainingRecord(models.Model):
    """One person completed one course on one day, in one organisation (entered or imported)."""

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered"
        IMPORTED = "imported", "Imported"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training")
    course = models.CharField(max_length=200)
    completed_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ENTERED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateTimeField()

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "course", "completed_on"], name="learning_training_once")
        ]
        indexes = [models.Index(fields=["organisation", "completed_on"], name="learning_training_org")]

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on})"
