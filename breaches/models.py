"""The personal data breach record: assessments, the DPO's decisions, ICO submissions, telling people.

Nothing here is ever overwritten: each assessment, decision, submission and notice to
individuals is a new row, and the incident's ICO fields (`ico_decision`, `ico_reported_on`,
`individuals_told_on` ...) hold the current position, written by the methods below in
the same transaction as their event.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone

from audit.log import record
from audit.sealing import SealedJSONField, SealedModel, SealedTextField
from core.exceptions import StepRefused
from incidents.models import Incident, IncidentChildQuerySet, child_queryset
from incidents.registry import publish

from . import engine

# The engine's outcome, as the incident's ICO decision. A public notice (Art. 34(3)(c)) is
# a way of telling the individuals, so it maps to "report and tell"; the decision's reason
# says which.
OUTCOME_TO_DECISION = {
    engine.OUTCOME_RECORD: Incident.IcoDecision.RECORD_ONLY,
    engine.OUTCOME_REPORT: Incident.IcoDecision.REPORT,
    engine.OUTCOME_REPORT_AND_TELL: Incident.IcoDecision.REPORT_AND_TELL,
    engine.OUTCOME_REPORT_AND_PUBLIC_NOTICE: Incident.IcoDecision.REPORT_AND_TELL,
}


def severity_clash(decision: str, severity: str) -> str:
    """Why `decision` contradicts the incident's `severity`, in plain words; empty when it does not.

    The severity scale says what the incident is (docs/assessment.md, "Suggested incident
    severity"): major means a breach likely to result in a risk to people, critical a likely
    high risk, minor one that is unlikely to. So "record only" on a major or critical incident,
    and any report to the ICO on a minor one, say two different things about the same breach:
    either can be right (the DPO knows the facts), but only with a reason on the record.
    Moderate sits between and contradicts neither.
    """
    serious = severity in Incident.SERIOUS_SEVERITIES
    if decision == Incident.IcoDecision.RECORD_ONLY and serious:
        return (
            f"This is a {severity} incident, but the decision is not to report it to the ICO: "
            "give the reason the breach is unlikely to result in a risk to the people affected."
        )
    reported = decision in (Incident.IcoDecision.REPORT, Incident.IcoDecision.REPORT_AND_TELL)
    if reported and severity == Incident.Severity.MINOR:
        return (
            "This is a minor incident, but the decision is to report it to the ICO: "
            "give the reason it is likely to result in a risk to the people affected."
        )
    return ""


class Assessment(SealedModel):
    """One version of the breach assessment: the facts as known then and the engine's result.

    Reassessing as facts change adds a version; every version is kept.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="breach_assessments")
    version = models.PositiveIntegerField()
    facts = SealedJSONField(key_from="incident")
    result = models.JSONField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateTimeField()

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["incident", "-version"]
        constraints = [models.UniqueConstraint(fields=["incident", "version"], name="one_assessment_version")]

    def __str__(self) -> str:
        return f"{self.incident} assessment {self.version}"

    @classmethod
    def record_assessment(
        cls, *, incident: Incident, facts: engine.Facts, by: Any, at: datetime | None = None
    ) -> "Assessment":
        """Run the engine on `facts` and keep the result as the next version, with its event.

        `at` backdates the record (demo data and imports); the UI always uses now.
        """
        if not incident.powers_of(by).can_assess_breach:
            raise StepRefused("Only the DPO or an incident manager can assess a breach.")
        incident.refuse_if_disposed()
        result = engine.assess(facts).to_dict()
        with transaction.atomic():
            Incident.objects.select_for_update().filter(pk=incident.pk).first()  # serialise versions and decisions
            last = cls.objects.filter(incident=incident).aggregate(m=Max("version"))["m"] or 0
            assessment = cls.objects.create(
                incident=incident,
                version=last + 1,
                facts=facts.to_dict(),
                result=result,
                assessed_by=by,
                assessed_on=at or timezone.now(),
            )
            record(
                organisation_id=incident.organisation_id,
                action="breach.assessed",
                actor=by,
                record=incident,
                target=assessment,
                after={
                    "version": assessment.version,
                    "outcome": result["outcome"],
                    "risk_level": result["risk_level"],
                    "suggested_severity": result["suggested_severity"],
                    "enisa_score": result["enisa"]["score"],
                },
                at=assessment.assessed_on,
            )
        forget_assessments(incident)
        return assessment

    @property
    def outcome_words(self) -> str:
        return engine.OUTCOMES[self.result["outcome"]]

    @property
    def engine_decision(self) -> str:
        return OUTCOME_TO_DECISION[self.result["outcome"]]

    def agreed_reason(self) -> str:
        """The reason recorded when the DPO agrees without writing one: the assessment's own."""
        reason = f"Agreed with assessment {self.version}: {self.outcome_words}."
        exemptions = self.result.get("exemptions", [])
        if "later_measures" in exemptions:
            notes = self.facts.get("later_measures_notes", "").strip()
            reason += (
                " The people affected are not told: measures taken since mean the high risk is no longer "
                f"likely (Art. 34(3)(b)). {notes}"
            ).rstrip()
        if "disproportionate_effort" in exemptions:
            reason += " Individuals are to be told by a public notice (Art. 34(3)(c))."
        if "unintelligible" in exemptions:
            reason += " The data was encrypted with the key safe, so unintelligible to others (Art. 34(3)(a))."
        return reason

    def fact_rows(self) -> list[tuple[str, str]]:
        """The facts in words, for the result page and the record."""
        return fact_rows(self.facts)


