"""The breach documents: the ICO report draft, letters to the people affected, the public notice.

Each is built as plain data (title, meta lines, sections of questions and paragraphs),
then rendered the same way twice: DOCX with docxtpl (editable; autoescaped) and PDF with
typst (data as JSON in sys_inputs, tagged, PDF/UA-1). Building the data is separate from
rendering so tests can check the content and the files agree.
"""

import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from incidents.models import Incident
from lib import pdf
from organisations.models import Contact, Organisation, Role, letterhead_of

from . import engine
from .clock import awareness, ico_deadline
from .models import IcoSubmission, ReportDetails, latest_assessment

TEMPLATES = Path(__file__).resolve().parent / "doc_templates"
NOT_GIVEN = "Not recorded yet."


@dataclass
class Item:
    q: str
    paras: list[str]


@dataclass
class Section:
    title: str
    entries: list[Item] = field(default_factory=list)

    def add(self, question: str, answer: Any) -> None:
        text = "" if answer is None else str(answer).strip()
        self.entries.append(Item(question, [p.strip() for p in text.split("\n") if p.strip()] or [NOT_GIVEN]))

    def say(self, *paragraphs: str) -> None:
        self.entries.append(Item("", [p for p in paragraphs if p]))


@dataclass
class DocumentData:
    title: str
    organisation: str
    footer: str
    meta: list[str]
    sections: list[Section]
    # A letter's letterhead (organisations.Letterhead): the logo as PNG bytes, and the lines
    # it is signed with.
    logo: bytes = b""
    logo_alt: str = ""
    signature: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The data as JSON can carry it: the logo as a list of byte values (typst's
        `bytes(...)` takes it back)."""
        data = asdict(self)
        data["logo"] = list(self.logo)
        return data


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%-d %B %Y, %H:%M") if value else NOT_GIVEN


def _words(values: list[str], vocabulary: dict[str, str]) -> str:
    return "\n".join(vocabulary[v][:1].upper() + vocabulary[v][1:] for v in values) or NOT_GIVEN


def dpo_contact(incident: Incident) -> str:
    """The nearest DPO contact of the organisation or its ancestors, else the DPO role holder."""
    ids = incident.organisation.ancestor_ids()
    contacts = Contact.objects.filter(organisation_id__in=ids, kind=Contact.Kind.DPO).select_related("organisation")
    contact = max(contacts, key=lambda c: c.organisation.path.count("/"), default=None)
    if contact is not None:
        parts = [contact.name, contact.email, contact.phone]
        return ", ".join(p for p in parts if p)
    holders = incident.organisation.holders(Role.DPO)
    if holders:
        return ", ".join(f"{u.full_name or u.email} ({u.email})" for u in holders)
    return "The organisation's Data Protection Officer"


def _details(incident: Incident) -> ReportDetails:
    try:
        return incident.breach_report_details
    except ReportDetails.DoesNotExist:
        return ReportDetails(incident=incident)


def ico_report(incident: Incident) -> DocumentData:
    """The draft follows the sections of the ICO's personal data breach report form."""
    assessment = latest_assessment(incident)
    facts: dict[str, Any] = assessment.facts if assessment else {}
    result: dict[str, Any] = assessment.result if assessment else {}
    details = _details(incident)
    submissions = list(IcoSubmission.objects.filter(incident=incident))
    deadline = ico_deadline(incident)

    about = Section("About this report")
    about.add("Initial or follow-up report", "Follow-up report" if submissions else "Initial report")
    about.add("ICO case reference", incident.ico_reference or "Not yet given by the ICO.")
    about.add("Our reference", incident.reference)
    if submissions:
        about.add(
            "Earlier reports to the ICO",
            "\n".join(f"{s.get_phase_display()}: {_when(s.submitted_on)}" for s in submissions),
        )

    breach = Section("About the breach")
    breach.add("What happened and how", incident.description)
    breach.add("Was it a cyber incident", "Yes" if details.cyber_incident else "No")
    breach.add("How the breach was discovered", details.how_discovered)
    breach.add("When it happened", _when(incident.occurred_on))
    breach.add("When it was discovered", _when(incident.discovered_on))
    breach.add("When we became aware it was a personal data breach", _when(awareness(incident)))
    late = [s.delay_reason for s in submissions if s.delay_reason]
    if deadline and (late or (not submissions and timezone.now() > deadline)):
        breach.add("Reasons for reporting after 72 hours", "\n".join(late) or "To be given.")

    data = Section("The personal data and the people")
    data.add("Categories of personal data", _words(facts.get("data_categories", []), engine.DATA_CATEGORIES))
    data.add("Approximate number of records", facts.get("records_count") or incident.records_affected or NOT_GIVEN)
    data.add("Approximate number of people", facts.get("people_count") or incident.people_affected or NOT_GIVEN)
    people = _words(facts.get("data_subjects", []), engine.DATA_SUBJECTS)
    extra = []
    if facts.get("children_involved"):
        extra.append("Children are among the people affected.")
    if "vulnerable_adults" in facts.get("data_subjects", []):
        extra.append("Vulnerable adults are among the people affected.")
    data.add("Categories of people", "\n".join([people, *extra]))

    harm = Section("Likely consequences")
    harm.add("Likely consequences for the people affected", _words(facts.get("consequences", []), engine.CONSEQUENCES))
    harm.add("More about the consequences", facts.get("consequences_notes"))
    if result:
        harm.add(
            "Likelihood of significant consequences",
            f"Harm is {result['likelihood']['words']} and would be {result['impact']['words']}: "
            f"the breach is {result['risk_words']}.",
        )
        enisa = result["enisa"]
        harm.add(
            "Severity (ENISA 2013 method)",
            f"{enisa['dpc']['score']:g} x {enisa['ei']['score']:g} + {enisa['cb']['score']:g} = "
            f"{enisa['score']:g} ({enisa['band']})",
        )
    else:
        harm.add("Likelihood of significant consequences", "Not yet assessed.")
    if details.cyber_incident:
        harm.add("Effect on systems", details.systems_effect)
        harm.add("Recovery time", details.recovery_time)

    staff = Section("Staff and training")
    staff.add("Staff involved and their data protection training", details.staff_involved)

    measures = Section("Measures taken")
    measures.add("Measures in place before the breach", details.measures_before)
    measures.add("Containment and recovery", details.containment or incident.action_taken)
    measures.add("Steps taken so it does not happen again", details.recurrence_steps)

    telling = Section("Telling the people affected and others")
    notices = list(incident.individuals_notices.all())
    if notices:
        told = "\n".join(
            f"{n.get_audience_display()} by {n.get_method_display().lower()} on {_when(n.told_on)}"
            + (f" ({n.how_many} people)" if n.how_many is not None else "")
            for n in notices
        )
    elif incident.ico_decision == Incident.IcoDecision.REPORT_AND_TELL:
        told = "Not yet; they will be told without undue delay."
    elif incident.ico_decision:
        told = f"No. {incident.ico_decision_reason}"
    else:
        told = "Not yet decided."
    telling.add("Have the people affected been told, or will they be", told)
    telling.add("Other bodies told (police, NCSC, other regulators)", details.other_bodies_told)

    organisation = Section("The organisation")
    organisation.add("Organisation", incident.organisation.name)
    organisation.add("ICO registration number", details.ico_registration_number)
    organisation.add("Data Protection Officer and contact", dpo_contact(incident))
    if incident.ico_decision:
        organisation.add(
            "Our decision",
            f"{incident.get_ico_decision_display()}. {incident.ico_decision_reason}",
        )

    return DocumentData(
        title=f"Personal data breach report: {incident.reference}",
        organisation=incident.organisation.name,
        footer=f"{incident.reference}. Draft for the ICO's breach report form. Contains personal data: keep secure.",
        meta=[
            f"Organisation: {incident.organisation.name}",
            f"Prepared: {_when(timezone.now())}",
            f"72-hour deadline: {_when(deadline)}",
        ],
        sections=[about, breach, data, harm, staff, measures, telling, organisation],
    )


