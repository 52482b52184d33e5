"""RemedialAction lives in the actions app, in the table it always had: the migrations match the
models, the content type moved with its permissions, and an action's page still shows the
history the record wrote when the model was `incidents.RemedialAction`."""

from datetime import date
from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from actions.models import LABEL_BEFORE_THE_MOVE, RemedialAction
from actions.services import complete_action, create_action
from audit.log import record, verify
from audit.models import Event
from insights.models import TypeReviewAction

from .conftest import Cast
from .factories import reported_incident


def test_the_model_keeps_its_table_and_other_apps_point_at_it(db: None) -> None:
    assert RemedialAction._meta.app_label == "actions"
    assert RemedialAction._meta.db_table == "incidents_remedialaction"
    assert "incidents_remedialaction" in connection.introspection.table_names()
    pointing = {
        f"{relation.related_model._meta.label}.{relation.field.name}"
        for relation in RemedialAction._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete
    }
    assert {"deadlines.Escalation.action", "insights.TypeReviewAction.action"} <= pointing
    assert TypeReviewAction._meta.get_field("action").remote_field.model is RemedialAction


def test_the_migrations_describe_the_models(db: None) -> None:
    # Exits with status 1 when a model change has no migration (the state move is complete).
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_the_content_type_is_renamed_in_place_with_its_permissions(db: None) -> None:
    """What actions 0001 does to a database that knew the model as incidents.remedialaction."""
    ContentType.objects.filter(app_label="actions", model="remedialaction").delete()
    ContentType.objects.clear_cache()
    old = ContentType.objects.create(app_label="incidents", model="remedialaction")
    permission = Permission.objects.create(content_type=old, codename="change_remedialaction", name="Can change")

    import_module("actions.migrations.0001_initial").rename_content_type(apps, None)

    ContentType.objects.clear_cache()
    moved = ContentType.objects.get_for_model(RemedialAction)
    assert moved.pk == old.pk
    assert not ContentType.objects.filter(app_label="incidents", model="remedialaction").exists()
    permission.refresh_from_db()
    assert permission.content_type == moved


def write_event_from_before_the_move(action: RemedialAction, by: object, name: str) -> Event:
    """An event as the code before the move wrote it: the same chain, the old label."""
    before_the_move = SimpleNamespace(pk=action.pk, _meta=SimpleNamespace(label_lower=LABEL_BEFORE_THE_MOVE))
    with transaction.atomic():
        return record(
            organisation_id=action.organisation_id,
            action=name,
            actor=by,
            record=action.incident,
            target=before_the_move,  # type: ignore[arg-type]
            after={"title": action.title},
        )


def test_an_actions_page_shows_its_history_from_before_and_after_the_move(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    action = create_action(
        by=cast.alice, incident=incident, title="Retrain staff", owner=cast.bob, due_on=date(2027, 1, 31)
    )
    other = create_action(
        by=cast.alice, incident=incident, title="Other action", owner=cast.bob, due_on=date(2027, 1, 31)
    )
    old_created = write_event_from_before_the_move(action, cast.alice, "action.created")
    old_changed = write_event_from_before_the_move(action, cast.alice, "action.changed")
    write_event_from_before_the_move(other, cast.alice, "action.changed")
    complete_action(action, by=cast.alice)
    new_events = list(Event.objects.filter(target_type="actions.remedialaction", target_id=str(action.pk)))
    assert [e.action for e in new_events] == ["action.created", "action.done"]
    assert verify()[1] is None

    client.force_login(cast.alice)
    response = client.get(reverse("actions:detail", args=[action.pk]))

    assert response.status_code == 200
    shown = {event.pk for event in response.context["events"]}
    assert shown == {old_created.pk, old_changed.pk, *(e.pk for e in new_events)}
    assert "Remedial action changed" in response.content.decode()
