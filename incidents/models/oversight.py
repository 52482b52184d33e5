"""What is kept beside an incident's report as it is checked and overseen.

- `Correction`: a reported fact corrected by a handler, with the value before and after and
  why (policies 001/002 HOW5b: the incident manager verifies the details). The incident's
  own field holds the current value, so lists, the monitoring log and exports use it; the
  original is the first correction's `old`.
- `Oversight`: the DPO's oversight of an incident of any severity (policy 000 §3, 003): a
  request for advice, advice given, the DPO's review, a direction to the investigating
  officer, and the SIRO's sign-off of the outcome where the organisation asks for one.
- `SignOffSetting`: whether an organisation (and every organisation beneath it that sets
  nothing itself) asks the SIRO to sign off each outcome before closure.

Rows are written only by the lifecycle (`incidents.lifecycle.oversight`), each with its
event, and never changed or deleted.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import ExpressionWrapper, F, Func, Max, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, Mod, StrIndex
from django.utils import dateformat, timezone

from audit.sealing import SealedJSONField, SealedModel, SealedTextField
from organisations.models import Organisation

from .incident import Incident, IncidentChildQuerySet


def shown(field_name: str, value: Any) -> str:
    """A stored report value as the incident page shows it ("Not given" when empty)."""
    if value is None or value == "":
        return "Not given"
    field = Incident._meta.get_field(field_name)
    choices = dict(getattr(field, "choices", None) or ())
    if choices:
        return str(choices.get(value, value))
    if isinstance(field, models.DateTimeField):
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return dateformat.format(timezone.localtime(moment), "j F Y, H:i")
    return str(value)


class Correction(SealedModel):
    """One reported fact corrected: `field` went from `old` to `new`, for `reason`."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=40)  # one of Incident.REPORT_FIELDS
    old = SealedJSONField(encoder=DjangoJSONEncoder, null=True, blank=True, key_from="incident")
    new = SealedJSONField(encoder=DjangoJSONEncoder, null=True, blank=True, key_from="incident")
    reason = SealedTextField(key_from="incident")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_on = models.DateTimeField()

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["corrected_on", "id"]

    def __str__(self) -> str:
        return f"{self.label} corrected on {self.incident}"

    @property
    def label(self) -> str:
        name = str(Incident._meta.get_field(self.field).verbose_name)  # type: ignore[union-attr]
        return name[:1].upper() + name[1:]

    @property
    def old_shown(self) -> str:
        return shown(self.field, self.old)

    @property
    def new_shown(self) -> str:
        return shown(self.field, self.new)


class Oversight(SealedModel):
    """One act of oversight on an incident: asked, advised, reviewed, directed, signed off."""

    class Kind(models.TextChoices):
        ADVICE_REQUESTED = "advice_requested", "Advice asked of the DPO"
        ADVICE = "advice", "Advice from the DPO"
        REVIEWED = "reviewed", "Reviewed by the DPO"
        DIRECTION = "direction", "Direction to the investigating officer"
        SIGN_OFF = "sign_off", "Outcome signed off by the SIRO"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="oversight")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = SealedTextField(blank=True, key_from="incident")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateTimeField()
    # A direction: the investigating officer it was given to.
    to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.incident}"


class SignOffSetting(models.Model):
    """Whether the organisation asks the SIRO to sign off each outcome before the incident closes."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="sign_off_setting")
    siro_signs_off = models.BooleanField("the SIRO signs off each outcome", default=False)

    def __str__(self) -> str:
        return f"SIRO sign-off at {self.organisation}"

    @staticmethod
    def asked_by(organisation: Organisation) -> bool:
        """The nearest setting on the organisation or above decides; none anywhere: not asked."""
        ids = organisation.ancestor_ids()
        settings_here = SignOffSetting.objects.filter(organisation_id__in=ids)
        rows = dict(settings_here.values_list("organisation_id", "siro_signs_off"))
        return next((rows[pk] for pk in reversed(ids) if pk in rows), False)


def sign_off_asked_subquery() -> Func:
    """`SignOffSetting.asked_by` as an annotation of incidents (None where nothing is set), so a
    page of incidents asks it in its own query: the nearest setting on the organisation or above.

    An organisation's path names its ancestors' ids ("/1/2/27/"), so the settings on the path are
    found by their own organisation id, and the nearest is the one standing last in the path:
    the largest of (position times 2, plus the setting), whose last bit is the setting. Only the few
    settings are read for each incident (matched by joining organisations' paths, SQLite read
    all 576 organisations for each of a county's 2,000 open incidents on the home page: 1.3 s;
    SQLite refuses an outer column in a subquery's ORDER BY, hence the largest, not the first).
    """
    outer_path = ExpressionWrapper(OuterRef("organisation__path"), output_field=models.CharField())
    marker = Concat(Value("/"), Cast("organisation_id", models.CharField()), Value("/"))
    ranked = ExpressionWrapper(
        StrIndex(F("outer_path"), F("marker")) * 2 + Cast("siro_signs_off", models.IntegerField()),
        output_field=models.IntegerField(),
    )
    nearest = (
        SignOffSetting.objects.annotate(outer_path=outer_path, marker=marker)
        .filter(outer_path__contains=F("marker"))
        .annotate(everyone=Value(1))
        .values("everyone")
        .annotate(best=Max(ranked))
        .values("best")
    )
    return Mod(Subquery(nearest, output_field=models.IntegerField()), 2, output_field=models.IntegerField())