AUDIENCES = {
    "parents": ("Dear parent or carer", "your child's"),
    "staff": ("Dear colleague", "your"),
    "pupils": ("Dear student", "your"),
    "public": ("", "people's"),
}
CONSEQUENCE_ADVICE = {
    "contact_details": "Be careful with unexpected calls, emails or messages that mention {organisation}: we will "
    "never ask for passwords or bank details.",
    "login_credentials": "Change your password for the account concerned and anywhere else you use the same one, and "
    "turn on two-step verification where you can.",
    "financial": "Check your bank statements and tell your bank at once if you see anything you do not recognise.",
    "identity_numbers": "Watch for signs of identity fraud, such as post about credit you did not apply for.",
}


def letter(incident: Incident, audience: str = "parents") -> DocumentData:
    """A letter to the people affected with what Art. 34(2) requires, in plain English.

    `audience` is parents, staff, pupils, or public (the public notice of Art. 34(3)(c)).
    """
    if audience not in AUDIENCES:
        audience = "parents"
    assessment = latest_assessment(incident)
    facts: dict[str, Any] = assessment.facts if assessment else {}
    details = _details(incident)
    greeting, whose = AUDIENCES[audience]
    categories = [engine.DATA_CATEGORIES[c] for c in facts.get("data_categories", [])]
    consequences = [engine.CONSEQUENCES[c] for c in facts.get("consequences", [])]

    sections = []
    intro = Section("What happened")
    if audience == "public":
        intro.say(
            f"{incident.organisation.name} is telling everyone who may be affected about a personal data breach. "
            "We cannot contact each person directly, so we are publishing this notice."
        )
    elif audience == "pupils":
        intro.say(greeting + ",")
        intro.say(
            "We are writing to tell you that some information about you has been seen by, or could have reached, "
            "someone who should not have it. We want to explain what happened and what we are doing about it."
        )
    else:
        intro.say(greeting + ",")
        intro.say(f"We are writing to tell you about a mistake or incident involving {whose} personal information.")
    intro.say(*[p.strip() for p in incident.description.split("\n") if p.strip()])
    if incident.occurred_on:
        found = f", and we found out on {_when(incident.discovered_on)}" if incident.discovered_on else ""
        intro.say(f"It happened on {_when(incident.occurred_on)}{found}.")
    sections.append(intro)

    data = Section("What information was involved")
    data.say(
        ("The information involved was: " + "; ".join(categories) + ".")
        if categories
        else "We are still finding out exactly what information was involved."
    )
    sections.append(data)

    harm = Section("What this may mean for you")
    if consequences:
        harm.say(
            "We think the main risks are: " + "; ".join(consequences) + ". We are sorry for the worry this may cause."
        )
    else:
        harm.say("We do not think you are likely to come to harm, but we want you to know what happened.")
    sections.append(harm)

    done = Section("What we have done")
    done.say(what_we_have_done(facts if assessment else None))
    done.say(*[text for text in (details.containment or incident.action_taken, details.recurrence_steps) if text])
    if incident.ico_reported_on:
        done.say("We have reported the breach to the Information Commissioner's Office (ICO), the UK regulator.")
    sections.append(done)

    advice = Section("What you can do")
    tips = [
        CONSEQUENCE_ADVICE[c].format(organisation=incident.organisation.name)
        for c in facts.get("data_categories", [])
        if c in CONSEQUENCE_ADVICE
    ]
    advice.say(
        *(
            [p for p in details.advice_to_individuals.split("\n") if p.strip()]
            or tips
            or ["You do not need to do anything. If you notice anything unusual, please tell us."]
        )
    )
    sections.append(advice)

    contact = Section("Who to contact")
    contact.say(
        f"If you have questions, please contact our Data Protection Officer: {dpo_contact(incident)}.",
        "You also have the right to complain to the Information Commissioner's Office: ico.org.uk/make-a-complaint "
        "or 0303 123 1113.",
    )
    sections.append(contact)
    heading = letterhead_of(incident.organisation)

    title = (
        f"Public notice: a personal data breach at {incident.organisation.name}"
        if audience == "public"
        else f"About {whose} personal information"
    )
    return DocumentData(
        title=title,
        organisation=incident.organisation.name,
        footer=f"{incident.organisation.name}. Reference {incident.reference}.",
        meta=[incident.organisation.name, *(heading.address_lines if heading else []), _today()],
        sections=sections,
        logo=bytes(heading.logo_png) if heading and heading.logo_png else b"",
        logo_alt=f"The logo of {heading.organisation.name}" if heading else "",
        signature=[] if audience == "public" else signature(incident.organisation),
    )