def fact_rows(facts: dict[str, Any]) -> list[tuple[str, str]]:
    def words(values: list[str], vocabulary: dict[str, str]) -> str:
        return "; ".join(vocabulary[v] for v in values) or "None given"

    def yes_no(value: Any) -> str:
        return "Not known" if value is None else "Yes" if value else "No"

    return [
        ("Data involved", words(facts.get("data_categories", []), engine.DATA_CATEGORIES)),
        ("Whose data", words(facts.get("data_subjects", []), engine.DATA_SUBJECTS)),
        ("Children involved", yes_no(facts.get("children_involved"))),
        ("Roughly how many people", str(facts.get("people_count") or "Not known")),
        ("Roughly how many records", str(facts.get("records_count") or "Not known")),
        ("Breach type", words(facts.get("breach_types", []), engine.BREACH_TYPES)),
        ("Who received or could reach the data", engine.RECIPIENTS.get(facts.get("recipient") or "", "Not known")),
        ("Encrypted with the key safe", yes_no(facts.get("encrypted_key_safe"))),
        ("Recovered or deletion confirmed", yes_no(facts.get("recovered_or_deleted"))),
        ("Evidence of copying", engine.EXFILTRATION.get(facts.get("exfiltration", "none"), "")),
        ("Working backup", yes_no(facts.get("backup_available"))),
        (
            "Hours to restore",
            "Not known" if facts.get("restoration_hours") is None else f"{facts['restoration_hours']:g}",
        ),
        ("Deliberate", yes_no(facts.get("malicious"))),
        ("Contained", yes_no(facts.get("contained"))),
        ("Likely consequences", words(facts.get("consequences", []), engine.CONSEQUENCES)),
        ("More about the consequences", facts.get("consequences_notes") or "None given"),
        # Issue 19's facts; an assessment made before them shows "Not known" or "None given".
        ("Harm that has already happened", words(facts.get("harm_materialised", []), engine.HARMS)),
        ("What happened to them", facts.get("harm_notes") or "None given"),
        ("How much of the most sensitive data", engine.DATA_EXTENTS.get(facts.get("data_extent") or "record", "")),
        ("Kinds of document", words(facts.get("document_kinds", []), engine.DOCUMENT_KINDS)),
        (
            "Can the recipient be relied on",
            engine.RELIABILITY.get(facts.get("recipient_reliability") or "", "Not asked, or does not apply"),
        ),
        ("Strongly hashed secrets", yes_no(facts.get("hashed_strong", False))),
        ("Pseudonymised", yes_no(facts.get("pseudonymised", False))),
        (
            "Hours out of reach",
            "Not known" if facts.get("unavailable_hours") is None else f"{facts['unavailable_hours']:g}",
        ),
        ("Effect on services", engine.SERVICE_EFFECTS.get(facts.get("service_effect") or "", "Not known")),
        ("How much about each person", engine.VOLUMES.get(facts.get("volume_per_person") or "", "Not known")),
        ("Lets someone build a profile", yes_no(facts.get("profiling", False))),
        ("Already publicly available", yes_no(facts.get("publicly_available", False))),
    ]


