"""ENISA 2013: severity = data processing context x ease of identification + circumstances of the breach."""

from __future__ import annotations

from dataclasses import dataclass, field

from .facts import Facts
from .vocabulary import (
    CATEGORY_DPC,
    DATA_CATEGORIES,
    DIRECT_IDENTIFIERS,
    DOCUMENT_DPC,
    DOCUMENT_KINDS,
    ENISA_BANDS,
    MANY_PEOPLE,
    RECIPIENT_LIKELIHOOD,
    RELIABILITY_LIKELIHOOD,
)


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


def enisa_severity(f: Facts) -> Enisa:
    dpc = _dpc(f)
    ei = _ei(f)
    cb = _cb(f)
    score = round(dpc.score * ei.score + cb.score, 2)
    return Enisa(dpc=dpc, ei=ei, cb=cb, score=score, band=enisa_band(score))


def enisa_band(score: float) -> str:
    """ENISA's bands: below 2 low, below 3 medium, below 4 high, 4 and above very high."""
    return ENISA_BANDS[0 if score < 2 else 1 if score < 3 else 2 if score < 4 else 3]


KINDS = {1: "simple data", 2: "behavioural data", 3: "financial data", 4: "sensitive data"}


def _dpc(f: Facts) -> Factor:
    readable = f.readable_categories
    if not readable and not f.document_kinds:
        if f.data_categories:
            return Factor(1, ["Basic score 1: the only data involved was strongly hashed and cannot be read."])
        return Factor(1, ["No data categories given: scored as simple data (1), the lowest basic score."])
    base, factor = 0, Factor(0)
    if readable:
        top = max(readable, key=lambda c: (CATEGORY_DPC[c], c))
        base = CATEGORY_DPC[top]
        if f.data_extent == "incidental" and base > 1:
            base -= 1
            why = f"Basic score {base} ({KINDS[base]}): {DATA_CATEGORIES[top]}, only a passing mention: one step lower."
        else:
            why = f"Basic score {base} ({KINDS[base]}): the most sensitive data involved is {DATA_CATEGORIES[top]}."
        factor.reasons.append(why)
    if f.document_kinds:
        doc = max(f.document_kinds, key=lambda d: (DOCUMENT_DPC[d], d))
        if DOCUMENT_DPC[doc] > base:
            base = DOCUMENT_DPC[doc]
            factor.reasons.append(f"Basic score {base} ({KINDS[base]}): the documents include {DOCUMENT_KINDS[doc]}.")
    factor.score = base
    if base < 4 and f.vulnerable:
        factor.score += 1
        factor.reasons.append("+1 because the people are children or vulnerable adults, whose data needs more care.")
    if base < 4 and (f.people_count or 0) >= MANY_PEOPLE:
        factor.score += 1
        factor.reasons.append(f"+1 because {f.people_count} people are affected: the volume adds to the context.")
    if base < 4 and f.volume_per_person == "many":
        factor.score += 1
        factor.reasons.append("+1 because the data holds a great deal about each person.")
    if base < 4 and f.profiling:
        factor.score += 1
        factor.reasons.append("+1 because the data lets someone build a profile of the people (habits, movements).")
    if factor.score > 4:
        factor.score = 4
        factor.reasons.append("Capped at 4, the highest data processing context score.")
    if f.publicly_available and factor.score > 1:
        factor.score -= 1
        factor.reasons.append("-1 because the data was already publicly available.")
    return factor


def _ei(f: Facts) -> Factor:
    if f.encrypted_key_safe:
        return Factor(0.25, ["Negligible (0.25): the data was encrypted to current standards and the key is safe."])
    if f.pseudonymised:
        return Factor(
            0.5,
            ["Limited (0.5): the data was pseudonymised; identifying people needs a key that was not taken."],
        )
    if f.readable_categories & DIRECT_IDENTIFIERS or f.document_kinds:
        return Factor(1.0, ["Maximum (1): the data or documents name or directly identify the people."])
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
        hours = f.out_of_reach_hours
        if hours is not None and hours <= 24:
            factor.reasons.append("Availability +0: the data was back within 24 hours, without difficulty.")
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
    if f.recipient in (None, "known_individual") and f.recipient_reliability == "trusted":
        exposure = RELIABILITY_LIKELIHOOD["trusted"]
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
