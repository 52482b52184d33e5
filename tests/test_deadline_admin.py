"""The admin pages: timescales (own values, inherited values shown) and informed parties."""

from django.urls import reverse

from audit.models import Event
from deadlines.models import Timescales, effective_timescales
from notifications.models import InformedParty
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import UserFactory


def school_admin(cast: Cast):  # type: ignore[no-untyped-def]
    admin = UserFactory(email="admin@example.org")
    Membership.objects.create(user=admin, organisation=cast.school_a, role=Role.ADMIN)
    return admin


def test_timescales_page_shows_inherited_values_and_saves_overrides(client, cast: Cast) -> None:
    Timescales.objects.create(organisation=cast.county, outcome_minor_days=25)
    client.force_login(school_admin(cast))
    url = reverse("deadlines:timescales", args=[cast.school_a.uuid])
    page = client.get(url).content.decode()
    assert "Inherited from Testshire DPO Service" in page
    assert "Leave empty to use 25 working days (from Testshire DPO Service)." in page
    assert "Leave empty to use 1 working day (from the default)." in page
    response = client.post(url, {"triage_days": "2", "outcome_critical_days": "3"})
    assert response.status_code == 302
    values = effective_timescales(cast.school_a)
    assert (values.triage_days, values.outcome_critical_days, values.outcome_minor_days) == (2, 3, 25)
    event = Event.objects.get(action="timescales.changed")
    after, before = event.after or {}, event.before or {}
    assert after["triage_days"] == 2 and before["triage_days"] is None
    # Clearing a value goes back to inheriting it.
    client.post(url, {"triage_days": "", "outcome_critical_days": "3"})
    assert effective_timescales(cast.school_a).triage_days == 1


def test_timescales_refuse_nonsense(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    url = reverse("deadlines:timescales", args=[cast.school_a.uuid])
    response = client.post(url, {"triage_days": "0"})
    assert response.status_code == 200 and "greater than or equal to 1" in response.content.decode()
    assert not Timescales.objects.exists()


def test_admin_of_one_school_cannot_set_another_schools_timescales(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    assert client.get(reverse("deadlines:timescales", args=[cast.school_b.uuid])).status_code == 404
    assert (
        client.post(reverse("deadlines:timescales", args=[cast.school_b.uuid]), {"triage_days": "5"}).status_code == 404
    )


def test_informed_parties_added_and_removed_on_the_record(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    url = reverse("notifications:informed_parties", args=[cast.school_a.uuid])
    data = {"role": "system_owner", "name": "Pay system owner", "email": "pay@example.org", "service_name": "Payments"}
    assert client.post(url, data).status_code == 302
    party = InformedParty.objects.get()
    assert party.organisation == cast.school_a
    assert client.post(url, {"remove": party.pk}).status_code == 302
    assert not InformedParty.objects.exists()
    assert [e.action for e in Event.objects.order_by("sequence")] == ["informed_party.added", "informed_party.removed"]


def test_nonsense_ids_are_not_found(client, cast: Cast) -> None:
    client.force_login(school_admin(cast))
    assert client.post(reverse("notifications:deliveries"), {"retry": "not-a-uuid"}).status_code == 404
    url = reverse("notifications:informed_parties", args=[cast.school_a.uuid])
    assert client.post(url, {"remove": "x"}).status_code == 404
