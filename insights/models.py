"""What management reporting keeps: six-month type reviews, saved import mappings, imported rows.

Dashboards, the monitoring log and the governor pack are worked out from the incidents
each time and keep nothing of their own (every export and pack is an event on the record).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models

from actions.models import RemedialAction
from incidents.models import Incident, IncidentType
from organisations.models import Organisation


class TypeReview(models.Model):
    """The six-month re-evaluation of every incident type in an organisation's part of the tree (003).

    States: `open` when drafted (by the schedule or on demand) with its counts fixed at
    that moment; `completed` once a handler records that it was reviewed, by whom, and the
    actions decided. Counts are kept in `TypeReviewLine` so the record does not drift as
    incidents are later reclassified.
    """

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled (every six months)"
        ON_DEMAND = "on_demand", "On demand"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        COMPLETED = "completed", "Reviewed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="type_reviews")
    # The review compares the days from period_start to period_end (inclusive) with the
    # six months before: previous_start up to the day before period_start.
    previous_start = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField()
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_on = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateTimeField(null=True, blank=True)
    notes = models.TextField("what the review found", blank=True)
    actions = models.ManyToManyField(RemedialAction, through="TypeReviewAction", related_name="type_reviews")

    class Meta:
        db_table = "reports_typereview"
        ordering = ["-period_end", "-id"]
        constraints = [
            # A scheduled job that runs twice drafts one review, not two.
            models.UniqueConstraint(
                fields=["organisation", "period_end"],
                condition=models.Q(trigger="scheduled"),
                name="one_scheduled_review_per_org_and_date",
            )
        ]

    def __str__(self) -> str:
        return f"Type review of {self.organisation} to {self.period_end:%d %b %Y}"

    @property
    def previous_end(self) -> "datetime.date":
        return self.period_start - datetime.timedelta(days=1)

    @property
    def flagged_lines(self) -> list["TypeReviewLine"]:
        return [line for line in self.lines.all() if line.flagged]


class TypeReviewLine(models.Model):
    """One incident type in a review: the count in each six months and whether it has not fallen."""

    review = models.ForeignKey(TypeReview, on_delete=models.CASCADE, related_name="lines")
    incident_type = models.ForeignKey(IncidentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    type_name = models.CharField(max_length=150)
    previous_count = models.PositiveIntegerField()
    recent_count = models.PositiveIntegerField()
    flagged = models.BooleanField(default=False)

    class Meta:
        db_table = "reports_typereviewline"
        ordering = ["-flagged", "type_name"]

    def __str__(self) -> str:
        return self.type_name

    @property
    def change(self) -> int:
        return self.recent_count - self.previous_count


class TypeReviewAction(models.Model):
    """A remedial action decided in a review, for one of its types."""

    review = models.ForeignKey(TypeReview, on_delete=models.CASCADE)
    action = models.OneToOneField(RemedialAction, on_delete=models.CASCADE, related_name="type_review_link")
    line = models.ForeignKey(TypeReviewLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")

    class Meta:
        db_table = "reports_typereviewaction"

    def __str__(self) -> str:
        return f"{self.review}: {self.action}"


class ImportMapping(models.Model):
    """How an organisation's old breach log's columns map to incident fields; saved for next time.

    `columns` maps a field name (see insights.importer.FIELDS) to the heading of the column
    in the file that holds it.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="import_mapping")
    columns = models.JSONField(default=dict)
    updated_on = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "reports_importmapping"

    def __str__(self) -> str:
        return f"Import mapping of {self.organisation}"


class ImportBatch(models.Model):
    """An uploaded breach log, kept between the mapping, the dry run and the import.

    States: `uploaded` → `imported`. The file is held in the database (it is small and
    private) until it is imported; then only its name and SHA-256 digest are kept.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        IMPORTED = "imported", "Imported"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="import_batches")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_on = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    imported_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "reports_importbatch"
        ordering = ["-uploaded_on"]

    def __str__(self) -> str:
        return self.file_name


class ImportedRow(models.Model):
    """A row of an old breach log that became an incident: its fingerprint stops it coming in twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="import_row")
    batch = models.ForeignKey(ImportBatch, null=True, on_delete=models.SET_NULL, related_name="rows")
    row_number = models.PositiveIntegerField()

    class Meta:
        db_table = "reports_importedrow"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "fingerprint"], name="one_import_per_row_per_org")
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number} of {self.batch}"
