"""The built-in lists (incidents/builtins.py): one list for migrations, seeding, running code and
the demo; each built-in type and checklist item exists once, and the copies older databases may
hold are merged before the constraints that forbid them are added."""

from datetime import date
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from demo import insights as demo_insights
from incidents import builtins
from incidents.models import (
    ChecklistItem,
    ChecklistTemplateItem,
    Classification,
    Incident,
    IncidentType,
    severity_definitions,
)
from insights.models import TypeReview, TypeReviewLine

from .conftest import Cast
from .factories import OrganisationFactory, reported_incident

BUILT_IN_CONSTRAINTS = (
    (IncidentType, "one_builtin_type_name"),
    (ChecklistTemplateItem, "one_builtin_checklist_item"),
    (ChecklistTemplateItem, "one_builtin_checklist_item_per_type"),
)


def built_in_types() -> list[str]:
    return sorted(IncidentType.objects.filter(organisation=None).values_list("name", flat=True))


def test_the_seeded_database_holds_exactly_the_built_in_lists(db: None) -> None:
    assert built_in_types() == sorted(name for name, _ in builtins.BUILT_IN_TYPES)
    general = ChecklistTemplateItem.objects.filter(organisation=None, incident_type=None)
    assert sorted(general.values_list("text", "is_disciplinary")) == sorted(builtins.POLICY_POINTS)
    for type_name, texts in builtins.TYPE_EXTRAS.items():
        extras = ChecklistTemplateItem.objects.filter(organisation=None, incident_type__name=type_name)
        assert sorted(extras.values_list("text", flat=True)) == sorted(texts), type_name


def test_migrations_and_the_demo_take_the_lists_from_the_one_module() -> None:
    assert import_module("incidents.migrations.0003_builtin_incident_types").add_types is builtins.add_types
    assert import_module("incidents.migrations.0005_builtin_checklist").add_items is builtins.add_items
    assert [name for name, _ in builtins.BUILT_IN_TYPES] == demo_insights.BUILT_IN_TYPES
    assert set(builtins.TYPE_EXTRAS) <= {name for name, _ in builtins.BUILT_IN_TYPES}


def test_default_severity_definitions_cover_every_severity(db: None) -> None:
    assert set(builtins.DEFAULT_SEVERITY_DEFINITIONS) == set(Incident.Severity.values)
    organisation = OrganisationFactory()
    assert severity_definitions(organisation) == builtins.DEFAULT_SEVERITY_DEFINITIONS


def test_seeding_again_adds_nothing(db: None) -> None:
    types, items = IncidentType.objects.count(), ChecklistTemplateItem.objects.count()
    builtins.add_types(apps, None)
    builtins.add_items(apps, None)
    assert (IncidentType.objects.count(), ChecklistTemplateItem.objects.count()) == (types, items)


