"""Third parties (suppliers, processors, other controllers) and the outside bodies told of an
incident.

- `ThirdParty`: one entry of an organisation's register; the register is inherited down the
  tree (a trust's suppliers serve its schools).
- `IncidentParty`: the third party involved in an incident, with "the processor told us on"
  and "we told the controller on".
- `BodyNotice`: one notice to an outside body (the police, the insurer or RPA, the DfE ...),
  or the record that a body on the incident's checklist need not be told, and why.
- `BodyRule`: which bodies an organisation tells of which incident types, each with its own
  deadline where the body sets one (inherited down the tree, overridable; with no rule
  anywhere, the built-in defaults of `incidents.builtins.BODIES_TOLD`).

When something is due is not worked out here: `deadlines.compute` reads these facts.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from incidents.models import Incident, IncidentType, child_queryset
from organisations.models import Organisation, Role


class Body(models.TextChoices):
    """The outside bodies an incident may be told to (the ICO is the breach record's)."""

    POLICE = "police", "Police or Action Fraud"
    INSURER = "insurer", "Insurer or the DfE Risk Protection Arrangement (RPA)"
    DFE = "dfe", "Department for Education (DfE)"
    NCSC = "ncsc", "National Cyber Security Centre (NCSC)"
    LA = "la", "Local authority"
    IT = "it", "IT provider"
    OTHER = "other", "Another body"


# What each body's reference is called, as the form and the page say it.
REFERENCE_LABELS: dict[str, str] = {
    Body.POLICE: "Crime reference number",
    Body.INSURER: "Policy number, and the claim or incident reference if given",
    Body.DFE: "DfE reference",
    Body.NCSC: "NCSC case reference",
    Body.LA: "Local authority reference",
    Body.IT: "IT provider's ticket or call reference",
    Body.OTHER: "Their reference",
}


class ThirdPartyQuerySet(models.QuerySet["ThirdParty"]):
    def visible_to(self, user: Any) -> "ThirdPartyQuerySet":
        """The entries of the registers `user` manages: of organisations where they are an admin,
        or beneath one."""
        return self.filter(organisation__in=Organisation.objects.visible_to(user, roles=[Role.ADMIN]))

    def serving(self, organisation: Organisation) -> "ThirdPartyQuerySet":
        """The register that applies to `organisation`: its own entries and those of every
        organisation above it."""
        return self.filter(organisation_id__in=organisation.ancestor_ids())


class ThirdParty(models.Model):
    """A supplier, a processor or another controller an organisation works with.

    Entered on the organisation's register by its admin; serves the organisation and every
    organisation beneath it. Never deleted once an incident names it: marked no longer used.
    """

    class Kind(models.TextChoices):
        PROCESSOR = "processor", "Processor: handles personal data for us"
        SUPPLIER = "supplier", "Supplier: provides goods or services, no personal data"
        CONTROLLER = "controller", "Another controller: we handle personal data for them"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="third_parties")
    name = models.CharField("name", max_length=200)
    kind = models.CharField("what they are to you", max_length=20, choices=Kind.choices)
    contact = models.CharField(
        "contact", max_length=300, blank=True, help_text="Who to speak to about an incident: name, email or phone."
    )
    contract_reference = models.CharField("contract or data processing agreement reference", max_length=200, blank=True)
    tell_within_hours = models.PositiveSmallIntegerField(
        "tell them within (hours)",
        default=24,
        help_text="For another controller only: how soon you must tell them of a breach of their data. "
        "The law says without undue delay; use what your agreement with them says.",
    )
    notes = models.TextField("notes", blank=True)
    is_active = models.BooleanField("still used", default=True)
    created_on = models.DateTimeField()

    objects = ThirdPartyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_third_party_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_controller(self) -> bool:
        return self.kind == self.Kind.CONTROLLER


class IncidentParty(models.Model):
    """The third party involved in an incident, and the notices between it and the organisation.

    `processor_told_us_on`: when a processor (or supplier) told the organisation of it.
    `controller_told_on`: when the organisation, as processor, told the controller: a due
    moment while it is empty (`deadlines.compute`), from when the organisation became aware.
    """

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="third_party_link")
    third_party = models.ForeignKey(ThirdParty, on_delete=models.PROTECT, related_name="incident_links")
    processor_told_us_on = models.DateTimeField("when they told you", null=True, blank=True)
    controller_told_on = models.DateTimeField("when you told them", null=True, blank=True)
    notes = models.TextField(blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    linked_on = models.DateTimeField()

    objects = child_queryset("incident").as_manager()

    def __str__(self) -> str:
        return f"{self.third_party} in {self.incident}"


class BodyNotice(models.Model):
    """One notice to an outside body, or the record that a body on the checklist need not be told.

    Outcomes: told (when, their reference, who made the notice) or not needed (why). Never
    edited: a later notice to the same body stands beside the earlier one, and the checklist
    reads the latest.
    """

    class Outcome(models.TextChoices):
        TOLD = "told", "Told"
        NOT_NEEDED = "not_needed", "Not needed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="body_notices")
    body = models.CharField(max_length=20, choices=Body.choices)
    body_name = models.CharField("which body", max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    told_on = models.DateTimeField("when they were told", null=True, blank=True)
    reference = models.CharField("their reference", max_length=200, blank=True)
    made_by = models.CharField("who told them", max_length=200, blank=True)
    reason = models.TextField("why they need not be told", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateTimeField()

    objects = child_queryset("incident").as_manager()

    class Meta:
        ordering = ["recorded_on", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_outcome_display()}"

    @property
    def name(self) -> str:
        return self.body_name if self.body == Body.OTHER and self.body_name else Body(self.body).label

    @property
    def reference_label(self) -> str:
        return REFERENCE_LABELS[self.body]


class BodyRule(models.Model):
    """Whether an organisation tells `body` of incidents of `incident_type`, and within how many
    hours where the body sets a deadline. Applies to the organisation and every organisation
    beneath it unless one of them has its own rule for the same type and body."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="body_rules")
    incident_type = models.ForeignKey(IncidentType, on_delete=models.CASCADE, related_name="body_rules")
    body = models.CharField(max_length=20, choices=Body.choices)
    applies = models.BooleanField(default=True)
    hours = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "incident_type", "body"], name="one_body_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_type}: {self.body}"
