"""The words of the work, defined once: shown beside each term where it is used (form hints,
result pages) and together on the glossary page, in the organisation's own role titles.

Roles are defined by `models.ROLE_DESCRIPTIONS` (what an admin reads when assigning one); the
other terms here. Definitions are plain English for staff who are not specialists.
"""

from dataclasses import dataclass

from .models import ROLE_DESCRIPTIONS, Organisation, Role


@dataclass(frozen=True)
class Term:
    key: str
    name: str
    definition: str


TERMS: tuple[Term, ...] = (
    Term(
        "nature",
        "What it is (event, weakness, incident)",
        "Whether a report is an event, a weakness or an incident, or not known yet. It can be changed later, "
        "with a reason.",
    ),
    Term(
        "event",
        "Event",
        "Something that happened which could affect the security of information but has not been shown to do so, "
        "such as a failed sign-in attempt.",
    ),
    Term(
        "weakness",
        "Weakness",
        "A gap in security that could let an incident happen but has not yet, such as a door that does not lock "
        "or a shared password. Report it; never test it yourself.",
    ),
    Term(
        "incident",
        "Incident",
        "Something that has harmed, or could well harm, information being kept private, accurate or available: a "
        "lost laptop, an email to the wrong person, a virus.",
    ),
    Term("unknown", "Unknown", "Not enough is known yet to say. Choose it now and change it when you know more."),
    Term(
        "breach_status",
        "Breach status",
        "How sure you are that personal data was affected: a near miss, a potential breach or a confirmed breach.",
    ),
    Term(
        "near_miss",
        "Near miss",
        "Personal data nearly went where it should not but did not, such as a wrong attachment noticed before sending.",
    ),
    Term(
        "potential", "Potential breach", "Personal data may have been lost, seen or changed, and you are finding out."
    ),
    Term(
        "confirmed",
        "Confirmed breach",
        "Personal data has been lost, seen, changed or made unavailable by someone without the right to.",
    ),
    Term(
        "personal_data_breach",
        "Personal data breach",
        "A breach of security that leads to personal data being lost, destroyed, changed, disclosed or accessed "
        "without authority, by accident or on purpose (UK GDPR). Some must be reported to the ICO within 72 hours.",
    ),
    Term("confidentiality", "Confidentiality", "Information was seen by, or sent to, someone who should not have it."),
    Term("integrity", "Integrity", "Information was changed or damaged without authority."),
    Term("availability", "Availability", "Information could not be reached when needed, or was lost or destroyed."),
    Term(
        "special_category",
        "Special category data",
        "Information about health, ethnicity, religion, sex life or sexual orientation, politics, trade union "
        "membership, genetics or biometrics. The law asks for extra care with it.",
    ),
    Term(
        "awareness",
        "Awareness",
        "The moment there is reasonable certainty that personal data has been compromised. The ICO's 72 hours start "
        "here, not when the problem was discovered and not when the investigation ends.",
    ),
    Term(
        "ico",
        "ICO",
        "The Information Commissioner's Office, the UK regulator for data protection. Serious personal data breaches "
        "must be reported to it within 72 hours of awareness.",
    ),
    Term(
        "enisa",
        "ENISA severity",
        "A score for how serious a personal data breach is, worked out the way the EU's cyber security agency (ENISA) "
        "recommends: how sensitive the data is, how easily people can be identified from it, and what happened. "
        "It suggests whether to tell the ICO and the people affected; the DPO decides.",
    ),
    Term(
        "triage",
        "Triage",
        "The first look at a report: what it is, how serious it is, and who will investigate it.",
    ),
    Term(
        "severity",
        "Severity",
        "How serious an incident is: minor, moderate, major or critical. It decides who is told and how quickly; each "
        "organisation's definitions are shown where severity is chosen.",
    ),
)
BY_KEY = {term.key: term for term in TERMS}


def role_terms(organisation: Organisation | None) -> list[Term]:
    """Each role under the organisation's own title, with its standard name where it differs."""
    titles = organisation.role_titles() if organisation else {role.value: str(role.label) for role in Role}
    terms = []
    for role in Role:
        title = titles[role.value]
        name = title if title == str(role.label) else f"{title} ({role.label})"
        terms.append(Term(f"role_{role.value}", name, ROLE_DESCRIPTIONS[role]))
    return terms


def glossary(organisation: Organisation | None) -> list[Term]:
    """Every term, roles included, in alphabetical order of name."""
    return sorted([*TERMS, *role_terms(organisation)], key=lambda term: term.name.lower())


def define(key: str) -> str:
    """The definition of one term (form hints use it, so a definition is written once)."""
    return BY_KEY[key].definition


def hints(keys: list[str]) -> dict[str, str]:
    """Definitions by choice value, for radios with a hint under each choice."""
    return {key: BY_KEY[key].definition for key in keys if key in BY_KEY}
