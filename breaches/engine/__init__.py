"""The personal data breach assessment: facts in, result and reasons out.

Plain Python on purpose: no Django, no database. The form, the `assess_breach` command
and the API all call `assess(facts)`, so one set of rules gives one answer everywhere.
The rules model the published methods (UK GDPR Art. 33-34 and the ICO's guidance on
personal data breaches, the EDPB Guidelines 9/2022 on breach notification, and ENISA's
2013 methodology for the severity of personal data breaches) and are calibrated on the
published regulator cases in tests/breach_cases/; `docs/assessment.md` gives the reasoning
behind every rule and the cases behind it. They are a general model, not a table of known
cases: no scenario is matched by name.

Every rule is monotone in the facts that make a breach worse (more sensitive data,
children, malice, exfiltration, wider exposure, harm already done, a longer outage) and
in those that make it better (encryption with the key safe, strong hashing,
pseudonymisation, confirmed deletion, a reliable recipient, a quick restore); the
property tests in tests/test_breach_engine.py hold the engine to that.

The parts: `vocabulary` (the words and thresholds), `facts` (reading and checking the
facts), `enisa` (ENISA's score), `rules` (likelihood, impact, risk, outcome, severity),
`uncertainty` (thresholds, facts not known, what would change the outcome).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .enisa import Enisa, Factor, enisa_band, enisa_severity
from .facts import Facts, FactsError
from .rules import Result, decide, impact_of_harm, likelihood_of_harm, risk_level, suggested_severity
from .uncertainty import SHORT_OUTCOMES, uncertainty
from .vocabulary import (
    BREACH_TYPES,
    CATEGORY_DPC,
    CATEGORY_IMPACT,
    CONSEQUENCE_IMPACT,
    CONSEQUENCES,
    DATA_CATEGORIES,
    DATA_EXTENTS,
    DATA_SUBJECTS,
    DIRECT_IDENTIFIERS,
    DOCUMENT_KINDS,
    ENISA_BANDS,
    EXFILTRATION,
    HARMS,
    IMPACT_WORDS,
    LIKELIHOOD_WORDS,
    LONG_RESTORE_HOURS,
    MANY_PEOPLE,
    OUTCOME_RANK,
    OUTCOME_RECORD,
    OUTCOME_REPORT,
    OUTCOME_REPORT_AND_PUBLIC_NOTICE,
    OUTCOME_REPORT_AND_TELL,
    OUTCOMES,
    QUICK_RESTORE_HOURS,
    RECIPIENT_LIKELIHOOD,
    RECIPIENTS,
    RELIABILITY,
    RELIABILITY_ORDER,
    RISK,
    RISK_HIGH,
    RISK_NONE,
    RISK_WORDS,
    SERVICE_EFFECT_ORDER,
    SERVICE_EFFECTS,
    SEVERAL_DAYS_HOURS,
    SEVERITIES,
    SPECIAL,
    VOLUMES,
)

__all__ = [
    "BREACH_TYPES",
    "CATEGORY_DPC",
    "CATEGORY_IMPACT",
    "CONSEQUENCES",
    "CONSEQUENCE_IMPACT",
    "DATA_CATEGORIES",
    "DATA_EXTENTS",
    "DATA_SUBJECTS",
    "DIRECT_IDENTIFIERS",
    "DOCUMENT_KINDS",
    "ENISA_BANDS",
    "EXFILTRATION",
    "HARMS",
    "IMPACT_WORDS",
    "LIKELIHOOD_WORDS",
    "LONG_RESTORE_HOURS",
    "MANY_PEOPLE",
    "OUTCOMES",
    "OUTCOME_RANK",
    "OUTCOME_RECORD",
    "OUTCOME_REPORT",
    "OUTCOME_REPORT_AND_PUBLIC_NOTICE",
    "OUTCOME_REPORT_AND_TELL",
    "QUICK_RESTORE_HOURS",
    "RECIPIENTS",
    "RECIPIENT_LIKELIHOOD",
    "RELIABILITY",
    "RELIABILITY_ORDER",
    "RISK",
    "RISK_HIGH",
    "RISK_NONE",
    "RISK_WORDS",
    "SERVICE_EFFECTS",
    "SERVICE_EFFECT_ORDER",
    "SEVERAL_DAYS_HOURS",
    "SEVERITIES",
    "SHORT_OUTCOMES",
    "SPECIAL",
    "VOLUMES",
    "Enisa",
    "Factor",
    "Facts",
    "FactsError",
    "Result",
    "assess",
    "assess_dict",
    "decide",
    "enisa_band",
    "enisa_severity",
    "impact_of_harm",
    "likelihood_of_harm",
    "risk_level",
    "suggested_severity",
]


def assess(f: Facts) -> Result:
    """Assess one breach, with how firm the result is. Deterministic: the same facts, the same result."""
    result = decide(f)
    result.uncertainty = uncertainty(f, result.outcome, result.likelihood, result.impact, decide)
    return result


def assess_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON in, JSON out: what the command prints and what is stored."""
    return assess(Facts.from_dict(data)).to_dict()
