from django.urls import reverse

from audit.models import Event
from incidents.models import Incident
from organisations.models import Membership, Role

from .conftest import Cast
from .factories import OrganisationFactory, UserFactory, reported_incident


def test_handler_sees_their_school_and_not_a_sibling(client, cast: Cast) -> None:
    mine = reported_incident(cast.school_a, cast.bob, description="Ours")
    theirs = reported_incident(cast.school_b, None, description="Theirs")
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:list"))
    assert mine.reference.encode() in page.content and theirs.reference.encode() not in page.content
    assert client.get(reverse("incidents:detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("incidents:detail", args=[theirs.uuid])).status_code == 404


def test_dpo_above_both_schools_sees_both(client, cast: Cast) -> None:
    a = reported_incident(cast.school_a, cast.bob)
    b = reported_incident(cast.school_b, None)
    client.force_login(cast.carol)
    page = client.get(reverse("incidents:list"))
    assert a.reference.encode() in page.content and b.reference.encode() in page.content


def test_a_role_reaches_down_the_tree_not_up(client, cast: Cast) -> None:
    department = OrganisationFactory(name="Year 6 office", parent=cast.school_a)
    below = reported_incident(department, None, description="Below")
    above = reported_incident(cast.county, None, description="Above")
    client.force_login(cast.alice)
    assert client.get(reverse("incidents:detail", args=[below.uuid])).status_code == 200
    assert client.get(reverse("incidents:detail", args=[above.uuid])).status_code == 404


def test_governance_viewer_and_admin_do_not_see_incident_details(client, cast: Cast) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    for role in (Role.GOVERNANCE, Role.ADMIN):
        person = UserFactory()
        Membership.objects.create(user=person, organisation=cast.school_a, role=role)
        client.force_login(person)
        assert client.get(reverse("incidents:detail", args=[incident.uuid])).status_code == 404


def test_filters_and_search(client, cast: Cast) -> None:
    lost = reported_incident(cast.school_a, cast.bob, description="Lost laptop on the train")
    phish = reported_incident(cast.school_a, cast.bob, description="Phishing email about invoices")
    Incident.objects.filter(pk=phish.pk).update(status=Incident.Status.CLOSED)
    elsewhere = reported_incident(cast.school_b, None, description="Lost laptop at school B")
    client.force_login(cast.carol)

    def refs(**query: str) -> set[str]:
        page = client.get(reverse("incidents:list"), query)
        return {i.reference for i in page.context["page_obj"].object_list}

    assert refs(q="laptop") == {lost.reference, elsewhere.reference}
    assert refs(q=str(lost.reference)) == {lost.reference}
    assert refs(status="closed") == {phish.reference}
    assert refs(status="open") == {lost.reference, elsewhere.reference}
    assert refs(organisation=str(cast.school_b.pk)) == {elsewhere.reference}


def test_detail_shows_every_field_and_the_timeline_and_records_the_view(client, cast: Cast) -> None:
    incident = reported_incident(
        cast.school_a, cast.bob, description="Printout left in copier", location="Staffroom", people_affected=12
    )
    client.force_login(cast.alice)
    page = client.get(reverse("incidents:detail", args=[incident.uuid]))
    html = page.content.decode()
    for text in ("Printout left in copier", "Staffroom", "12", "Bob Reporter", "Reported", "Timeline"):
        assert text in html
    viewed = Event.objects.get(action="incident.viewed")
    assert viewed.actor == cast.alice and viewed.record_id == str(incident.pk)


def test_organisation_role_titles_are_shown(client, cast: Cast) -> None:
    from organisations.models import RoleTitle

    RoleTitle.objects.create(organisation=cast.county, role=Role.INVESTIGATOR, title="Information Champion")
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    assert b"Information Champion" in client.get(reverse("incidents:detail", args=[incident.uuid])).content


def test_list_query_count_does_not_grow_with_rows(client, cast: Cast, django_assert_max_num_queries) -> None:
    for n in range(60):
        reported_incident(cast.school_a if n % 2 else cast.school_b, None, description=f"Report {n}")
    client.force_login(cast.carol)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("incidents:list"))
    assert len(page.context["page_obj"].object_list) == 50


def test_detail_query_count_is_fixed(client, cast: Cast, django_assert_max_num_queries) -> None:
    incident = reported_incident(cast.school_a, cast.bob)
    client.force_login(cast.alice)
    for _ in range(5):
        client.get(reverse("incidents:detail", args=[incident.uuid]))  # more events on the timeline
    # 2 for the session and user, 1 for the memberships, 1 for the incident, 3 to write the
    # "viewed" event to the chain, the navigation, the role titles, the timescales and the
    # timeline; an empty list (notes, messages, evidence, actions) costs nothing. None grows
    # with the rows shown (the timeline above has more events than the first view).
    # tests/test_query_counts.py pins every state and every viewer.
    with django_assert_max_num_queries(15):
        client.get(reverse("incidents:detail", args=[incident.uuid]))