class Decision(SealedModel):
    """The DPO's decision on an assessment: agree with the engine, or override with a reason.

    The only way the ICO decision is made: `decide` writes the outcome onto the incident's
    `ico_decision*` fields (the stored outcome other apps filter on) in the same transaction.
    `severity` is the incident's severity when the decision was made, so a later change of
    severity that contradicts the decision is seen (`closure_blockers`).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="decisions")
    agrees = models.BooleanField()
    decision = models.CharField(max_length=20, choices=Incident.IcoDecision.choices)
    reason = SealedTextField(blank=True, key_from="assessment.incident")
    severity = models.CharField(max_length=20, choices=Incident.Severity.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateTimeField()

    objects = child_queryset("assessment__incident").as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_decision_display()}"

    @classmethod
    def decide(
        cls,
        *,
        assessment: Assessment,
        by: Any,
        agrees: bool,
        decision: str = "",
        reason: str = "",
        at: datetime | None = None,
    ) -> "Decision":
        """Record the DPO's decision and write it onto the incident's ICO fields, with one event.

        A reason is needed to override the assessment, and for any decision that contradicts
        the incident's severity (`severity_clash`), agreeing or not.
        """
        incident = assessment.incident
        if not incident.powers_of(by).can_decide_breach:
            raise StepRefused("Only the DPO can record the decision on telling the ICO.")
        given = reason.strip()
        if agrees:
            decision = assessment.engine_decision
        elif decision not in Incident.IcoDecision.values:
            raise StepRefused("Choose the decision you are making instead.")
        elif not given:
            raise StepRefused("Give the reason for not following the assessment.")
        reason = given or assessment.agreed_reason()
        now = at or timezone.now()
        with transaction.atomic():
            # The incident's lock also serialises reassessment, so "latest" cannot change under us.
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            latest = Assessment.objects.filter(incident=incident).order_by("-version").first()
            if latest is None or latest.pk != assessment.pk:
                raise StepRefused("Decide on the latest assessment: the facts have been reassessed since.")
            clash = severity_clash(decision, locked.severity)
            if clash and not given:
                raise StepRefused(clash)
            before = {"ico_decision": locked.ico_decision, "ico_decision_reason": locked.ico_decision_reason}
            made = cls.objects.create(
                assessment=assessment,
                agrees=agrees,
                decision=decision,
                reason=reason,
                severity=locked.severity,
                decided_by=by,
                decided_on=now,
            )
            # Saved, not update(): the reason is sealed as the row is saved (decision 0038).
            locked.ico_decision, locked.ico_decision_reason = decision, reason
            locked.ico_decision_on, locked.ico_decided_by = now, by
            locked.save(update_fields=["ico_decision", "ico_decision_reason", "ico_decision_on", "ico_decided_by"])
            publish(
                incident,
                "breach.decided",
                by,
                target=made,
                before=before,
                after={
                    "ico_decision": decision,
                    "agrees_with_assessment": agrees,
                    "assessment_version": assessment.version,
                    "engine_outcome": assessment.result["outcome"],
                    "severity": locked.severity,
                },
                reason=reason,
                at=now,
            )
        incident.refresh_from_db()
        return made


class ReportDetails(SealedModel):
    """What the ICO's report form asks that the incident and the assessment do not already hold."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="breach_report_details")
    cyber_incident = models.BooleanField("was it a cyber incident", default=False)
    how_discovered = SealedTextField("how the breach was discovered", blank=True, key_from="incident")
    systems_effect = SealedTextField("for cyber incidents: the effect on systems", blank=True, key_from="incident")
    recovery_time = models.CharField(
        "for cyber incidents: how long recovery took or will take", max_length=200, blank=True
    )
    staff_involved = SealedTextField(
        "staff involved and their data protection training", blank=True, key_from="incident"
    )
    measures_before = SealedTextField("measures in place beforehand", blank=True, key_from="incident")
    containment = SealedTextField("containment and recovery", blank=True, key_from="incident")
    recurrence_steps = SealedTextField("steps taken to stop it happening again", blank=True, key_from="incident")
    other_bodies_told = SealedTextField(
        "other bodies told (police, NCSC, other regulators)", blank=True, key_from="incident"
    )
    ico_registration_number = models.CharField("ICO registration number", max_length=40, blank=True)
    advice_to_individuals = SealedTextField(
        "what the people affected can do to protect themselves", blank=True, key_from="incident"
    )
    updated_on = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = IncidentChildQuerySet.as_manager()

    EDITABLE = (
        "cyber_incident",
        "how_discovered",
        "systems_effect",
        "recovery_time",
        "staff_involved",
        "measures_before",
        "containment",
        "recurrence_steps",
        "other_bodies_told",
        "ico_registration_number",
        "advice_to_individuals",
    )

    def __str__(self) -> str:
        return f"ICO report details for {self.incident}"


