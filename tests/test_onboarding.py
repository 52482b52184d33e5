"""Bringing a county in (issue 14): people and organisations from a file, exports, leavers.

Every import has a trial run that lists each failing row by number and changes nothing;
the import itself changes nothing if any row fails; importing the same file again adds no
row, no event, no email and no job. Roles go through `organisations.grants`, so a DPO
named in a file waits for approval like one added by hand.
"""

import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from actions.models import RemedialAction
from anonymous.models import PublicReportPage
from audit.models import Event
from notifications.models import Outbox
from onboarding import leavers, schools
from onboarding import people as people_import
from onboarding.models import DormantAccount, OrganisationUrn
from onboarding.tasks import flag_leavers
from organisations.models import Contact, Membership, Organisation, Role, RoleGrant, SignInDomain
from organisations.tasks import send_invitations

from .conftest import People
from .factories import MembershipFactory, OrganisationFactory, UserFactory, reported_incident

GOOD = (
    "Name,Email,Organisation,Role,Leaver\n"
    "Priya Shah,priya@example.org,School A,Reporter,\n"
    "Tom Green,TOM@example.org,School A,Incident manager,\n"
    "Tom Green,tom@example.org,School A,,\n"
    "Ann Lee,ann@example.org,School A,Data Protection Officer,\n"
)


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "grants": RoleGrant.objects.count(),
        "events": Event.objects.count(),
        "outbox": Outbox.objects.count(),
        "jobs": DBTaskResult.objects.count(),
        "organisations": Organisation.objects.count(),
        "pages": PublicReportPage.objects.count(),
        "contacts": Contact.objects.count(),
        "domains": SignInDomain.objects.count(),
    }


def test_trial_run_lists_every_failing_row_and_changes_nothing(people: People) -> None:
    OrganisationFactory(name="Twin", parent=people.cast.school_a)
    OrganisationFactory(name="Twin", parent=people.cast.school_a)
    before = counts()
    content = (
        b"Name,Email,Organisation,Role,Leaver\n"
        b"Good One,good@example.org,School A,Reporter,\n"
        b"Bad Mail,not-an-email,School A,Reporter,\n"
        b"Elsewhere,e@example.org,School B,Reporter,\n"
        b"No Role,r@example.org,School A,Head cook,\n"
        b"Twin,t@example.org,Twin,Reporter,\n"
        b"Myself,admin@example.org,School A,,yes\n"
        b"Maybe,m@example.org,School A,,perhaps\n"
    )
    outcome = people_import.check(people.cast.school_a, content, "staff.csv", by=people.admin)
    found = {(p.row, p.message) for p in outcome.problems}
    assert outcome.rows == 7
    assert [p.row for p in outcome.problems] == [3, 4, 5, 6, 7, 8]
    assert (3, "“not-an-email” is not an email address.") in found
    assert (4, "There is no organisation called “School B” at School A or beneath it.") in found
    assert any(row == 5 and "“Head cook” is not a role here" in m for row, m in found)
    assert (6, "More than one organisation is called “Twin”: give its URN instead.") in found
    assert (7, "You cannot take away your own roles. Ask another admin.") in found
    assert any(row == 8 and "Leaver must be “yes”" in m for row, m in found)
    # The import refuses the whole file too, and changes nothing.
    assert people_import.run_import(people.cast.school_a, content, "staff.csv", by=people.admin).imported is False
    assert counts() == before


def test_a_file_without_the_needed_columns_is_refused_in_plain_words(people: People) -> None:
    outcome = people_import.check(people.cast.school_a, b"Who,Where\nx,y\n", "staff.csv", by=people.admin)
    assert [(p.row, p.message) for p in outcome.problems] == [
        (1, "The first row must name the columns; no email or organisation column was found.")
    ]