def _today() -> str:
    return timezone.localdate().strftime("%-d %B %Y")


def what_we_have_done(facts: dict[str, Any] | None) -> str:
    """The letter's sentence on containment, true to the latest assessment's facts: it never
    says the information was stopped when the assessment says it was not."""
    if facts is None:
        return "We are finding out what happened and what we need to do to put it right."
    if facts.get("recovered_or_deleted"):
        return "We have got the information back, or have been told it has been deleted."
    if facts.get("contained"):
        return "We have stopped the information going any further."
    return "We are still working to stop the information going any further, and we will tell you when we have."


def signature(organisation: Organisation) -> list[str]:
    """How a letter is signed: the letterhead's signatory and their job title, then the
    organisation; without a named signatory, the organisation alone."""
    heading = letterhead_of(organisation)
    named = [heading.signatory_name, heading.signatory_title] if heading else []
    return ["Yours sincerely,", *[line for line in named if line], organisation.name]


def render_docx(document: DocumentData) -> bytes:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    template = DocxTemplate(str(TEMPLATES / "document.docx"))
    context = document.as_dict()
    context["logo"] = InlineImage(template, io.BytesIO(document.logo), height=Mm(20)) if document.logo else ""
    template.render(context, autoescape=True)
    properties = template.docx.core_properties
    now = timezone.now().replace(microsecond=0)
    properties.title = document.title
    properties.author = properties.last_modified_by = document.organisation
    properties.created = properties.modified = properties.last_printed = now
    properties.comments = properties.subject = properties.keywords = properties.category = ""
    properties.revision = 1
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def render_pdf(document: DocumentData) -> bytes:
    return pdf.render_pdf(TEMPLATES / "document.typ", document.as_dict(), title=document.title)
