"""One factory per model and state; the fixed cast lives in conftest.py."""

from typing import Any

import factory
from django.db import models
from django.utils import timezone

from accounts.models import User
from incidents.models import Incident, report_incident
from organisations.models import Membership, Organisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test School {n}")
    kind = Organisation.Kind.SCHOOL


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "reporter"


def reported_incident(organisation: Organisation, reporter: User | None = None, **fields: Any) -> Incident:
    """An incident as a real report makes it (reference, first event)."""
    fields.setdefault("description", "A class list was emailed to the wrong parent.")
    incident, _ = report_incident(organisation=organisation, reported_by=reporter, submission_key=None, fields=fields)
    return incident


class ReportedIncidentFactory(factory.Factory):
    """Builds through `report_incident`, so every incident carries its reference and event."""

    class Meta:
        model = Incident

    organisation = factory.SubFactory(OrganisationFactory)
    reporter = None
    description = factory.Faker("sentence")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Incident:
        organisation = kwargs.pop("organisation")
        reporter = kwargs.pop("reporter")
        return reported_incident(organisation, reporter, **kwargs)


def now() -> Any:
    return timezone.now()


def set_fields(rows: Any, **values: Any) -> None:
    """Set `values` on every row of a queryset (or one row), saving each: sealed columns are
    sealed as a row is saved, never by `update()` (audit/sealing.py)."""
    for row in [rows] if isinstance(rows, models.Model) else list(rows):
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))


def incident_described(text: str, *, starts: bool = False) -> Incident:
    """The one incident whose description is (or begins with) `text`: sealed descriptions are
    read, not searched in SQL."""
    found = [i for i in Incident.objects.all() if (i.description.startswith(text) if starts else i.description == text)]
    assert len(found) == 1, f"{len(found)} incidents described as {text!r}"
    return found[0]