class IcoSubmission(SealedModel):
    """A report made to the ICO: the first, or a follow-up (reporting in phases), and its response."""

    class Phase(models.TextChoices):
        INITIAL = "initial", "Initial report"
        FOLLOW_UP = "follow_up", "Follow-up report"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="ico_submissions")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    submitted_on = models.DateTimeField("submitted to the ICO on")
    ico_reference = models.CharField("ICO case reference", max_length=60, blank=True)
    delay_reason = SealedTextField("reasons for reporting after 72 hours", blank=True, key_from="incident")
    ico_response = SealedTextField("the ICO's response", blank=True, key_from="incident")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateTimeField(auto_now_add=True)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} on {self.incident}"

    @classmethod
    def record_submission(
        cls,
        *,
        incident: Incident,
        by: Any,
        submitted_on: datetime,
        ico_reference: str = "",
        delay_reason: str = "",
        ico_response: str = "",
        at: datetime | None = None,
    ) -> "IcoSubmission":
        from .clock import ico_deadline

        if not incident.powers_of(by).can_assess_breach:
            raise StepRefused("Only the DPO or an incident manager can record a report to the ICO.")
        if submitted_on > timezone.now() + timedelta(minutes=5):
            raise StepRefused("The submission date cannot be in the future.")
        with transaction.atomic():
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            first = not cls.objects.filter(incident=incident).exists()
            deadline = ico_deadline(locked)
            if first and deadline is not None and submitted_on > deadline and not delay_reason.strip():
                raise StepRefused("This report is after the 72 hours: give the reasons for the delay.")
            reference = ico_reference.strip() or locked.ico_reference
            submission = cls.objects.create(
                incident=incident,
                phase=cls.Phase.INITIAL if first else cls.Phase.FOLLOW_UP,
                submitted_on=submitted_on,
                ico_reference=reference,
                delay_reason=delay_reason.strip(),
                ico_response=ico_response.strip(),
                recorded_by=by,
            )
            changes: dict[str, Any] = {"ico_reference": reference}
            if locked.ico_reported_on is None:
                changes["ico_reported_on"] = submitted_on
            before = {name: getattr(locked, name) for name in changes}
            Incident.objects.filter(pk=incident.pk).update(**changes)
            publish(
                incident,
                "breach.ico_reported",
                by,
                target=submission,
                before=before,
                after=changes | {"phase": submission.phase, "submitted_on": submitted_on},
                reason=submission.delay_reason,
                at=at,
            )
        incident.refresh_from_db()
        return submission


