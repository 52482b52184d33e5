"""A published security-incident policy with a few points, made directly (no drafting steps)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from organisations.models import Organisation, Role
from policies.models import Policy, PolicyPoint, PolicyVersion

POINTS = [
    (PolicyPoint.Section.MUST, "1", "Report every security incident at once to the incident manager."),
    (PolicyPoint.Section.MUST, "2", "Keep personal data on approved school devices only."),
    (PolicyPoint.Section.MUST, "3", "Lock paper records away at the end of each day."),
]


def published_policy(organisation: Organisation, *, owner_role: str = Role.SIRO, title: str = "") -> PolicyVersion:
    now = timezone.now()
    policy = Policy.objects.create(
        organisation=organisation,
        title=title or "Information security incident policy",
        owner_role=owner_role,
        created_on=now,
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
            PolicyPoint(version=version, section=section, number=number, position=i, text=text)
            for i, (section, number, text) in enumerate(POINTS)
        ]
    )
    return version


def point(version: PolicyVersion, number: str) -> Any:
    return version.points.get(number=number)
