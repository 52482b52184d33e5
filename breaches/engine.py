"""The personal data breach assessment: facts in, result and reasons out.

Plain Python on purpose: no Django, no database. The form, the `assess_breach` command
and the API all call `assess(facts)`, so one set of rules gives one answer everywhere.
The rules model the published methods (UK GDPR Art. 33-34 and the ICO's guidance on
personal data breaches, the EDPB Guidelines 9/2022 on breach notification, and ENISA's
2013 methodology for the severity of personal data breaches); `docs/assessment.md` gives
the reasoning behind every rule. They are a general model, not a table of known cases:
no scenario is matched by name.

Every rule is monotone in the facts that make a breach worse (more sensitive data,
children, malice, exfiltration, wider exposure) and in those that make it better
(encryption with the key safe, confirmed deletion, a quick restore); the property tests
in tests/test_breach_engine.py hold the engine to that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# ---------------------------------------------------------------------------------------
# The vocabulary of the facts. Keys are stable (stored in JSON); labels are for people.

DATA_CATEGORIES: dict[str, str] = {
    "basic_identifiers": "basic identifiers (names, dates of birth, pupil numbers)",
    "contact_details": "contact details (addresses, phone numbers, email addresses)",
    "education_records": "education records (attainment, attendance, reports)",
    "sen": "special educational needs",
    "safeguarding": "safeguarding or child protection information",
    "health": "health information",
    "special_category_other": "other special category data (ethnicity, religion, sexual life or orientation, "
    "biometrics, trade union membership, political opinions)",
    "criminal_offence": "criminal offence data",
    "financial": "financial information",
    "login_credentials": "login credentials",
    "identity_numbers": "official identity numbers (National Insurance, passport)",
    "location": "location information",
}
DATA_SUBJECTS: dict[str, str] = {
    "pupils": "pupils",
    "parents_carers": "parents and carers",
    "staff": "staff",
    "governors": "governors",
    "vulnerable_adults": "vulnerable adults",
    "others": "others",
}
BREACH_TYPES: dict[str, str] = {
    "confidentiality": "confidentiality (seen or taken by someone who should not have it)",
    "integrity": "integrity (changed or corrupted)",
    "availability": "availability (lost, or could not be reached)",
}
RECIPIENTS: dict[str, str] = {
    "authorised_colleague": "an authorised colleague",
    "trusted_party_deleted": "a trusted party under a duty of confidence who confirmed deletion",
    "known_individual": "a known individual",
    "unknown_or_public": "unknown people or the public",
    "malicious_actor": "a malicious actor",
}
EXFILTRATION: dict[str, str] = {"none": "no evidence", "suspected": "suspected", "confirmed": "confirmed"}
CONSEQUENCES: dict[str, str] = {
    "distress": "distress",
    "discrimination": "discrimination",
    "identity_fraud": "identity theft or fraud",
    "financial_loss": "financial loss",
    "physical_harm": "physical harm or a safeguarding risk",
    "reputation": "damage to reputation",
    "professional_secrecy": "loss of confidentiality of information under professional secrecy",
}

# Levels used for likelihood and impact (0-3).
LIKELIHOOD_WORDS = ("remote", "possible", "likely", "very likely")
IMPACT_WORDS = ("minimal", "limited", "significant", "severe")

RISK_NONE, RISK, RISK_HIGH = "unlikely", "risk", "high"
RISK_WORDS = {
    RISK_NONE: "unlikely to result in a risk to individuals",
    RISK: "likely to result in a risk to individuals",
    RISK_HIGH: "likely to result in a high risk to individuals",
}

OUTCOME_RECORD = "record_only"
OUTCOME_REPORT = "report_to_ico"
OUTCOME_REPORT_AND_TELL = "report_to_ico_and_tell_individuals"
OUTCOME_REPORT_AND_PUBLIC_NOTICE = "report_to_ico_and_public_notice"
OUTCOMES: dict[str, str] = {
    OUTCOME_RECORD: "Record it only: it does not need to be reported to the ICO",
    OUTCOME_REPORT: "Report it to the ICO within 72 hours of becoming aware",
    OUTCOME_REPORT_AND_TELL: "Report it to the ICO within 72 hours and tell the people affected without undue delay",
    OUTCOME_REPORT_AND_PUBLIC_NOTICE: (
        "Report it to the ICO within 72 hours and publish a public notice, because contacting each person "
        "would take disproportionate effort"
    ),
}
# Order of seriousness, for comparing outcomes (a public notice replaces telling people).
OUTCOME_RANK = {OUTCOME_RECORD: 0, OUTCOME_REPORT: 1, OUTCOME_REPORT_AND_TELL: 2, OUTCOME_REPORT_AND_PUBLIC_NOTICE: 2}

SEVERITIES = ("minor", "moderate", "major", "critical")
ENISA_BANDS = ("low", "medium", "high", "very high")

# Thresholds, named so docs/assessment.md can quote them.
QUICK_RESTORE_HOURS = 24  # restored within a day: no lasting loss of availability
LONG_RESTORE_HOURS = 7 * 24  # unavailable beyond a week: harm is likely
MANY_PEOPLE = 1000  # a large breach: impact and ENISA context raised by one step

# How much harm each kind of data can do if it escapes (impact level 0-3), and its ENISA
# data processing context basic score (1 simple, 2 behavioural, 3 financial, 4 sensitive).
CATEGORY_IMPACT = {
    "basic_identifiers": 0,
    "contact_details": 1,
    "education_records": 1,
    "location": 2,
    "login_credentials": 2,
    "identity_numbers": 2,
    "financial": 2,
    "sen": 3,
    "safeguarding": 3,
    "health": 3,
    "special_category_other": 3,
    "criminal_offence": 3,
}
CATEGORY_DPC = {
    "basic_identifiers": 1,
    "contact_details": 1,
    "education_records": 1,
    "location": 2,
    "login_credentials": 2,
    "identity_numbers": 3,
    "financial": 3,
    "sen": 4,
    "safeguarding": 4,
    "health": 4,
    "special_category_other": 4,
    "criminal_offence": 4,
}
SPECIAL = frozenset({"sen", "safeguarding", "health", "special_category_other", "criminal_offence"})
DIRECT_IDENTIFIERS = frozenset({"basic_identifiers", "contact_details", "identity_numbers", "login_credentials"})
# What a consequence, once judged likely, says about impact at the least.
CONSEQUENCE_IMPACT = {
    "distress": 1,
    "reputation": 1,
    "financial_loss": 2,
    "identity_fraud": 2,
    "professional_secrecy": 2,
    "discrimination": 3,
    "physical_harm": 3,
}
# Likelihood of harm from a confidentiality breach, by who could reach the data.
RECIPIENT_LIKELIHOOD = {
    "authorised_colleague": 0,
    "trusted_party_deleted": 0,
    "known_individual": 1,
    "unknown_or_public": 2,
    "malicious_actor": 3,
}


class FactsError(ValueError):
    """The facts cannot be assessed; the message says which field and why, in plain words."""


@dataclass(frozen=True)
class Facts:
    """What the risk turns on. Every field has a cautious default, so partial facts assess."""

    data_categories: frozenset[str] = frozenset()
    data_subjects: frozenset[str] = frozenset()
    children_involved: bool = False
    people_count: int | None = None
    records_count: int | None = None
    breach_types: frozenset[str] = frozenset({"confidentiality"})
    recipient: str | None = None
    encrypted_key_safe: bool = False
    recovered_or_deleted: bool = False
    exfiltration: str = "none"
    backup_available: bool | None = None
    restoration_hours: float | None = None
    malicious: bool = False
    contained: bool = False
    consequences: frozenset[str] = frozenset()
    consequences_notes: str = ""
    # Art. 34(3) exemptions that only people can judge; the engine records and applies them.
    later_measures_remove_high_risk: bool = False
    later_measures_notes: str = ""
    contact_disproportionate: bool = False

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Facts:
        """Facts from JSON-like data (the command's file, a stored assessment), checked."""
        if not isinstance(data, Mapping):
            raise FactsError("The facts must be a JSON object.")
        unknown = sorted(set(data) - set(cls.fields()))
        if unknown:
            raise FactsError(f"Unknown fields: {', '.join(unknown)}.")
        kwargs: dict[str, Any] = {}
        for name, vocabulary in (
            ("data_categories", DATA_CATEGORIES),
            ("data_subjects", DATA_SUBJECTS),
            ("breach_types", BREACH_TYPES),
            ("consequences", CONSEQUENCES),
        ):
            if name in data:
                kwargs[name] = _choices(name, data[name], vocabulary)
        for name, vocabulary in (("recipient", RECIPIENTS), ("exfiltration", EXFILTRATION)):
            value = data.get(name)
            if value in (None, "") and name == "recipient":
                kwargs[name] = None
            elif name in data:
                if value not in vocabulary:
                    raise FactsError(f"{name} must be one of: {', '.join(vocabulary)} (got {value!r}).")
                kwargs[name] = value
        for name in (
            "children_involved",
            "encrypted_key_safe",
            "recovered_or_deleted",
            "malicious",
            "contained",
            "later_measures_remove_high_risk",
            "contact_disproportionate",
        ):
            if name in data:
                if not isinstance(data[name], bool):
                    raise FactsError(f"{name} must be true or false.")
                kwargs[name] = data[name]
        if "backup_available" in data:
            if data["backup_available"] is not None and not isinstance(data["backup_available"], bool):
                raise FactsError("backup_available must be true, false or null.")
            kwargs["backup_available"] = data["backup_available"]
        for name in ("people_count", "records_count", "restoration_hours"):
            value = data.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise FactsError(f"{name} must be a number of zero or more, or null.")
            kwargs[name] = value if name == "restoration_hours" else int(value)
        for name in ("consequences_notes", "later_measures_notes"):
            if name in data:
                if not isinstance(data[name], str):
                    raise FactsError(f"{name} must be text.")
                kwargs[name] = data[name]
        facts = cls(**kwargs)
        if not facts.breach_types:
            raise FactsError("breach_types needs at least one of: confidentiality, integrity, availability.")
        return facts

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, sets as sorted lists: what is stored and what `from_dict` reads back."""
        out = asdict(self)
        for name, value in out.items():
            if isinstance(value, frozenset | set):
                out[name] = sorted(value)
        return out

    @property
    def vulnerable(self) -> bool:
        """Children or vulnerable adults: people the EDPB and the ICO treat as at greater risk."""
        return self.children_involved or "pupils" in self.data_subjects or "vulnerable_adults" in self.data_subjects


def _choices(name: str, value: Any, vocabulary: Mapping[str, str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise FactsError(f"{name} must be a list.")
    values = frozenset(value)
    wrong = sorted(str(v) for v in values - set(vocabulary))
    if wrong:
        raise FactsError(f"{name}: unknown {', '.join(wrong)}; expected some of: {', '.join(vocabulary)}.")
    return values


@dataclass
class Factor:
    """One part of the ENISA score: its value and why."""

    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Enisa:
    """ENISA 2013: SE = DPC x EI + CB."""

    dpc: Factor
    ei: Factor
    cb: Factor
    score: float
    band: str


@dataclass
class Result:
    risk_level: str
    likelihood: int
    impact: int
    outcome: str
    report_to_ico: bool
    tell_individuals: bool
    public_notice: bool
    exemptions: list[str]
    suggested_severity: str
    enisa: Enisa
    reasons: list[str]

    @property
    def likelihood_words(self) -> str:
        return LIKELIHOOD_WORDS[self.likelihood]

    @property
    def impact_words(self) -> str:
        return IMPACT_WORDS[self.impact]

    @property
    def risk_words(self) -> str:
        return RISK_WORDS[self.risk_level]

    @property
    def outcome_words(self) -> str:
        return OUTCOMES[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["likelihood"] = {"level": self.likelihood, "words": self.likelihood_words}
        data["impact"] = {"level": self.impact, "words": self.impact_words}
        data["risk_words"] = self.risk_words
        data["outcome_words"] = self.outcome_words
        return data


# ---------------------------------------------------------------------------------------
# ENISA 2013


def enisa_severity(f: Facts) -> Enisa:
    dpc = _dpc(f)
    ei = _ei(f)
    cb = _cb(f)
    score = round(dpc.score * ei.score + cb.score, 2)
    return Enisa(dpc=dpc, ei=ei, cb=cb, score=score, band=enisa_band(score))


def enisa_band(score: float) -> str:
    """ENISA's bands: below 2 low, below 3 medium, below 4 high, 4 and above very high."""
    return ENISA_BANDS[0 if score < 2 else 1 if score < 3 else 2 if score < 4 else 3]


def _dpc(f: Facts) -> Factor:
    if not f.data_categories:
        return Factor(1, ["No data categories given: scored as simple data (1), the lowest basic score."])
    top = max(f.data_categories, key=lambda c: (CATEGORY_DPC[c], c))
    base = CATEGORY_DPC[top]
    kind = {1: "simple data", 2: "behavioural data", 3: "financial data", 4: "sensitive data"}[base]
    factor = Factor(base, [f"Basic score {base} ({kind}): the most sensitive data involved is {DATA_CATEGORIES[top]}."])
    if base < 4 and f.vulnerable:
        factor.score += 1
        factor.reasons.append("+1 because the people are children or vulnerable adults, whose data needs more care.")
    if base < 4 and (f.people_count or 0) >= MANY_PEOPLE:
        factor.score += 1
        factor.reasons.append(f"+1 because {f.people_count} people are affected: the volume adds to the context.")
    if factor.score > 4:
        factor.score = 4
        factor.reasons.append("Capped at 4, the highest data processing context score.")
    return factor


def _ei(f: Facts) -> Factor:
    if f.encrypted_key_safe:
        return Factor(0.25, ["Negligible (0.25): the data was encrypted to current standards and the key is safe."])
    if f.data_categories & DIRECT_IDENTIFIERS:
        return Factor(1.0, ["Maximum (1): the data names or directly identifies the people."])
    if f.data_categories:
        return Factor(
            0.75,
            ["Significant (0.75): no direct identifiers, but school records link easily to the pupils and staff."],
        )
    return Factor(1.0, ["Maximum (1): the data involved is not known, so identification is assumed."])


def _cb(f: Facts) -> Factor:
    factor = Factor(0.0)
    if "confidentiality" in f.breach_types:
        value, why = _cb_confidentiality(f)
        factor.score += value
        factor.reasons.append(why)
    if "integrity" in f.breach_types:
        if f.recovered_or_deleted or f.backup_available:
            factor.score += 0.25
            factor.reasons.append("Integrity +0.25: data was altered but the correct version can be recovered.")
        else:
            factor.score += 0.5
            factor.reasons.append("Integrity +0.5: data was altered and the correct version cannot be recovered.")
    if "availability" in f.breach_types:
        if f.backup_available and f.restoration_hours is not None and f.restoration_hours <= QUICK_RESTORE_HOURS:
            factor.reasons.append(
                f"Availability +0: restored from backup within {QUICK_RESTORE_HOURS} hours, without difficulty."
            )
        elif f.backup_available:
            factor.score += 0.25
            factor.reasons.append("Availability +0.25: the data is unavailable for a time but can be restored.")
        else:
            factor.score += 0.5
            factor.reasons.append("Availability +0.5: no working backup, so the data may be lost for good.")
    if f.malicious or f.recipient == "malicious_actor":
        factor.score += 0.5
        factor.reasons.append("Malicious intent +0.5: the breach was deliberate or the data reached a malicious actor.")
    if not factor.reasons:
        factor.reasons.append("No circumstances add to the score.")
    return factor


def _cb_confidentiality(f: Facts) -> tuple[float, str]:
    if f.encrypted_key_safe:
        return 0.0, "Confidentiality +0: the data was encrypted with the key safe, so it cannot be read."
    exposure = RECIPIENT_LIKELIHOOD.get(f.recipient or "", 1)
    if f.recovered_or_deleted and f.recipient in ("known_individual",):
        exposure = 0
    if f.exfiltration == "confirmed":
        exposure = max(exposure, 2)
    elif f.exfiltration == "suspected":
        exposure = max(exposure, 1)
    if exposure == 0:
        return 0.0, "Confidentiality +0: no evidence the data was processed unlawfully after the disclosure."
    if exposure == 1:
        return 0.25, "Confidentiality +0.25: the data reached a known number of recipients."
    return 0.5, "Confidentiality +0.5: the data reached, or may have reached, an unknown number of recipients."


# ---------------------------------------------------------------------------------------
# Likelihood and impact of harm (ICO guidance, EDPB Guidelines 9/2022)


def likelihood_of_harm(f: Facts) -> tuple[int, list[str]]:
    levels: list[int] = []
    reasons: list[str] = []
    if "confidentiality" in f.breach_types:
        level, because = _confidentiality_likelihood(f)
        levels.append(level)
        reasons.extend(because)
    if "integrity" in f.breach_types:
        level = 1 if (f.recovered_or_deleted or f.backup_available) else 2
        levels.append(level)
        reasons.append(
            "Altered data that can be put right makes harm possible; altered data that cannot be put right "
            f"makes harm likely. Here: {LIKELIHOOD_WORDS[level]}."
        )
    if "availability" in f.breach_types:
        if f.backup_available and f.restoration_hours is not None and f.restoration_hours <= QUICK_RESTORE_HOURS:
            level = 0
            why = f"A working backup restored the data within {QUICK_RESTORE_HOURS} hours, so harm is remote."
        elif f.backup_available and f.restoration_hours is not None and f.restoration_hours <= LONG_RESTORE_HOURS:
            level = 1
            why = "The data was unavailable for more than a day but less than a week, so harm is possible."
        else:
            level = 2
            why = (
                "There was no working backup, or restoring takes more than a week or is not known, so harm "
                "from the loss is likely."
            )
        levels.append(level)
        reasons.append(why)
    return max(levels, default=1), reasons


def _confidentiality_likelihood(f: Facts) -> tuple[int, list[str]]:
    if f.encrypted_key_safe:
        return 0, [
            "The data was encrypted to current standards and the key is safe: to anyone else it is unintelligible, "
            "so harm from its disclosure is remote (UK GDPR Art. 34(3)(a))."
        ]
    reasons = []
    if f.recipient is None:
        level = 1
        reasons.append("Who could reach the data is not known yet, so harm is taken as possible.")
    else:
        level = RECIPIENT_LIKELIHOOD[f.recipient]
        reasons.append(f"The data reached {RECIPIENTS[f.recipient]}: harm is {LIKELIHOOD_WORDS[level]} on that alone.")
    if f.recovered_or_deleted and level > 0:
        level -= 1
        reasons.append(
            "The data was recovered or its deletion confirmed, which lowers the likelihood to "
            f"{LIKELIHOOD_WORDS[level]}."
        )
    if f.malicious and level < 3 and f.recipient != "authorised_colleague":
        level += 1
        reasons.append(
            f"The breach was deliberate: someone meant to get or misuse the data, so harm is {LIKELIHOOD_WORDS[level]}."
        )
    if not f.contained and 0 < level < 3:
        level += 1
        reasons.append(f"The breach is not yet contained, so harm is {LIKELIHOOD_WORDS[level]}.")
    if f.exfiltration == "confirmed" and level < 3:
        level = 3
        reasons.append("Copying or exfiltration of the data is confirmed, so harm is very likely.")
    elif f.exfiltration == "suspected" and level < 2:
        level = 2
        reasons.append("Copying or exfiltration is suspected, so harm is likely until shown otherwise.")
    return level, reasons


def impact_of_harm(f: Facts) -> tuple[int, list[str]]:
    reasons = []
    level = 0
    if f.data_categories:
        top = max(f.data_categories, key=lambda c: (CATEGORY_IMPACT[c], c))
        level = CATEGORY_IMPACT[top]
        reasons.append(
            f"The most harmful data involved is {DATA_CATEGORIES[top]}: its misuse could cause "
            f"{IMPACT_WORDS[level]} harm."
        )
    else:
        level = 1
        reasons.append("The kinds of data are not known yet, so the impact is taken as limited at least.")
    for consequence in sorted(f.consequences, key=lambda c: -CONSEQUENCE_IMPACT[c]):
        if CONSEQUENCE_IMPACT[consequence] > level:
            level = CONSEQUENCE_IMPACT[consequence]
            reasons.append(f"Likely consequences include {CONSEQUENCES[consequence]}: impact {IMPACT_WORDS[level]}.")
    if f.vulnerable and level < 3:
        level += 1
        reasons.append(
            f"Children or vulnerable adults are affected, who are less able to protect themselves: impact "
            f"{IMPACT_WORDS[level]}."
        )
    if (f.people_count or 0) >= MANY_PEOPLE and 0 < level < 3:
        level += 1
        reasons.append(f"{f.people_count} people are affected, a large number: impact {IMPACT_WORDS[level]}.")
    return level, reasons


# ---------------------------------------------------------------------------------------
# The decision


def risk_level(likelihood: int, impact: int) -> str:
    """Likelihood and impact, each 0-3, added: 5 or more is high risk, 4 is a risk, less is unlikely.

    A sum keeps both dimensions in play: a remote chance of severe harm (0 + 3) and a very
    likely but minimal harm (3 + 0) are both below the reporting threshold, as the ICO's
    "unlikely to result in a risk" test intends; high risk needs one of the two at its top
    and the other at least at its middle.
    """
    total = likelihood + impact
    if total >= 5:
        return RISK_HIGH
    if total >= 4:
        return RISK
    return RISK_NONE


def assess(f: Facts) -> Result:
    """Assess one breach. Deterministic; the same facts always give the same result and reasons."""
    reasons: list[str] = []
    likelihood, likely_why = likelihood_of_harm(f)
    impact, impact_why = impact_of_harm(f)
    reasons += ["Likelihood: " + r for r in likely_why]
    reasons += ["Impact: " + r for r in impact_why]
    risk = risk_level(likelihood, impact)
    reasons.append(
        f"Harm is {LIKELIHOOD_WORDS[likelihood]} and would be {IMPACT_WORDS[impact]}, so the breach is "
        f"{RISK_WORDS[risk]}."
    )
    exemptions: list[str] = []
    if f.encrypted_key_safe and "confidentiality" in f.breach_types:
        exemptions.append("unintelligible")
    report = risk != RISK_NONE
    tell = risk == RISK_HIGH
    public_notice = False
    if not report:
        outcome = OUTCOME_RECORD
        reasons.append(
            "It must still be recorded in the breach log with these reasons (Art. 33(5)), but it does not need "
            "to be reported to the ICO."
        )
    elif not tell:
        outcome = OUTCOME_REPORT
        reasons.append(
            "It must be reported to the ICO within 72 hours of becoming aware (Art. 33(1)); the risk is not high, "
            "so the people affected need not be told, though you may choose to."
        )
    elif f.later_measures_remove_high_risk:
        outcome = OUTCOME_REPORT
        exemptions.append("later_measures")
        tell = False
        reasons.append(
            "The risk was high, but the measures taken since mean it is no longer likely to materialise "
            "(Art. 34(3)(b)), so the people affected need not be told. It must still be reported to the ICO."
        )
    elif f.contact_disproportionate:
        outcome = OUTCOME_REPORT_AND_PUBLIC_NOTICE
        exemptions.append("disproportionate_effort")
        tell = False
        public_notice = True
        reasons.append(
            "The risk is high, but contacting each person would take disproportionate effort, so a public notice "
            "that informs them as effectively takes its place (Art. 34(3)(c)). It must be reported to the ICO."
        )
    else:
        outcome = OUTCOME_REPORT_AND_TELL
        reasons.append(
            "The risk is high: report it to the ICO within 72 hours and tell the people affected without undue "
            "delay (Art. 33(1) and 34(1))."
        )
    enisa = enisa_severity(f)
    reasons.append(
        f"ENISA severity: {enisa.dpc.score:g} (context) x {enisa.ei.score:g} (ease of identification) + "
        f"{enisa.cb.score:g} (circumstances) = {enisa.score:g}, {enisa.band}."
    )
    severity, severity_why = suggested_severity(f, risk, enisa.band)
    reasons.append(severity_why)
    return Result(
        risk_level=risk,
        likelihood=likelihood,
        impact=impact,
        outcome=outcome,
        report_to_ico=report,
        tell_individuals=tell,
        public_notice=public_notice,
        exemptions=exemptions,
        suggested_severity=severity,
        enisa=enisa,
        reasons=reasons,
    )


def suggested_severity(f: Facts, risk: str, enisa_band: str) -> tuple[str, str]:
    """The lifecycle's severity scale, from the risk and ENISA's band, whichever is higher."""
    if risk == RISK_HIGH:
        by_risk, why = 3, "a likely high risk to individuals"
    elif risk == RISK:
        by_risk, why = 2, "a breach likely to result in a risk to individuals"
    elif f.contained and (
        "confidentiality" not in f.breach_types or f.recipient == "authorised_colleague" or f.encrypted_key_safe
    ):
        by_risk, why = 0, "little or no exposure, contained, no likely harm"
    else:
        by_risk, why = 1, "personal data reached an unintended but low-risk recipient, or is not yet contained"
    # ENISA may raise the severity to major at most: critical means a likely high risk to
    # individuals, which is the risk model's judgement, not the score's.
    by_enisa = min(ENISA_BANDS.index(enisa_band), 2)
    level = max(by_risk, by_enisa)
    if by_enisa > by_risk:
        why = f"ENISA's {enisa_band} severity band"
    return SEVERITIES[level], f"Suggested incident severity: {SEVERITIES[level]} ({why})."


def assess_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON in, JSON out: what the command prints and what is stored."""
    return assess(Facts.from_dict(data)).to_dict()
