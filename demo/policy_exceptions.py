"""Demo exceptions to a policy point and a suggested change (policies 000-002).

One exception in force at Brookside, one ending within the fortnight at Riverside, a suggestion
waiting for the trust's owner, and a Brookside incident that broke a point. Called at the end of
demo.load.load(). Every name and text here is invented.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from incidents.models import Incident
from organisations.models import Organisation, Role
from policies import exceptions, proposals
from policies.models import Policy, PolicyPoint, PolicyVersion

# Used only when no policy is published yet (the policies demo publishes the real ones).
FALLBACK_POINTS = [
    ("1", "Report every information security incident straight away, even if you are not sure."),
    ("2", "Keep personal data only on devices and services the trust has approved."),
    ("3", "Lock paper records with personal data away whenever you leave the room."),
]


def _policy_for(organisation: Organisation) -> PolicyVersion:
    versions = exceptions.applicable_versions(organisation)
    if versions:
        return versions[0]
    # The county's, so it applies to every school beneath; owned by the county's DPO.
    county = organisation.ancestors().first() or organisation
    now = timezone.now()
    policy = Policy.objects.create(
        organisation=county, title="Information security incident policy", owner_role=Role.DPO, created_on=now
    )
    version = PolicyVersion.objects.create(
        policy=policy,
        number=1,
        status=PolicyVersion.Status.PUBLISHED,
        created_on=now,
        published_at=now,
        review_by=(now + timedelta(days=365)).date(),
    )
    PolicyPoint.objects.bulk_create(
        [
            PolicyPoint(version=version, section=PolicyPoint.Section.MUST, number=n, position=i, text=text)
            for i, (n, text) in enumerate(FALLBACK_POINTS)
        ]
    )
    return version


def load(orgs: dict[str, Organisation], users: dict[str, Any]) -> None:
    today = exceptions.today_here()
    version = _policy_for(orgs["brookside"])
    points = list(version.points.order_by("section", "position"))
    must = [p for p in points if p.section == PolicyPoint.Section.MUST] or points
    second = must[min(1, len(must) - 1)]

    in_force = exceptions.request(
        organisation=orgs["brookside"],
        point=second,
        by=users["sbm@brookside.example.org"],
        reason="The music department's recording laptop is not yet on the school's managed devices.",
        risk="Recordings with pupils' first names could be lost with the laptop.",
        compensating_measure="The disk is encrypted, recordings are deleted each Friday, no surnames are used.",
        wanted_until=today + timedelta(days=120),
    )
    exceptions.approve(in_force, by=users["head@brookside.example.org"], ends_on=today + timedelta(days=90))

    riverside = exceptions.applicable_versions(orgs["riverside"])
    if riverside:
        river_point = riverside[0].points.order_by("section", "position").first()
        ending = exceptions.request(
            organisation=orgs["riverside"],
            point=river_point or second,
            by=users["teacher@riverside.example.org"],
            reason="The school trip's emergency contact sheet must travel on paper.",
            risk="The sheet could be left on the coach.",
            compensating_measure="One named teacher carries it in a zipped wallet and shreds it on return.",
        )
        exceptions.approve(ending, by=users["dpo@example.org"], ends_on=today + timedelta(days=7))

    proposals.propose(
        policy=version.policy,
        point=must[-1],
        by=users["teacher@hillcrest.example.org"],
        change="Say that paper records are locked away at lunchtime too, not only at the end of the day.",
        reason="Registers were left on a desk over lunch twice this term.",
    )

    triaged = (
        Incident.objects.filter(organisation=orgs["brookside"])
        .exclude(status=Incident.Status.REPORTED)
        .order_by("reported_on")
        .first()
    )
    if triaged is not None and second.pk in {p.pk for p in exceptions.applicable_points(orgs["brookside"])}:
        exceptions.record_points(triaged, by=users["sbm@brookside.example.org"], points=[second])