def test_import_adds_people_roles_events_and_batched_invitations(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = people_import.run_import(people.cast.school_a, GOOD.encode(), "staff.csv", by=people.admin)
    assert outcome.imported and not outcome.problems
    assert (outcome.people_added, outcome.roles_given, outcome.roles_waiting) == (3, 3, 1)
    tom = User.objects.get(email="tom@example.org")
    assert tom.full_name == "Tom Green" and not tom.has_usable_password()
    assert set(Membership.objects.filter(user=tom).values_list("role", flat=True)) == {"incident_manager", "reporter"}
    # The DPO role waits for a second DPO, exactly as when added by hand.
    ann = User.objects.get(email="ann@example.org")
    assert not Membership.objects.filter(user=ann).exists()
    assert RoleGrant.objects.get(user=ann).state == RoleGrant.State.PENDING
    actions = list(Event.objects.filter(organisation_id=people.cast.school_a.pk).values_list("action", flat=True))
    assert actions.count("person.added") == 3
    assert actions.count("membership.added") == 3
    assert actions.count("role_grant.requested") == 1
    assert actions.count("people_import.run") == 1
    # Invitations go to the worker in batches, one job for the three new people here.
    jobs = DBTaskResult.objects.filter(task_path__endswith="send_invitations")
    assert jobs.count() == 1
    (invitations,) = jobs.get().args_kwargs["args"]
    assert {organisation_id for _, organisation_id in invitations} == {people.cast.school_a.pk}
    send_invitations.call(invitations)
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "priya@example.org", "tom@example.org"]
    assert "choose a password" in mail.outbox[0].body.lower() or "/accounts/" in mail.outbox[0].body


