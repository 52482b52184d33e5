"""An incident with every panel of its page filled, in a deep tree, for the query pins.

The tree is a county's (county DPO service > trust > school, and a sibling school under the
trust), the shape of a real county DPO service, where the DPO's memberships sit at the root
and at the trust. Everything is made through each app's own steps and services, as the page's
readers would find it: a breach record with its decision, evidence, actions, notes, messages
both ways, earlier classifications, corrections, the DPO's oversight, related incidents both
ways, duplicates merged in (with their reporters and messages), tags, a third party and
notices to outside bodies, policy points broken and an exception named, similar incidents in
the search index, a confidential reporter with a request to know who they are, and, for
`restricted`, a restriction naming the people who may open it and outside help invited.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction

from accounts.models import User
from actions.services import create_action
from anonymous.services import request_identity, submit_confidential_report
from evidence.services import add_evidence
from incidents import lifecycle, restriction
from incidents.models import Incident, Tag
from learning.models import TrainingRecord
from lib import clock
from organisations.models import Membership, Organisation, Role
from parties import services as parties
from parties.models import Body, BodyNotice, ThirdParty
from policies import exceptions

from .factories import OrganisationFactory, UserFactory, reported_incident
from .lifecycle_helpers import decide_breach
from .lifecycle_states import REPORT, classification, settle
from .policy_helpers import point, published_policy
from .test_contract import PNG


@dataclass
class County:
    county: Organisation
    trust: Organisation
    school: Organisation
    sibling: Organisation
    dpo: User  # DPO and admin at the county, governance viewer at the trust
    trust_siro: User
    manager: User
    siro: User
    investigator: User
    reporter: User
    colleague: User
    elsewhere: User  # incident manager at the sibling school

    def everyone(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in (
                "dpo",
                "trust_siro",
                "manager",
                "siro",
                "investigator",
                "reporter",
                "colleague",
                "elsewhere",
            )
        }


def county() -> County:
    top = OrganisationFactory(name="Northshire County DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    trust = OrganisationFactory(name="Fenland Learning Trust", kind=Organisation.Kind.TRUST, parent=top)
    school = OrganisationFactory(name="Ashby Primary School", parent=trust)
    sibling = OrganisationFactory(name="Bourne Academy", parent=trust)
    people: dict[str, User] = {}
    for key, held in [
        ("dpo", [(top, Role.DPO), (top, Role.ADMIN), (trust, Role.GOVERNANCE)]),
        ("trust_siro", [(trust, Role.SIRO)]),
        ("manager", [(school, Role.INCIDENT_MANAGER)]),
        ("siro", [(school, Role.SIRO)]),
        ("investigator", [(school, Role.INVESTIGATOR)]),
        ("reporter", [(school, Role.REPORTER)]),
        ("colleague", [(school, Role.REPORTER)]),
        ("elsewhere", [(sibling, Role.INCIDENT_MANAGER)]),
    ]:
        people[key] = UserFactory(email=f"{key}@northshire.example.org", full_name=key.replace("_", " ").title())
        for organisation, role in held:
            Membership.objects.create(user=people[key], organisation=organisation, role=role)
    return County(county=top, trust=trust, school=school, sibling=sibling, **people)


def full_incident(c: County, *, restricted: bool = False) -> Incident:
    """A major personal data breach at the school, its outcome report accepted by both reviewers,
    with every list of its page holding rows."""
    dpo, manager, investigator = c.dpo, c.manager, c.investigator
    incident, _ = submit_confidential_report(
        organisation=c.school,
        reported_by=c.reporter,
        submission_key=None,
        fields={
            "description": "A class list with parents' phone numbers was emailed to the wrong parent.",
            "personal_data": "yes",
            "location": "School office",
        },
    )
    # Similar incidents, in the search index, one in the sibling school.
    for where, text in [
        (c.school, "A class list was emailed to a parent by mistake."),
        (c.sibling, "The class list with phone numbers went to the wrong parent by email."),
    ]:
        reported_incident(where, c.colleague if where == c.school else None, description=text)
    lifecycle.triage(incident, by=manager, investigator=investigator, **classification("major", "yes"))
    lifecycle.reclassify(incident, by=manager, reason="More found", **classification("major", "yes", nature="event"))
    lifecycle.reclassify(incident, by=manager, reason="It was an incident", **classification("major", "yes"))
    lifecycle.start_investigation(incident, by=investigator)
    lifecycle.correct(incident, by=manager, field="location", value="Main office", reason="The reporter said so")
    lifecycle.ask_dpo(incident, by=manager, question="Do we tell the ICO?")
    lifecycle.advise(incident, by=dpo, advice="Assess it on the breach record first.")
    lifecycle.direct_investigator(incident, by=dpo, direction="Speak to the parent today.")
    for n in (1, 2):
        lifecycle.add_note(incident, by=manager, body=f"Note {n}")
        lifecycle.message_reporter(incident, by=manager, body=f"Message {n}")
        create_action(by=manager, incident=incident, title=f"Action {n}", owner=investigator, due_on=None)
        with transaction.atomic():
            add_evidence(incident=incident, content=PNG, original_name=f"photo-{n}.png", actor=investigator)
    request_identity(incident=incident, by=manager, reason="To ask them what they saw")
    TrainingRecord.objects.create(
        organisation=c.school,
        person=c.reporter,
        course="Data protection basics",
        completed_on=clock.now().date(),
        recorded_by=manager,
        recorded_on=clock.now(),
    )
    # Related incidents both ways, a tag, and two duplicates merged in with their reporters' messages.
    other = reported_incident(c.sibling, None, description="A letter went to the wrong address.")
    lifecycle.link_related(incident, by=dpo, other=other, reason="The same parent")
    earlier = reported_incident(c.school, c.colleague, description="An email to the wrong parent last term.")
    lifecycle.link_related(earlier, by=dpo, other=incident, reason="The same mistake")
    tag = Tag.objects.create(organisation=c.trust, name="Wrong recipient", created_on=clock.now())
    lifecycle.change_tags(incident, by=manager, add=[tag])
    duplicates = [
        reported_incident(c.school, c.colleague, description="I think a class list went to a parent."),
        reported_incident(c.school, None, description="A parent rang about a class list they were sent."),
    ]
    lifecycle.message_reporter(duplicates[0], by=manager, body="Thank you, we know of it.")
    lifecycle.merge(incident, duplicates, by=manager, reason="The same email")
    # A processor involved, and outside bodies told.
    processor = parties.save_party(
        organisation=c.county, by=dpo, party=ThirdParty(name="Mailco", kind=ThirdParty.Kind.PROCESSOR)
    )
    parties.set_third_party(
        incident,
        by=manager,
        third_party=processor,
        processor_told_us_on=clock.now() - timedelta(hours=2),
        controller_told_on=None,
    )
    parties.record_notice(
        incident, by=manager, body=Body.values[0], outcome=BodyNotice.Outcome.TOLD, told_on=clock.now(), reference="R1"
    )
    parties.record_notice(
        incident, by=manager, body=Body.values[1], outcome=BodyNotice.Outcome.NOT_NEEDED, reason="Not their area"
    )
    # The points of the county's policy it broke, and an exception in force that it names.
    policy = published_policy(c.county)
    exception = exceptions.request(
        organisation=c.school,
        point=point(policy, "2"),
        by=c.reporter,
        reason="The music department's laptop is not a school device yet.",
        risk="Pupils' names on a personal laptop could be lost.",
        compensating_measure="Encrypted disk, names only.",
    )
    exceptions.approve(exception, by=c.siro, ends_on=exceptions.today_here() + timedelta(days=30))
    exceptions.record_points(incident, by=manager, points=[point(policy, "1"), point(policy, "3")])
    exceptions.name_exception(incident, by=manager, exception=exception)
    # The outcome report, accepted by the manager and the DPO; the ICO decision made.
    settle(incident, manager)
    lifecycle.save_outcome_draft(incident, by=investigator, sections=REPORT)
    lifecycle.submit_outcome(incident, by=investigator)
    lifecycle.review_outcome(incident, by=manager, accept=True)
    lifecycle.review_outcome(incident, by=dpo, accept=True)
    decide_breach(incident, dpo, reason="Contained at once: no risk to the people affected")
    if restricted:
        restriction.restrict(incident, by=dpo, people=[c.siro, investigator], reason="The manager is a witness.")
        restriction.invite(
            incident,
            by=dpo,
            name="Morgan Reyes",
            firm="Forensics Ltd",
            email="morgan@forensics.example.org",
            mode="contribute",
            ends_on=clock.now() + timedelta(days=30),
        )
    incident.refresh_from_db()
    return incident


def lists_filled(page: Any) -> dict[str, bool]:
    """Which of the page's lists show rows (so a pin cannot pass on an emptier page)."""
    context = page.context
    return {
        name: bool(context.get(name))
        for name in (
            "classifications",
            "notes",
            "reporter_messages",
            "oversight",
            "related",
            "duplicates",
            "kept_reporters",
            "merged_messages",
            "tags",
            "reviews",
            "checklist",
        )
    }