def test_a_second_built_in_type_with_the_same_name_is_refused(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentType.objects.create(organisation=None, name="Malware")
    with pytest.raises(ValidationError):
        IncidentType(organisation=None, name="Malware").full_clean()
    assert IncidentType.objects.filter(organisation=None, name="Malware").count() == 1


def test_an_organisation_may_still_name_its_own_type_like_a_built_in_once(db: None) -> None:
    school = OrganisationFactory()
    IncidentType.objects.create(organisation=school, name="Malware")
    IncidentType.objects.create(organisation=OrganisationFactory(), name="Malware")
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentType.objects.create(organisation=school, name="Malware")


def test_a_second_built_in_checklist_item_is_refused_for_every_incident_and_per_type(db: None) -> None:
    point = builtins.POLICY_POINTS[0][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTemplateItem.objects.create(organisation=None, incident_type=None, text=point)
    malware = IncidentType.objects.get(organisation=None, name="Malware")
    extra = builtins.TYPE_EXTRAS["Malware"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTemplateItem.objects.create(organisation=None, incident_type=malware, text=extra)
    # The same words are fine for another type, and in an organisation's own template.
    phishing = IncidentType.objects.get(organisation=None, name="Phishing")
    ChecklistTemplateItem.objects.create(organisation=None, incident_type=phishing, text=extra)
    school = OrganisationFactory()
    ChecklistTemplateItem.objects.create(organisation=school, text=point)
    ChecklistTemplateItem.objects.create(organisation=school, text=point)


def drop_built_in_constraints() -> None:
    """Take the constraints away inside the test's transaction (rolled back with it), so the
    database can hold copies as older databases may."""
    editor = connection.schema_editor()
    with connection.cursor() as cursor:
        for model, name in BUILT_IN_CONSTRAINTS:
            constraint = next(c for c in model._meta.constraints if c.name == name)
            cursor.execute(str(constraint.remove_sql(model, editor)))


def missing_built_in_constraints() -> set[str]:
    with connection.cursor() as cursor:
        present = {
            name
            for model in {model for model, _ in BUILT_IN_CONSTRAINTS}
            for name in connection.introspection.get_constraints(cursor, model._meta.db_table)
        }
    return {name for _, name in BUILT_IN_CONSTRAINTS} - present


def add_built_in_constraints(only: set[str] | None = None) -> None:
    editor = connection.schema_editor()
    with connection.cursor() as cursor:
        for model, name in BUILT_IN_CONSTRAINTS:
            if only is not None and name not in only:
                continue
            constraint = next(c for c in model._meta.constraints if c.name == name)
            cursor.execute(str(constraint.create_sql(model, editor)))


def test_merging_copies_of_built_ins_repoints_everything_to_the_oldest_row(cast: Cast) -> None:
    drop_built_in_constraints()
    malware = IncidentType.objects.get(organisation=None, name="Malware")
    extra_text = builtins.TYPE_EXTRAS["Malware"][0]
    extra = ChecklistTemplateItem.objects.get(organisation=None, incident_type=malware, text=extra_text)
    # A copy of "Malware" and, after it, the copy's own extras (as a second seeding made them).
    copy = IncidentType.objects.create(organisation=None, name="Malware", position=50)
    copy_extra = ChecklistTemplateItem.objects.create(organisation=None, incident_type=copy, text=extra_text)
    only_on_copy = ChecklistTemplateItem.objects.create(organisation=None, incident_type=copy, text="Only on the copy")
    point = ChecklistTemplateItem.objects.filter(organisation=None, incident_type=None).order_by("pk").first()
    assert point is not None
    point_copy = ChecklistTemplateItem.objects.create(organisation=None, incident_type=None, text=point.text)
    own_item = ChecklistTemplateItem.objects.create(organisation=cast.school_a, incident_type=copy, text="Ours")
    # An inactive original with an active copy: the merged type stays in use.
    phishing = IncidentType.objects.get(organisation=None, name="Phishing")
    IncidentType.objects.filter(pk=phishing.pk).update(is_active=False)
    phishing_copy = IncidentType.objects.create(organisation=None, name="Phishing")

    incident = reported_incident(cast.school_a, cast.bob)
    Incident.objects.filter(pk=incident.pk).update(incident_type=copy)
    classification = Classification.objects.create(
        incident=incident, version=1, incident_type=copy, classified_by=cast.alice, classified_on=timezone.now()
    )
    on_copied_item = ChecklistItem.objects.create(incident=incident, template_item=copy_extra, text=copy_extra.text)
    on_copied_point = ChecklistItem.objects.create(incident=incident, template_item=point_copy, text=point.text)
    review = TypeReview.objects.create(
        organisation=cast.school_a,
        previous_start=date(2026, 1, 1),
        period_start=date(2026, 7, 1),
        period_end=date(2027, 1, 1),
        trigger=TypeReview.Trigger.ON_DEMAND,
        created_on=timezone.now(),
    )
    line = TypeReviewLine.objects.create(
        review=review, incident_type=phishing_copy, type_name="Phishing", previous_count=1, recent_count=2
    )
    other_type = IncidentType.objects.create(organisation=cast.school_a, name="Malware")

    builtins.merge_duplicate_builtins(apps, None)

    assert list(IncidentType.objects.filter(organisation=None, name="Malware")) == [malware]
    assert list(IncidentType.objects.filter(organisation=None, name="Phishing")) == [phishing]
    phishing.refresh_from_db()
    assert phishing.is_active
    assert built_in_types() == sorted(name for name, _ in builtins.BUILT_IN_TYPES)
    incident.refresh_from_db()
    classification.refresh_from_db()
    line.refresh_from_db()
    own_item.refresh_from_db()
    assert (incident.incident_type, classification.incident_type, line.incident_type) == (malware, malware, phishing)
    assert (own_item.organisation, own_item.incident_type) == (cast.school_a, malware)
    # The copy's extra that repeated an original one is gone and its users point at the original;
    # the extra only the copy had moves to the kept type.
    assert not ChecklistTemplateItem.objects.filter(pk__in=[copy_extra.pk, point_copy.pk]).exists()
    on_copied_item.refresh_from_db()
    on_copied_point.refresh_from_db()
    assert (on_copied_item.template_item, on_copied_point.template_item) == (extra, point)
    only_on_copy.refresh_from_db()
    assert only_on_copy.incident_type == malware
    # An organisation's own type of the same name is not a built-in: left alone.
    assert IncidentType.objects.filter(pk=other_type.pk).exists()

    # Nothing left that the constraints would refuse (foreign keys checked first: PostgreSQL
    # will not index a table with deferred checks pending, which is why 0007 and 0008 are two
    # migrations).
    connection.check_constraints()
    add_built_in_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentType.objects.create(organisation=None, name="Malware")


def test_merging_a_database_without_copies_changes_nothing(db: None) -> None:
    before = (
        list(IncidentType.objects.order_by("pk").values()),
        list(ChecklistTemplateItem.objects.order_by("pk").values()),
    )
    builtins.merge_duplicate_builtins(apps, None)
    after = (
        list(IncidentType.objects.order_by("pk").values()),
        list(ChecklistTemplateItem.objects.order_by("pk").values()),
    )
    assert after == before


def apply_migration(name: str, state: Any) -> Any:
    """Migration `name` of the incidents app applied as `migrate` applies it: its operations
    from the project state before it, in a transaction of its own (on PostgreSQL 0007's
    re-pointing must be committed before 0008 indexes the same tables). Not recorded again."""
    migration = MigrationLoader(connection).get_migration("incidents", name)
    with connection.schema_editor(atomic=migration.atomic) as editor:
        return migration.apply(state, editor)


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_copies_merges_them_then_adds_the_constraints(cast: Cast) -> None:
    """The real migrations, 0007 then 0008, on a database holding copies as older ones may.

    Today's tables stand in for those at 0006 (the columns the two read and write are the
    same); unapplying everything after 0006 and applying it again took a minute of CI."""
    incident = reported_incident(cast.school_a, cast.bob)
    drop_built_in_constraints()  # committed: each migration below runs in its own transaction
    try:
        malware = IncidentType.objects.get(organisation=None, name="Malware")
        copy = IncidentType.objects.create(organisation=None, name="Malware")
        extra = ChecklistTemplateItem.objects.get(
            organisation=None, incident_type=malware, text=builtins.TYPE_EXTRAS["Malware"][0]
        )
        copy_extra = ChecklistTemplateItem.objects.create(organisation=None, incident_type=copy, text=extra.text)
        Incident.objects.filter(pk=incident.pk).update(incident_type=copy)
        checklist_item = ChecklistItem.objects.create(incident=incident, template_item=copy_extra, text=extra.text)

        state = MigrationLoader(connection).project_state(("incidents", "0006_investigation_content_types"))
        state = apply_migration("0007_merge_duplicate_builtins", state)
        apply_migration("0008_builtins_unique", state)
    finally:
        # Had it failed before 0008, the constraints would be missing for the tests after it.
        missing = missing_built_in_constraints()
        if missing:
            builtins.merge_duplicate_builtins(apps, None)
            add_built_in_constraints(only=missing)

    assert list(IncidentType.objects.filter(organisation=None, name="Malware")) == [malware]
    incident.refresh_from_db()
    checklist_item.refresh_from_db()
    assert (incident.incident_type, checklist_item.template_item) == (malware, extra)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentType.objects.create(organisation=None, name="Malware")