def test_importing_the_same_file_again_changes_nothing(people: People, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        people_import.run_import(people.cast.school_a, GOOD.encode(), "staff.csv", by=people.admin)
    before = counts()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = people_import.run_import(people.cast.school_a, GOOD.encode(), "staff.csv", by=people.admin)
    assert again.imported and not again.changed
    assert callbacks == []
    assert counts() == before


def test_the_same_people_as_an_xlsx_file_import_too(people: People) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in GOOD.strip().splitlines():
        sheet.append(row.split(","))
    data = io.BytesIO()
    book.save(data)
    outcome = people_import.run_import(people.cast.school_a, data.getvalue(), "staff.xlsx", by=people.admin)
    assert outcome.imported and outcome.people_added == 3


def test_a_school_is_found_by_its_urn(people: People) -> None:
    OrganisationUrn.objects.create(organisation=people.cast.school_a, urn="123456")
    content = b"Name,Email,URN\nSam,sam@example.org,123456\n"
    outcome = people_import.run_import(people.cast.school_a, content, "staff.csv", by=people.admin)
    assert outcome.imported
    assert Membership.objects.filter(user__email="sam@example.org", organisation=people.cast.school_a).exists()


def test_a_leaver_row_takes_away_every_role_there_at_once(people: People) -> None:
    bob = people.cast.bob
    MembershipFactory(user=bob, organisation=people.cast.school_a, role=Role.INVESTIGATOR)
    content = b"Name,Email,Organisation,Role,Leaver\nBob,bob@example.org,School A,,yes\n"
    outcome = people_import.run_import(people.cast.school_a, content, "leavers.csv", by=people.admin)
    assert outcome.roles_revoked == 2
    assert not Membership.objects.filter(user=bob).exists()
    removed = Event.objects.filter(action="membership.removed", organisation_id=people.cast.school_a.pk)
    assert sorted(e.before["role"] for e in removed if e.before) == ["investigator", "reporter"]
    before = counts()
    people_import.run_import(people.cast.school_a, content, "leavers.csv", by=people.admin)
    assert counts() == before


def test_export_neutralises_cells_a_spreadsheet_would_run(client: Any, people: People) -> None:
    UserFactory(email="evil@example.org", full_name='=HYPERLINK("http://x.example","y")')
    MembershipFactory(
        user=User.objects.get(email="evil@example.org"), organisation=people.cast.school_a, role=Role.REPORTER
    )
    client.force_login(people.admin)
    response = client.get(reverse("onboarding:export_csv", args=[people.cast.school_a.uuid]))
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "bob@example.org,School A,,Reporter" in text
    response = client.get(reverse("onboarding:export_xlsx", args=[people.cast.school_a.uuid]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x.example","y")' in names
    # Another organisation's admin gets nothing.
    other = UserFactory()
    MembershipFactory(user=other, organisation=people.cast.school_b, role=Role.ADMIN)
    client.force_login(other)
    assert client.get(reverse("onboarding:export_csv", args=[people.cast.school_a.uuid])).status_code == 404


def test_the_exported_file_imports_back_without_change(client: Any, people: People) -> None:
    client.force_login(people.admin)
    response = client.get(reverse("onboarding:export_csv", args=[people.cast.school_a.uuid]))
    content = b"".join(response.streaming_content)
    before = counts()
    outcome = people_import.run_import(people.cast.school_a, content, "people.csv", by=people.admin)
    assert outcome.imported and not outcome.problems and not outcome.changed
    assert counts() == before


def test_the_import_page_runs_a_trial_then_the_import(client: Any, people: People) -> None:
    client.force_login(people.admin)
    url = reverse("onboarding:import_people", args=[people.cast.school_a.uuid])
    bad = SimpleUploadedFile("staff.csv", b"Name,Email,Organisation\nX,nope,School A\n", content_type="text/csv")
    response = client.post(url, {"file": bad, "step": "check"})
    assert "“nope” is not an email address." in response.content.decode()
    good = SimpleUploadedFile("staff.csv", GOOD.encode(), content_type="text/csv")
    response = client.post(url, {"file": good, "step": "check"})
    assert "All 4 rows can be imported" in response.content.decode()
    assert not User.objects.filter(email="priya@example.org").exists()
    good.seek(0)
    response = client.post(url, {"file": good, "step": "import"})
    assert "File imported" in response.content.decode()
    assert User.objects.filter(email="priya@example.org").exists()


# ── Organisations ─────────────────────────────────────────────────────────────────────────
SCHOOLS = (
    "Name,Kind,Parent,URN,Email domains,Contacts\n"
    "Oakfield Trust,Trust,,,oakfield.org.uk,\n"
    "Brookside Primary,School,Oakfield Trust,100001,brookside.sch.uk,"
    "Headteacher: Jo Bloggs <head@brookside.sch.uk>; DPO: Sam Patel\n"
    "Millbrook Academy,,100001,100002,,\n"
    "Hilltop Infants,school,,100003,hilltop.sch.uk @hilltop.example.org,\n"
)


@pytest.fixture
def county_admin(cast: Any) -> User:
    admin = UserFactory(email="county-admin@example.org")
    MembershipFactory(user=admin, organisation=cast.county, role=Role.ADMIN)
    return admin


def test_organisations_import_with_public_pages_contacts_and_events(cast: Any, county_admin: User) -> None:
    outcome = schools.run_import(cast.county, SCHOOLS.encode(), "schools.csv", by=county_admin)
    assert outcome.imported and not outcome.problems and len(outcome.created) == 4
    brookside = Organisation.objects.get(name="Brookside Primary")
    trust = Organisation.objects.get(name="Oakfield Trust")
    assert brookside.parent == trust and trust.parent == cast.county
    assert Organisation.objects.get(name="Millbrook Academy").parent == brookside
    assert brookside.urn_record.urn == "100001"
    assert PublicReportPage.objects.filter(organisation__in=[o for o, _ in outcome.created]).count() == 4
    assert list(brookside.contacts.values_list("kind", "name", "email")) == [
        ("dpo", "Sam Patel", ""),
        ("headteacher", "Jo Bloggs", "head@brookside.sch.uk"),
    ]
    actions = list(Event.objects.filter(organisation_id=brookside.pk).values_list("action", flat=True))
    assert actions[:3] == ["organisation.created", "sign_in_domain.claimed", "contact.added"]
    assert "public_page.created" in actions
    assert Event.objects.filter(action="organisation_import.run", organisation_id=cast.county.pk).count() == 1
    assert outcome.domains == 4
    claimed = SignInDomain.objects.order_by("domain")
    assert [(d.domain, d.organisation.name, d.claimed_by) for d in claimed] == [
        ("brookside.sch.uk", "Brookside Primary", county_admin),
        ("hilltop.example.org", "Hilltop Infants", county_admin),
        ("hilltop.sch.uk", "Hilltop Infants", county_admin),
        ("oakfield.org.uk", "Oakfield Trust", county_admin),
    ]
    events = Event.objects.filter(action="sign_in_domain.claimed", actor=county_admin)
    assert sorted((e.after or {})["domain"] for e in events) == [d.domain for d in claimed]
    assert {e.organisation_id for e in events} == {d.organisation_id for d in claimed}
    before = counts()
    again = schools.run_import(cast.county, SCHOOLS.encode(), "schools.csv", by=county_admin)
    assert again.imported and again.already == 4 and not again.created
    assert counts() == before


def test_organisations_trial_run_lists_every_failing_row(cast: Any, county_admin: User) -> None:
    far_away = OrganisationFactory(name="Far Away")
    OrganisationUrn.objects.create(organisation=far_away, urn="999999")
    SignInDomain.objects.create(organisation=far_away, domain="far.sch.uk")
    content = (
        b"Name,Kind,Parent,URN,Email domains,Contacts\n"
        b"Good School,,,100010,good.sch.uk,\n"
        b",School,,,,\n"
        b"Bad Kind,Castle,,,,\n"
        b"Bad URN,,,12AB,,\n"
        b"Orphan,,Nowhere Trust,,,\n"
        b"Bad Domain,,,,not a domain!,\n"
        b"Bad Contact,,,,,Jo Bloggs\n"
        b"Taken,,,999999,,\n"
        b"Twice,,,100010,,\n"
        b"Claimed Elsewhere,,,,far.sch.uk,\n"
        b"Same Domain,,,,good.sch.uk,\n"
    )
    before = counts()
    outcome = schools.check(cast.county, content, "schools.csv", by=county_admin)
    rows = [p.row for p in outcome.problems]
    assert sorted(set(rows)) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    messages = " ".join(p.message for p in outcome.problems)
    assert "The name is missing." in messages
    assert "“Castle” is not a kind of organisation" in messages
    assert "“12AB” is not a URN" in messages
    assert "The parent “Nowhere Trust” is not Testshire DPO Service, beneath it, or an earlier row." in messages
    assert "“not” is not an email domain" in messages
    assert "should read like “Headteacher: Jo Bloggs <head@school.sch.uk>”" in messages
    assert "URN 999999 belongs to an organisation outside Testshire DPO Service." in messages
    assert "URN 100010 is already on row 2." in messages
    assert "The email domain far.sch.uk already belongs to another organisation." in messages
    assert "The email domain good.sch.uk is already on row 2." in messages
    assert not schools.run_import(cast.county, content, "schools.csv", by=county_admin).imported
    assert counts() == before


def test_only_an_admin_above_or_a_superuser_imports_organisations(
    client: Any, people: People, county_admin: User
) -> None:
    url = reverse("onboarding:import_organisations", args=[people.cast.county.uuid])
    client.force_login(people.admin)  # an admin of School A, not of the county
    assert client.get(url).status_code == 404
    client.force_login(county_admin)
    assert client.get(url).status_code == 200
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 200


def test_importing_domains_needs_the_same_power_as_claiming_them_by_hand(people: People) -> None:
    """An admin of School A may not claim a domain for School A itself (Powers.may_claim_domain),
    so neither may they for an organisation they would import as a sibling beneath the county."""
    content = b"Name,Parent,Email domains\nNew Annexe,,annexe.sch.uk\nNo Domains,,\n"
    outcome = schools.check(people.cast.school_a, content, "schools.csv", by=people.admin)
    assert [(p.row, p.message) for p in outcome.problems] == []  # beneath School A: its admin may claim
    outcome = schools.check(people.cast.county, content, "schools.csv", by=people.admin)
    assert [(p.row, p.message) for p in outcome.problems] == [
        (2, "You may not say which email domains belong to organisations here: ask a superuser.")
    ]


# ── Leavers ───────────────────────────────────────────────────────────────────────────────
def test_flagging_quiet_accounts_is_idempotent_and_lifted_on_sign_in(settings: Any, people: People) -> None:
    settings.LEAVER_AFTER_DAYS = 180
    long_ago = timezone.now() - timedelta(days=200)
    User.objects.exclude(pk=people.cast.bob.pk).update(last_login=timezone.now())
    User.objects.filter(pk=people.cast.bob.pk).update(last_login=long_ago)
    assert flag_leavers.call() == 1
    flag = DormantAccount.objects.get()
    assert (flag.user, flag.organisation) == (people.cast.bob, people.cast.school_a)
    before = counts()
    assert flag_leavers.call() == 0
    assert counts() == before
    assert Event.objects.filter(action="leaver.flagged").count() == 1
    User.objects.filter(pk=people.cast.bob.pk).update(last_login=timezone.now())
    leavers.flag_dormant()
    assert not DormantAccount.objects.exists()


def test_the_people_page_lists_a_leaver_and_their_open_work(client: Any, people: People) -> None:
    alice = people.cast.alice
    User.objects.update(last_login=timezone.now())
    User.objects.filter(pk=alice.pk).update(last_login=timezone.now() - timedelta(days=400))
    incident = reported_incident(people.cast.school_a, people.cast.bob)
    incident.investigator = alice
    incident.save(update_fields=["investigator"])
    RemedialAction.objects.create(organisation=people.cast.school_a, title="Lock the filing cabinet", owner=alice)
    leavers.flag_dormant()
    client.force_login(people.admin)
    page = client.get(reverse("onboarding:people", args=[people.cast.school_a.uuid])).content.decode()
    assert "alice@example.org" in page
    assert str(incident) in page and "Lock the filing cabinet" in page
    client.force_login(people.cast.dave)
    assert client.get(reverse("onboarding:people", args=[people.cast.school_a.uuid])).status_code == 404


def test_the_export_and_the_people_page_cost_the_same_queries_for_many_people(
    client: Any, people: People, django_assert_max_num_queries: Any
) -> None:
    school = people.cast.school_a
    for i in range(30):
        user = UserFactory(email=f"many{i}@example.org", last_login=timezone.now() - timedelta(days=400))
        MembershipFactory(user=user, organisation=school, role=Role.REPORTER)
    leavers.flag_dormant()
    client.force_login(people.admin)
    client.get(reverse("onboarding:people", args=[school.uuid]))  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get(reverse("onboarding:people", args=[school.uuid])).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(reverse("onboarding:export_csv", args=[school.uuid]))
        assert b"".join(response.streaming_content).count(b"@example.org") >= 30


def test_a_leaver_imported_through_the_page_has_their_open_work_listed(client: Any, people: People) -> None:
    alice = people.cast.alice
    RemedialAction.objects.create(organisation=people.cast.school_a, title="Shred the old registers", owner=alice)
    client.force_login(people.admin)
    upload = SimpleUploadedFile("leavers.csv", b"Email,Organisation,Leaver\nalice@example.org,School A,yes\n")
    page = client.post(
        reverse("onboarding:import_people", args=[people.cast.school_a.uuid]), {"file": upload, "step": "import"}
    ).content.decode()
    assert "Open work of the leavers" in page and "Shred the old registers" in page
    assert not Membership.objects.filter(user=alice).exists()
