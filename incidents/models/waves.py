"""What a wave of reports keeps: tags, related incidents (duplicates are `Incident.duplicate_of`).

- `Tag`: a word an organisation files incidents under ("Phishing wave, March"), for counts and
  filters; an organisation's tags apply to the organisations beneath it too.
- `IncidentTag`: one incident filed under one tag, by whom and when.
- `RelatedLink`: two incidents said to be related, and why; stored once, shown on both.
- `BulkRun`: a step on a selection too large to take while the browser waits, taken by the
  worker a batch at a time (`incidents.lifecycle.bulk`).

The steps that change these live in `incidents.lifecycle.waves`.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from organisations.models import HANDLER_ROLES, Organisation

from .incident import Incident, IncidentChildQuerySet, child_queryset


class Tag(models.Model):
    """A tag of an organisation, inherited by the organisations beneath it. Removed tags stay on
    the incidents that carry them (`is_active` False) but are offered no more."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)
    is_active = models.BooleanField(default=True)
    created_on = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="one_tag_name_per_org")]

    def __str__(self) -> str:
        return self.name


def tags_for(organisation: Organisation) -> models.QuerySet[Tag]:
    """The tags an incident of `organisation` may carry: its own and those of the organisations above."""
    return Tag.objects.filter(organisation_id__in=organisation.ancestor_ids(), is_active=True)


def tags_visible_to(user: Any) -> models.QuerySet[Tag]:
    """The tags of every organisation whose incidents `user` handles, and of those above them:
    what the lists, the monitoring log and its counts filter by."""
    from organisations.powers import paths_where

    paths = paths_where(user, HANDLER_ROLES)
    if not paths:
        return Tag.objects.none()
    above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    return Tag.objects.filter(
        models.Q(organisation_id__in=above) | models.Q(organisation__in=Organisation.objects.under_paths(paths))
    ).order_by("name", "id")


class IncidentTag(models.Model):
    """One incident filed under one tag."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="taggings")
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    tagged_on = models.DateTimeField()

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "tag"], name="one_tagging_per_incident_tag")]

    def __str__(self) -> str:
        return f"{self.incident}: {self.tag}"


class RelatedLink(models.Model):
    """`incident` and `related` are related (the same sender, the same lost bag), and why.

    Visible with `incident` (the one it was linked from); the page of each shows the other
    only to someone who may open it.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links_from")
    related = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links_to")
    reason = models.TextField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    linked_on = models.DateTimeField()

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["linked_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "related"], name="one_link_per_pair"),
            models.CheckConstraint(condition=~models.Q(incident=models.F("related")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.incident} ~ {self.related}"


def links_of(incident: Incident) -> list[dict[str, Any]]:
    """Each incident related to `incident`, whichever side it was linked from, oldest link first."""
    rows = RelatedLink.objects.filter(models.Q(incident=incident) | models.Q(related=incident)).select_related(
        "incident__organisation", "related__organisation", "linked_by"
    )
    return [
        {"other": link.related if link.incident_id == incident.pk else link.incident, "link": link} for link in rows
    ]


class BulkRun(models.Model):
    """A step on more incidents than one request takes (a wave of hundreds), queued for the worker.

    What was chosen and asked is kept as it was on the bulk page: the incidents' ids in the
    order they are taken, the step's form values (ids for the tag, investigator, type and the
    incident kept). The worker takes them a batch at a time, each batch one transaction that
    also writes what it did here (`done`, `refused`), so a worker stopped half way loses nothing
    and a second worker, or the job run twice, never takes an incident twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Under way"
        FINISHED = "finished", "Finished"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=20)
    values = models.JSONField(default=dict)
    chosen = models.JSONField(default=list)  # the incidents' ids, in the order they are taken
    done = models.JSONField(default=list)  # ids the step was taken on
    refused = models.JSONField(default=list)  # [id, the step's words] it refused
    query = models.TextField(blank=True)  # the list's filter, for "Back to the list"
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    queued_on = models.DateTimeField()
    finished_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.step} on {len(self.chosen)} incidents ({self.state})"

    def remaining(self) -> list[int]:
        taken = set(self.done) | {pk for pk, _ in self.refused}
        return [pk for pk in self.chosen if pk not in taken]


__all__ = ["BulkRun", "IncidentTag", "RelatedLink", "Tag", "child_queryset", "links_of", "tags_for", "tags_visible_to"]