def record_ico_response(*, incident: Incident, by: Any, response: str, received_on: datetime) -> IcoSubmission:
    """The ICO answered: add its response, dated, to the latest report made to it, with an event."""
    if not incident.powers_of(by).can_assess_breach:
        raise StepRefused("Only the DPO or an incident manager can record the ICO's response.")
    response = response.strip()
    if not response:
        raise StepRefused("Write down what the ICO said.")
    with transaction.atomic():
        submission = (
            IcoSubmission.objects.select_for_update().filter(incident=incident).order_by("-submitted_on", "-id").first()
        )
        if submission is None:
            raise StepRefused("Record the report made to the ICO before its response.")
        before = submission.ico_response
        entry = f"{timezone.localtime(received_on):%-d %B %Y}: {response}"
        submission.ico_response = f"{before}\n{entry}".strip()
        submission.save(update_fields=["ico_response"])
        record(
            organisation_id=incident.organisation_id,
            action="breach.ico_response",
            actor=by,
            record=incident,
            target=submission,
            before={"ico_response": before},
            after={"ico_response": submission.ico_response, "received_on": received_on},
        )
    return submission


class IndividualsNotice(models.Model):
    """The people affected were told: when, how, and to how many (Art. 34)."""

    class Method(models.TextChoices):
        LETTER = "letter", "Letter"
        EMAIL = "email", "Email"
        PUBLIC_NOTICE = "public_notice", "Public notice"
        IN_PERSON = "in_person", "In person or by phone"

    class Audience(models.TextChoices):
        PARENTS = "parents", "Parents and carers"
        STAFF = "staff", "Staff"
        PUPILS = "pupils", "Older pupils"
        PUBLIC = "public", "The public (public notice)"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="individuals_notices")
    told_on = models.DateTimeField("told on")
    method = models.CharField(max_length=20, choices=Method.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    how_many = models.PositiveIntegerField("how many people were told", null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateTimeField(auto_now_add=True)

    objects = IncidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["told_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} told on {self.incident}"

    @classmethod
    def record_notice(
        cls,
        *,
        incident: Incident,
        by: Any,
        told_on: datetime,
        method: str,
        audience: str,
        how_many: int | None,
        notes: str = "",
        at: datetime | None = None,
    ) -> "IndividualsNotice":
        if not incident.powers_of(by).can_assess_breach:
            raise StepRefused("Only the DPO or an incident manager can record that people were told.")
        if told_on > timezone.now() + timedelta(minutes=5):
            raise StepRefused("The date people were told cannot be in the future.")
        with transaction.atomic():
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            notice = cls.objects.create(
                incident=incident,
                told_on=told_on,
                method=method,
                audience=audience,
                how_many=how_many,
                notes=notes.strip(),
                recorded_by=by,
            )
            if locked.individuals_told_on is None:
                Incident.objects.filter(pk=incident.pk).update(individuals_told_on=told_on)
            record(
                organisation_id=incident.organisation_id,
                action="breach.individuals_told",
                actor=by,
                record=incident,
                target=notice,
                after={"told_on": told_on, "method": method, "audience": audience, "how_many": how_many},
                at=at,
            )
        incident.refresh_from_db()
        return notice


def record_not_a_breach(*, incident: Incident, by: Any, reason: str) -> None:
    """Triage found no personal data was compromised: say so on the incident, with the reason, as an event.

    It stays an internal record (the incident is not deleted); the ICO clock stops.
    """
    if not incident.powers_of(by).can_assess_breach:
        raise StepRefused("Only the DPO or an incident manager can record that this is not a personal data breach.")
    reason = reason.strip()
    if not reason:
        raise StepRefused("Give the reason no personal data was compromised.")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        before = {"personal_data_breach": locked.personal_data_breach}
        Incident.objects.filter(pk=incident.pk).update(personal_data_breach=Incident.PersonalDataBreach.NO)
        publish(
            incident,
            "breach.not_a_breach",
            by,
            before=before,
            after={"personal_data_breach": Incident.PersonalDataBreach.NO},
            reason=reason,
        )
    incident.refresh_from_db()


ASSESSMENTS = "breach_assessments"


def assessments_newest_first(incident: Incident) -> list[Assessment]:
    """The incident's assessments, newest first, each with the latest decision's facts beside it.

    Fetched once per incident object, in one query, as a prefetch of the relation: the
    incident page's breach panel and the close step's blocker share it. `refresh_from_db`
    forgets it, and so does recording an assessment or a decision on this incident object.
    """
    prefetch_assessments([incident])
    return list(getattr(incident, ASSESSMENTS).all())


def prefetch_assessments(incidents: Sequence[Incident]) -> None:
    """Fetch the assessments of every incident in `incidents` that has not got them yet, in one
    query: a page that asks the close step's blockers of many incidents (the home) costs the
    same however many there are."""
    wanted = [i for i in incidents if ASSESSMENTS not in i.__dict__.setdefault("_prefetched_objects_cache", {})]
    if not wanted:
        return
    prefetch_related_objects(wanted, Prefetch(ASSESSMENTS, queryset=assessments_query()))


def assessments_query() -> QuerySet[Assessment]:
    """Assessments newest first, each with the incident's latest decision beside it."""
    decided = Decision.objects.filter(assessment__incident=OuterRef("incident")).order_by("-decided_on", "-id")
    return Assessment.objects.order_by("-version").annotate(
        decided_on_assessment=Subquery(decided.values("assessment_id")[:1]),
        decided_as=Subquery(decided.values("decision")[:1]),
        decided_at_severity=Subquery(decided.values("severity")[:1]),
    )


def forget_assessments(incident: Incident) -> None:
    getattr(incident, "_prefetched_objects_cache", {}).pop(ASSESSMENTS, None)


def latest_assessment(incident: Incident) -> Assessment | None:
    assessments = assessments_newest_first(incident)
    return assessments[0] if assessments else None


def latest_decision(incident: Incident) -> Decision | None:
    return Decision.objects.filter(assessment__incident=incident).select_related("assessment").first()


def closure_blockers(incident: Incident) -> list[str]:
    """What the breach record needs before a personal data breach may close (registered on "close").

    The lifecycle refuses to close with these words and the incident page lists the same
    words, so the two never disagree. It reads the assessments the breach panel reads
    (`assessments_newest_first`), with the latest decision beside them.
    """
    if incident.personal_data_breach != Incident.PersonalDataBreach.YES:
        return []
    latest: Any = latest_assessment(incident)
    if latest is None:
        return [
            "This is a personal data breach: assess it on the breach record (the risk to the people affected), "
            "then the DPO records the decision on telling the ICO."
        ]
    if latest.decided_on_assessment is None:
        return ["This is a personal data breach: the DPO records the decision on telling the ICO on the breach record."]
    if latest.decided_on_assessment != latest.pk:
        return [
            f"The breach was reassessed (assessment {latest.version}) after the DPO's decision: "
            "the DPO decides again on the latest assessment."
        ]
    decision = latest.decided_as
    if latest.decided_at_severity != incident.severity and severity_clash(decision, incident.severity):
        return [
            f"The severity is now {incident.severity}, and the decision "
            f"({Incident.IcoDecision(decision).label.lower()}) was made before: "
            "the DPO records the decision again, with the reason it stands."
        ]
    return []
