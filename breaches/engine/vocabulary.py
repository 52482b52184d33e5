"""The vocabulary of the facts and the numbers the rules turn on.

Keys are stable (they are stored in JSON); labels are for people. docs/assessment.md
quotes the thresholds by name.
"""

from __future__ import annotations

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


# --- Facts added for issue 19 (docs/assessment.md, "Facts the guidance turns on") --------
# Each defaults to "not said", which assesses exactly as before the fact existed.

# Harm that has already happened, not a chance of it.
HARMS: dict[str, str] = {
    "service_delayed": "care or a service people rely on was delayed or refused",
    "financial_loss": "money was taken or lost",
    "identity_fraud": "someone's identity was used for fraud",
    "distress": "people have been distressed or frightened",
    "physical_harm": "someone was harmed or put in danger",
    "discrimination": "someone was treated unfairly because of the data",
    "reputation": "someone's reputation was damaged",
}
# How bad a harm that has happened is, at the least (impact level 0-3).
HARM_IMPACT = {
    "distress": 1,
    "reputation": 1,
    "service_delayed": 2,
    "financial_loss": 2,
    "identity_fraud": 2,
    "discrimination": 3,
    "physical_harm": 3,
}
# How much of the category, and how telling: a word in passing is not a record.
DATA_EXTENTS: dict[str, str] = {
    "incidental": "a passing mention (a word or a line, no detail, such as a dietary note)",
    "record": "a record, or several details about each person",
}
INCIDENTAL_IMPACT_CAP = 1  # an incidental mention can do limited harm at most, whatever its category
# The kind of document: each says more than its categories alone.
DOCUMENT_KINDS: dict[str, str] = {
    "class_list": "a class list, register or contact list",
    "cv_application": "CVs or application forms (a full personal and employment history)",
    "financial_record": "bank details, payslips or financial statements",
    "medical_record": "a medical or health record",
    "safeguarding_file": "a safeguarding or child protection file",
    "sen_record": "a special educational needs record or EHC plan",
    "criminal_record": "a criminal record or DBS check",
    "other": "another kind of document",
}
# The least harm the document's misuse can do (impact 0-3) and its ENISA basic score (1-4).
DOCUMENT_IMPACT = {
    "class_list": 1,
    "cv_application": 2,
    "financial_record": 2,
    "medical_record": 3,
    "safeguarding_file": 3,
    "sen_record": 3,
    "criminal_record": 3,
    "other": 0,
}
DOCUMENT_DPC = {
    "class_list": 1,
    "cv_application": 2,
    "financial_record": 3,
    "medical_record": 4,
    "safeguarding_file": 4,
    "sen_record": 4,
    "criminal_record": 4,
    "other": 1,
}
# A whole history lets a thief impersonate the person: identity fraud is likely if it is stolen.
FULL_HISTORY_DOCUMENTS = frozenset({"cv_application"})
# Whether the person who received the data can be relied on to return or delete it.
RELIABILITY: dict[str, str] = {
    "trusted": "trusted: under a duty of confidence (another school, the council, a professional)",
    "known_cooperative": "known, and cooperating (has returned it or will delete it when asked)",
    "unknown": "known, but whether they can be relied on is not known yet",
    "known_not_cooperative": "known, but not cooperating or not to be relied on (will not confirm deletion, "
    "may use it against someone)",
}
# Likelihood of harm from a known person holding the data, by how far they can be relied on.
RELIABILITY_LIKELIHOOD = {"trusted": 0, "known_cooperative": 1, "unknown": 1, "known_not_cooperative": 2}
RELIABILITY_ORDER = ("trusted", "known_cooperative", "unknown", "known_not_cooperative")
# Recipients whose reliability the DPO can judge (a person, not the public or an attacker).
JUDGED_RECIPIENTS = frozenset({None, "known_individual"})
# The effect of lost availability on the people the data serves.
SERVICE_EFFECTS: dict[str, str] = {
    "none": "none: nobody's service was affected",
    "inconvenience": "inconvenience: a service was slower, or people had to wait a little",
    "delayed_or_denied": "people could not get a service they rely on (care, support, meals, payments, lessons)",
}
SERVICE_EFFECT_IMPACT = {"none": 0, "inconvenience": 1, "delayed_or_denied": 2}
SERVICE_EFFECT_ORDER = ("none", "inconvenience", "delayed_or_denied")
SEVERAL_DAYS_HOURS = 72  # data out of reach for several days: a loss people feel
# ENISA's context adjustments of the data processing score.
VOLUMES: dict[str, str] = {
    "few": "a few details about each person",
    "many": "a great deal about each person (years of records, a whole file)",
}
