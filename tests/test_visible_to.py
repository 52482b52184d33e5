"""Everything of an incident is visible exactly when its incident is, and is looked up one way.

Each model that belongs to an incident has `objects.visible_to(user)` built on
`Incident.objects.visible_to(user)`; a new one must either have it or be named below as a
record no handler looks up by id (a person's own notification, the outbox, a receipt's hash).
"""

from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.http import Http404

from actions.services import create_action
from anonymous.models import IdentityRequest
from breaches.engine import Facts
from breaches.models import Assessment, Decision
from core.views import get_visible_or_404
from evidence.services import add_evidence
from incidents import lifecycle
from incidents.models import ChecklistItem, Incident, OutcomeReport, OutcomeReview

from .conftest import People
from .lifecycle_states import build
from .test_contract import PNG

# Records about an incident that no page looks up by id for its handlers.
NOT_LOOKED_UP = {
    "notifications.Notification",  # a person's own, looked up among theirs
    "notifications.Outbox",  # the admins' delivery list, per organisation
    "notifications.InformedNotice",
    "deadlines.Escalation",
    "deadlines.Deadline",  # counted per scope and read beside its incident, never opened by id
    "deadlines.ReporterProgress",
    "anonymous.Receipt",  # a keyed hash, found by the receipt itself
    "insights.ImportedRow",
    "webhooks.Delivery",  # read by the worker, and listed on its webhook's page (Powers.can_manage_webhooks)
    # Retention: an entry is reached through its incident (fetched with `get_visible_or_404`), and
    # both are listed per organisation for its incident manager and DPO (Powers.can_dispose).
    "retention.DisposalEntry",
    "retention.Disposal",
}


def incident_children() -> set[type[models.Model]]:
    found: set[type[models.Model]] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is Incident and not field.many_to_many:
                found.add(model)
    return found


def test_every_child_of_an_incident_has_visible_to_or_is_named_as_never_looked_up() -> None:
    missing = {
        model._meta.label
        for model in incident_children()
        if not hasattr(model._default_manager, "visible_to") and model._meta.label not in NOT_LOOKED_UP
    }
    assert missing == set()


def test_each_child_is_visible_exactly_when_its_incident_is(people: People) -> None:
    cast = people.cast
    incident = build("major submitted breach all accepted", people)
    lifecycle.add_note(incident, by=cast.alice, body="Note")
    lifecycle.message_reporter(incident, by=cast.alice, body="Hello")
    create_action(by=cast.alice, incident=incident, title="Retrain", owner=None, due_on=None)
    with transaction.atomic():
        add_evidence(incident=incident, content=PNG, original_name="photo.png", actor=cast.alice)
    assessment = Assessment.record_assessment(incident=incident, facts=Facts(), by=cast.carol)
    Decision.decide(assessment=assessment, by=cast.carol, agrees=True, reason="Contained at once")
    IdentityRequest.objects.create(incident=incident, requested_by=cast.alice, reason="Why")
    models = [
        model
        for model in incident_children() | {OutcomeReview, Decision}
        if hasattr(model._default_manager, "visible_to")
    ]
    checked = 0
    for model in models:
        rows: Any = model._default_manager.all()
        if not rows.exists():
            continue
        checked += 1
        for user in (cast.alice, cast.carol, people.siro, people.investigator):
            assert rows.visible_to(user).count() == rows.count(), (model, user)
        for user in (cast.dave, cast.bob, people.governor, people.admin):
            assert not rows.visible_to(user).exists(), (model, user)
    assert checked >= 12


def test_the_fetch_helper_is_a_404_for_what_the_person_may_not_see(people: People) -> None:
    cast = people.cast
    incident = build("minor triaged", people)
    item = incident.checklist.first()
    assert item is not None
    assert get_visible_or_404(ChecklistItem, cast.alice, pk=item.pk) == item
    assert get_visible_or_404(Incident.objects.select_related("organisation"), cast.alice, uuid=incident.uuid)
    for user in (cast.dave, cast.bob):
        with pytest.raises(Http404):
            get_visible_or_404(ChecklistItem, user, pk=item.pk)
        with pytest.raises(Http404):
            get_visible_or_404(Incident, user, uuid=incident.uuid)
    with pytest.raises(Http404):
        get_visible_or_404(OutcomeReport, cast.alice, incident=incident)  # none yet: not found either
