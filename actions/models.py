"""The remedial action: something to be done so an incident does not happen again.

It lived in `incidents` until the actions app held the pages for it; the table keeps its
old name (`incidents_remedialaction`), so moving the model changed no row. Events written
before the move name their target "incidents.remedialaction" (see `labels`).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from incidents.models import Incident, visible_through
from organisations.models import HANDLER_ROLES, Organisation
from organisations.powers import paths_where

# The label events gave a remedial action before the model moved here; the record is
# append-only, so those events keep it.
LABEL_BEFORE_THE_MOVE = "incidents.remedialaction"


class RemedialActionQuerySet(models.QuerySet["RemedialAction"]):
    def visible_to(self, user: Any) -> "RemedialActionQuerySet":
        """An action of a visible incident; one with no incident (from a type review) to the
        handlers of its organisation; and every action to its owner, but for an action of a
        restricted incident the owner may not open (`Incident.objects.restricted_from`)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        handled = Organisation.objects.under_paths(paths_where(user, HANDLER_ROLES))
        return self.filter(
            visible_through(user, "incident")
            | Q(incident__isnull=True, organisation__in=handled)
            | (Q(owner=user) & ~Q(incident__in=Incident.objects.restricted_from(user).values("pk")))
        )


class RemedialAction(models.Model):
    """Something to be done so it does not happen again, with an owner and a due date.

    Raised from an investigation, an outcome report or a six-month type review (then with
    no incident). Open → done or cancelled (and back to open, with a reason). Stays
    trackable after its incident closes.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        INVESTIGATION = "investigation", "Investigation"
        OUTCOME_REPORT = "outcome_report", "Outcome report"
        TYPE_REVIEW = "type_review", "Six-month type review"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="remedial_actions")
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="remedial_actions"
    )
    title = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="remedial_actions"
    )
    due_on = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.INVESTIGATION)
    change_reference = models.CharField("change-management reference", max_length=100, blank=True)
    created_on = models.DateTimeField(auto_now_add=True)
    completed_on = models.DateTimeField(null=True, blank=True)

    objects = RemedialActionQuerySet.as_manager()

    class Meta:
        db_table = "incidents_remedialaction"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self) -> bool:
        """Open and past its stored deadline, as the deadlines app worked it out (its due date, else
        the organisation's timescale from when it was raised) and every list counts it.

        Asks the stored row itself (`Deadline.is_overdue`), reached by the relation's name: this
        app sits below deadlines and imports nothing from it.
        """
        if self.pk is None or self.status != self.Status.OPEN:
            return False
        try:
            row = self.deadline
        except ObjectDoesNotExist:
            return False
        return bool(row.is_overdue())

    @classmethod
    def labels(cls) -> list[str]:
        """Every label the record has named a remedial action by: today's and the one before the move."""
        return [cls._meta.label_lower, LABEL_BEFORE_THE_MOVE]
