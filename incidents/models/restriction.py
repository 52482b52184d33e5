"""Who else may see one incident: the people a restriction names, and outside help.

A restriction narrows: while an incident is restricted (`Incident.restricted_on` set), only
the people named here who would otherwise see it (a handler of its organisation or above, its
investigating officer) may open it; everyone else sees only that a restricted incident exists,
by reference and status (`Incident.objects.restricted_from`). Outside help widens: one named
person outside the organisation (a forensics firm, the trust's DPO) may open this one incident,
read-only or adding evidence, until a date. Both are read by `Incident.objects.visible_to`, the
one rule of who may see, and decided by `organisations.powers.Powers` (who may restrict, who may
invite). Every change is an event on the incident's record (`incidents.restriction`).
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from lib import clock

from .incident import Incident, IncidentChildQuerySet, child_queryset


class NamedPerson(models.Model):
    """One person a restricted incident stays open to. Kept after the restriction is lifted
    only until then: lifting removes the names (the events keep who they were)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="restriction_names")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_on = models.DateTimeField()

    objects = child_queryset("incident").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "person"], name="one_name_per_restriction")]

    def __str__(self) -> str:
        return f"{self.person} on {self.incident}"


class OutsideAccessQuerySet(IncidentChildQuerySet):
    incident_path = "incident"

    def current(self, now: Any = None) -> "OutsideAccessQuerySet":
        """Accepted, not ended, and before its end date: checked at request time, no job needed."""
        return self.filter(person__isnull=False, ended_on__isnull=True, ends_on__gt=now or clock.now())

    def lapsed(self, now: Any = None) -> "OutsideAccessQuerySet":
        """Past its end date but not yet tidied and recorded by the daily job."""
        return self.filter(ended_on__isnull=True, ends_on__lte=now or clock.now())


class OutsideAccess(models.Model):
    """Time-limited access to one incident for one named person outside the organisation.

    States: invited (an email with a signed link sent, `person` empty) → accepted (the person
    signed in or up with that address and a second factor) → ended (by hand, or at `ends_on`:
    access stops at that moment whatever the job does; the daily job records it).
    """

    class Mode(models.TextChoices):
        READ = "read", "Read only"
        CONTRIBUTE = "contribute", "Read and add evidence"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="outside_access")
    name = models.CharField("their name", max_length=150)
    firm = models.CharField("their organisation", max_length=150, blank=True)
    email = models.EmailField("their email address")
    mode = models.CharField("what they may do", max_length=20, choices=Mode.choices, default=Mode.READ)
    ends_on = models.DateTimeField("access ends")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_on = models.DateTimeField()
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = models.Manager.from_queryset(OutsideAccessQuerySet)()

    class Meta:
        ordering = ["-invited_on", "-id"]
        indexes = [models.Index(fields=["person", "ended_on", "ends_on"], name="outside_access_current_idx")]

    def __str__(self) -> str:
        return f"{self.name} on {self.incident}"

    def is_current(self, now: Any = None) -> bool:
        return self.person_id is not None and self.ended_on is None and self.ends_on > (now or clock.now())

    @property
    def state(self) -> str:
        if self.ended_on is not None or self.ends_on <= clock.now():
            return "Ended"
        return "Invited" if self.person_id is None else "Active"
