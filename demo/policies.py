"""Demo data for policies: the county's security incident policy published from the built-in
template (its trust and schools follow it), Riverside Community School with its own, most staff
having read the version that applies to them and some not yet.

Called from demo.load.load(); every step goes through `policies.services`, then the times are
moved back so the register, the reminders and the review look as they would months later.
Fictional data only.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from organisations.models import Organisation
from policies import services
from policies.inheritance import readers_of
from policies.models import Acknowledgement, PolicyPoint, PolicyVersion

# Not yet read: the people of Hillcrest Academy and the council department, and Riverside's teacher.
NOT_YET_READ = {
    "champion@hillcrest.example.org",
    "teacher@hillcrest.example.org",
    "servicedesk@council.example.org",
    "officer@council.example.org",
    "teacher@riverside.example.org",
}


def _backdate(version: PolicyVersion, days_ago: int) -> None:
    published = timezone.now() - timedelta(days=days_ago)
    PolicyVersion.objects.filter(pk=version.pk).update(
        created_on=published - timedelta(days=14),
        approved_on=published - timedelta(days=2),
        published_at=published,
        review_by=(published + timedelta(days=365)).date(),
    )
    Acknowledgement.objects.filter(version=version).update(acknowledged_at=published + timedelta(days=3))


def load(orgs: dict[str, Organisation], users: dict[str, Any]) -> dict[str, PolicyVersion]:
    admin = users["admin@example.org"]
    county = services.start_policy(orgs["county"], by=admin)
    services.change_version(county, by=admin, summary_of_changes="First version, from Incident Desk's template.")
    services.approve(county, by=users["dpo@example.org"])
    county = services.publish(county, by=admin, review_by=services.default_review_date())

    riverside = services.start_policy(orgs["riverside"], by=admin)
    lock = services.add_point(
        riverside,
        by=admin,
        section=PolicyPoint.Section.MUST,
        number="8",
        text="Lock your screen whenever you leave a computer, even for a minute.",
    )
    services.add_point(
        riverside,
        by=admin,
        section=PolicyPoint.Section.WHY,
        number=lock.number,
        text="Pupils and visitors pass through every classroom and office.",
    )
    services.add_point(
        riverside,
        by=admin,
        section=PolicyPoint.Section.HOW,
        number=lock.number,
        text="Press the Windows key and L together, or close the laptop's lid.",
    )
    services.change_version(riverside, by=admin, summary_of_changes="The county's policy with a point on screens.")
    services.approve(riverside, by=users["sbm@riverside.example.org"])
    riverside = services.publish(riverside, by=admin, review_by=services.default_review_date())

    for version in (county, riverside):
        for person in readers_of(version):
            if person.email not in NOT_YET_READ:
                services.acknowledge(version, by=person)
    _backdate(county, days_ago=120)
    _backdate(riverside, days_ago=340)  # its review is due within the month: chased on the home page
    return {"county": county, "riverside": riverside}
