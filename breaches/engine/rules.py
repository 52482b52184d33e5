"""Likelihood and impact of harm, the risk, the outcome and the suggested severity (docs/assessment.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .enisa import Enisa, enisa_severity
from .facts import Facts
from .vocabulary import (
    CATEGORY_IMPACT,
    CONSEQUENCE_IMPACT,
    CONSEQUENCES,
    DATA_CATEGORIES,
    DOCUMENT_IMPACT,
    DOCUMENT_KINDS,
    ENISA_BANDS,
    FULL_HISTORY_DOCUMENTS,
    HARM_IMPACT,
    HARMS,
    IMPACT_WORDS,
    INCIDENTAL_IMPACT_CAP,
    JUDGED_RECIPIENTS,
    LIKELIHOOD_WORDS,
    LONG_RESTORE_HOURS,
    MANY_PEOPLE,
    OUTCOME_RECORD,
    OUTCOME_REPORT,
    OUTCOME_REPORT_AND_PUBLIC_NOTICE,
    OUTCOME_REPORT_AND_TELL,
    OUTCOMES,
    QUICK_RESTORE_HOURS,
    RECIPIENT_LIKELIHOOD,
    RECIPIENTS,
    RELIABILITY,
    RELIABILITY_LIKELIHOOD,
    RISK,
    RISK_HIGH,
    RISK_NONE,
    RISK_WORDS,
    SERVICE_EFFECT_IMPACT,
    SERVICE_EFFECTS,
    SEVERAL_DAYS_HOURS,
    SEVERITIES,
)


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
    # Where the result sits near a threshold, rests on facts not known, and what would change it.
    uncertainty: dict[str, Any] = field(default_factory=dict)

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
# Likelihood of harm (ICO guidance, EDPB Guidelines 9/2022)


def harms_that_happened(f: Facts) -> frozenset[str]:
    """Harm already done: as the DPO named it, or people refused a service they rely on (one reading)."""
    if f.service_effect == "delayed_or_denied":
        return f.harm_materialised | {"service_delayed"}
    return f.harm_materialised


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
        level, why = _availability_likelihood(f)
        levels.append(level)
        reasons.append(why)
    level = max(levels, default=1)
    happened = harms_that_happened(f)
    if happened and level < 3:
        level = 3
        reasons.append(
            "Harm has already happened ("
            + "; ".join(HARMS[h] for h in sorted(happened))
            + "): it is no longer a chance, so the likelihood is taken as very likely."
        )
    return level, reasons


def _availability_likelihood(f: Facts) -> tuple[int, str]:
    hours = f.out_of_reach_hours
    if hours is None:
        if f.backup_available:
            return 1, (
                "A working backup existed but how long restoring takes is not known: harm is taken as possible, "
                "not as if there were no backup."
            )
        return 2, "There was no working backup, or whether there was one is not known, so harm from the loss is likely."
    if hours <= QUICK_RESTORE_HOURS:
        return 0, f"The data was back within {QUICK_RESTORE_HOURS} hours, so harm from the loss is remote."
    if f.backup_available:
        if hours <= LONG_RESTORE_HOURS:
            return 1, "A working backup brought the data back within a week, so harm is possible."
        return 2, "Restoring from the backup takes more than a week, so harm from the loss is likely."
    if hours <= SEVERAL_DAYS_HOURS:
        return 1, f"The data was out of reach for up to {SEVERAL_DAYS_HOURS} hours, so harm is possible."
    if f.backup_available is False:
        return 3, (
            f"The data was out of reach for more than {SEVERAL_DAYS_HOURS} hours with no working backup: a "
            "prolonged loss that people feel, so harm is very likely."
        )
    return 2, (
        f"The data was out of reach for more than {SEVERAL_DAYS_HOURS} hours and whether a backup existed is not "
        "known, so harm is likely."
    )


def _confidentiality_likelihood(f: Facts) -> tuple[int, list[str]]:
    if f.encrypted_key_safe:
        return 0, [
            "The data was encrypted to current standards and the key is safe: to anyone else it is unintelligible, "
            "so harm from its disclosure is remote (UK GDPR Art. 34(3)(a))."
        ]
    reasons = []
    if f.recipient in JUDGED_RECIPIENTS and f.recipient_reliability is not None:
        level = RELIABILITY_LIKELIHOOD[f.recipient_reliability]
        reasons.append(
            f"The data reached someone {RELIABILITY[f.recipient_reliability]}: harm is {LIKELIHOOD_WORDS[level]} "
            "on that alone."
        )
    elif f.recipient is None:
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
    if f.pseudonymised and level > 0:
        level -= 1
        reasons.append(
            "The data was pseudonymised and the key that links it to people was not taken: whoever holds it "
            f"cannot easily tell whom it is about, so harm is {LIKELIHOOD_WORDS[level]}."
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


# ---------------------------------------------------------------------------------------
# Impact of harm


def impact_of_harm(f: Facts) -> tuple[int, list[str]]:
    reasons = []
    readable = f.readable_categories
    if readable:
        top = max(readable, key=lambda c: (CATEGORY_IMPACT[c], c))
        level = CATEGORY_IMPACT[top]
        reasons.append(
            f"The most harmful data involved is {DATA_CATEGORIES[top]}: its misuse could cause "
            f"{IMPACT_WORDS[level]} harm."
        )
        if f.data_extent == "incidental" and level > INCIDENTAL_IMPACT_CAP:
            level = INCIDENTAL_IMPACT_CAP
            reasons.append(
                f"It is only a passing mention, not a record of it, so its misuse could cause {IMPACT_WORDS[level]} "
                "harm at most."
            )
    elif f.data_categories:
        level = 0
        reasons.append("The only data involved was strongly hashed: it cannot be read, so the impact is minimal.")
    else:
        level = 1
        reasons.append("The kinds of data are not known yet, so the impact is taken as limited at least.")
    for doc in sorted(f.document_kinds, key=lambda d: -DOCUMENT_IMPACT[d]):
        if DOCUMENT_IMPACT[doc] > level:
            level = DOCUMENT_IMPACT[doc]
            reasons.append(f"The documents include {DOCUMENT_KINDS[doc]}: impact {IMPACT_WORDS[level]}.")
    if f.document_kinds & FULL_HISTORY_DOCUMENTS and level < 3 and f.readable_categories & {"identity_numbers"}:
        level += 1
        reasons.append(
            "A full personal history with official identity numbers is what identity fraud needs: impact "
            f"{IMPACT_WORDS[level]}."
        )
    floors = [(CONSEQUENCE_IMPACT[c], f"Likely consequences include {CONSEQUENCES[c]}") for c in f.consequences]
    floors += [(HARM_IMPACT[h], f"Harm has already happened: {HARMS[h]}") for h in harms_that_happened(f)]
    if f.service_effect:
        floors.append(
            (SERVICE_EFFECT_IMPACT[f.service_effect], f"Effect on services: {SERVICE_EFFECTS[f.service_effect]}")
        )
    for floor, why in sorted(floors, key=lambda pair: (-pair[0], pair[1])):
        if floor > level:
            level = floor
            reasons.append(f"{why}: impact {IMPACT_WORDS[level]}.")
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


def decide(f: Facts) -> Result:
    """The result without its uncertainty reading (which calls this for each fact that could change)."""
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
