"""Policies published and acknowledged (issue 18): drafting from the template, editing, approval
by a named role, publishing, inheritance down the tree, acknowledgement, the register, reminders
and the review, on the real database."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from core.exceptions import StepRefused
from notifications.models import Notification, Outbox
from organisations.models import Membership, Role
from policies import reminders, review, services, template
from policies.inheritance import applicable, policy_for, readers_of, to_acknowledge
from policies.models import Acknowledgement, Policy, PolicyPoint, PolicyVersion, Reminder
from policies.register import figure, registers

from .conftest import Cast, People
from .factories import MembershipFactory, UserFactory

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
MUST = PolicyPoint.Section.MUST


def published(organisation: Any, admin: Any, approver: Any, **kwargs: Any) -> PolicyVersion:
    """A policy of `organisation` drafted from the template, approved and published."""
    version = services.start_policy(organisation, by=admin, **kwargs)
    services.approve(version, by=approver)
    return services.publish(version, by=admin, review_by=services.default_review_date())


@pytest.fixture
def county_admin(cast: Cast) -> Any:
    admin = UserFactory(email="county.admin@example.org", full_name="County Admin")
    Membership.objects.create(user=admin, organisation=cast.county, role=Role.ADMIN)
    return admin


def actions_of(version: PolicyVersion) -> list[str]:
    return list(
        Event.objects.filter(record_type="policies.policy", record_id=str(version.policy_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


# ── The template ────────────────────────────────────────────────────────────────────────


def test_the_template_gives_each_numbered_point_a_must_why_and_how_sharing_one_key() -> None:
    points = template.points()
    by_key: dict[str, set[str]] = {}
    for point in points:
        if point.number:
            by_key.setdefault(point.key, set()).add(point.section)
    assert len(by_key) == len(template.POINTS) >= 5
    assert all(sections == {"must", "why", "how"} for sections in by_key.values())
    assert {p.section for p in points if not p.number} == {"exceptions", "changes", "breaches"}


def test_the_template_is_in_our_own_words_not_the_seeds() -> None:
    """No sentence of the seeds, and none of their names, addresses or telephone numbers."""
    ours = " ".join(p.text for p in template.points()).lower()
    assert not re.search(r"\d{4,5} ?\d{6}|@|\bECC\b|Essex", ours, re.IGNORECASE)
    for seed in SEEDS.glob("*.txt"):
        for sentence in re.split(r"[.\n]", seed.read_text(encoding="utf-8")):
            words = re.sub(r"[^a-z ]", "", sentence.lower()).split()
            if len(words) >= 8:
                assert " ".join(words) not in ours, sentence


# ── The steps ───────────────────────────────────────────────────────────────────────────


def test_an_admin_drafts_edits_the_siro_approves_and_publishing_tells_everyone_it_applies_to(
    people: People,
) -> None:
    school = people.cast.school_a
    version = services.start_policy(school, by=people.admin)
    assert version.number == 1 and version.status == PolicyVersion.Status.DRAFT
    assert version.points.filter(section=MUST).count() == len(template.POINTS)

    point = services.add_point(version, by=people.admin, section=MUST, number="8", text="Lock your screen.")
    why = services.add_point(version, by=people.admin, section="why", number="8", text="Screens are seen.")
    assert why.key == point.key  # the why of point 8 belongs to point 8
    services.change_point(point, by=people.admin, number="8", text="Lock your screen when you leave it.")
    first = version.points.get(section=MUST, number="1")
    services.move_point(point, by=people.admin, up=True)
    point.refresh_from_db()
    assert point.number == "7"  # it swapped places, and numbers, with the point above
    services.remove_point(first, by=people.admin)
    assert not version.points.filter(pk=first.pk).exists()

    with pytest.raises(StepRefused):
        services.approve(version, by=people.admin)  # an admin is not the named role
    services.approve(version, by=people.siro)
    version.refresh_from_db()
    assert (version.status, version.approved_by, version.approved_by_role) == ("approved", people.siro, "siro")

    services.change_point(point, by=people.admin, number="7", text="Lock it.")  # changed after approval
    version.refresh_from_db()
    assert version.status == "draft" and version.approved_by is None
    with pytest.raises(StepRefused):
        services.publish(version, by=people.admin, review_by=services.default_review_date())
    services.approve(version, by=people.cast.carol)  # the DPO above approves, as DPO
    version = services.publish(version, by=people.admin, review_by=date.today() + timedelta(days=200))
    assert version.status == "published" and version.approved_by_role == "dpo"
    assert version.published_at is not None and version.review_by == date.today() + timedelta(days=200)

    readers = {p.email for p in readers_of(version)}
    assert readers == {
        "alice@example.org",
        "bob@example.org",
        *(f"{k}@example.org" for k in ("investigator", "siro", "governor", "admin")),
    }
    told = set(Notification.objects.filter(kind="policy_published").values_list("user__email", flat=True))
    assert told == readers - {"admin@example.org"}  # never the person who published it
    assert Outbox.objects.filter(kind="policy_published", to_address="bob@example.org").exists()
    assert actions_of(version) == [
        "policy.drafted",
        "policy.point_added",
        "policy.point_added",
        "policy.point_changed",
        "policy.point_moved",
        "policy.point_removed",
        "policy.approved",
        "policy.point_changed",
        "policy.approved",
        "policy.published",
    ]
    with pytest.raises(StepRefused):
        services.add_point(version, by=people.admin, section=MUST, number="9", text="Too late.")


def test_a_new_version_keeps_each_points_key_and_supersedes_the_one_before(people: People) -> None:
    first = published(people.cast.school_a, people.admin, people.siro)
    second = services.draft_next(first.policy, by=people.admin)
    with pytest.raises(StepRefused):
        services.draft_next(first.policy, by=people.admin)  # one draft at a time
    assert second.number == 2
    assert sorted(second.points.values_list("section", "key")) == sorted(first.points.values_list("section", "key"))
    point_three = first.points.get(section=MUST, number="3")
    services.change_point(point_three.same_in(second), by=people.admin, number="3", text="Changed.")  # type: ignore[arg-type]
    services.change_version(second, by=people.admin, summary_of_changes="Point 3 is shorter.")
    services.approve(second, by=people.siro)
    services.publish(second, by=people.admin, review_by=services.default_review_date())
    first.refresh_from_db()
    assert first.status == "superseded" and first.superseded_on is not None
    assert point_three.same_in(second).text == "Changed."  # type: ignore[union-attr]
    assert first.policy.published == second


def test_only_an_admin_drafts_and_one_security_incident_policy_per_organisation(people: People) -> None:
    with pytest.raises(StepRefused):
        services.start_policy(people.cast.school_a, by=people.siro)
    services.start_policy(people.cast.school_a, by=people.admin)
    with pytest.raises(StepRefused):
        services.start_policy(people.cast.school_a, by=people.admin)
    other = services.start_policy(
        people.cast.school_a, by=people.admin, kind=Policy.Kind.OTHER, title="Acceptable use", owner_role=Role.DPO
    )
    assert other.points.count() == 0  # its points are the admin's to write


# ── Inheritance ─────────────────────────────────────────────────────────────────────────


def test_a_policy_applies_down_the_tree_until_a_school_publishes_its_own(people: People, county_admin: Any) -> None:
    cast = people.cast
    county = published(cast.county, county_admin, cast.carol)
    assert policy_for(cast.school_a) == county and policy_for(cast.school_b) == county
    own = services.start_policy(cast.school_a, by=people.admin)
    assert policy_for(cast.school_a) == county  # a draft changes nothing
    services.approve(own, by=people.siro)
    own = services.publish(own, by=people.admin, review_by=services.default_review_date())
    assert policy_for(cast.school_a) == own and policy_for(cast.school_b) == county
    assert policy_for(cast.county) == county
    assert {p.email for p in readers_of(county)} == {
        "carol@example.org",
        "dave@example.org",
        "county.admin@example.org",
    }
    # An other information policy of the county still applies to school A: its slot is its title.
    use = services.start_policy(cast.county, by=county_admin, kind="other", title="Acceptable use")
    services.add_point(use, by=county_admin, section=MUST, number="1", text="Use school devices for school work.")
    services.approve(use, by=cast.carol)
    use = services.publish(use, by=county_admin, review_by=services.default_review_date())
    assert applicable(cast.school_a) == [own, use]
    assert policy_for(cast.school_a, "other") == use


# ── Reading and acknowledging ───────────────────────────────────────────────────────────


def test_staff_acknowledge_once_and_the_register_and_figure_count_them(people: People, county_admin: Any) -> None:
    cast = people.cast
    version = published(cast.county, county_admin, cast.carol)
    assert to_acknowledge(cast.bob) == [version]
    assert services.acknowledge(version, by=cast.bob) is not None
    assert services.acknowledge(version, by=cast.bob) is None  # twice: nothing more
    assert to_acknowledge(cast.bob) == []
    assert Acknowledgement.objects.filter(version=version).count() == 1
    assert actions_of(version).count("policy.acknowledged") == 1
    school_a = next(r for r in registers([cast.school_a]) if r.version == version)
    assert (school_a.done, school_a.waiting) == (1, 5)
    assert figure(cast.county) == (1, 9)  # 6 at school A, 1 at school B, 2 at the county
    assert figure(cast.school_b) == (0, 1)


def test_the_figure_counts_what_the_registers_list(people: People, county_admin: Any) -> None:
    # A school's own version in force over the county's, acknowledgements of both, someone with
    # roles at two organisations and a closed account: the figure is the registers' own sums.
    cast = people.cast
    county_version = published(cast.county, county_admin, cast.carol)
    own = published(cast.school_a, people.admin, people.siro)
    services.acknowledge(county_version, by=cast.carol)
    services.acknowledge(own, by=cast.bob)
    services.acknowledge(county_version, by=cast.bob)  # not in force at school A: counts nowhere there
    MembershipFactory(user=cast.carol, organisation=cast.school_b, role=Role.REPORTER)
    type(cast.bob).objects.filter(pk=people.governor.pk).update(is_active=False)
    tree = list(cast.county.descendants())
    security = [r for r in registers(tree) if r.version.policy.kind == Policy.Kind.SECURITY_INCIDENT]
    expected = (sum(r.done for r in security), sum(len(r.lines) for r in security))
    assert figure(cast.county) == expected
    assert expected[0] == 3 and expected[0] < expected[1]  # carol at the county and at school B, bob at A


def test_someone_outside_the_tree_cannot_read_or_acknowledge_a_schools_own_policy(people: People) -> None:
    version = published(people.cast.school_a, people.admin, people.siro)
    assert not PolicyVersion.objects.visible_to(people.cast.dave).filter(pk=version.pk).exists()
    with pytest.raises(StepRefused):
        services.acknowledge(version, by=people.cast.dave)
    assert PolicyVersion.objects.visible_to(people.cast.carol).filter(pk=version.pk).exists()  # the DPO above


def test_a_draft_is_seen_by_admins_siros_and_dpos_only(people: People) -> None:
    draft = services.start_policy(people.cast.school_a, by=people.admin)
    seeing = {u.email for u in people.everyone().values() if PolicyVersion.objects.visible_to(u).filter(pk=draft.pk)}
    assert seeing == {"admin@example.org", "siro@example.org", "carol@example.org"}


def test_after_signing_in_staff_are_asked_to_read_the_new_version_and_may_report_first(
    client: Any, people: People
) -> None:
    version = published(people.cast.school_a, people.admin, people.siro)
    client.force_login(people.cast.alice)  # signs in: user_logged_in
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("policies:prompt")
    page = client.get(response["Location"]).content.decode()
    assert reverse("policies:read", args=[version.uuid]) in page and reverse("intake:report") in page
    assert client.get(reverse("home")).status_code == 200  # asked once per sign-in, then home as usual
    assert "Read Information security incident policy, version 1" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("intake:report")).status_code == 200  # a report is never held up
    read = client.get(reverse("policies:read", args=[version.uuid])).content.decode()
    assert "I have read this policy" in read and "What must I do?" in read
    assert client.post(reverse("policies:acknowledge", args=[version.uuid])).status_code == 302
    assert "I have read this policy" not in client.get(reverse("policies:read", args=[version.uuid])).content.decode()
    client.logout()
    client.force_login(people.cast.alice)
    assert client.get(reverse("home")).status_code == 200  # nothing left to read: no prompt


def test_the_pages_take_a_policy_from_template_to_published(client: Any, people: People) -> None:
    school = people.cast.school_a
    client.force_login(people.admin)
    response = client.post(
        reverse("policies:start", args=[school.uuid]), {"kind": "security_incident", "owner_role": "siro"}
    )
    version = PolicyVersion.objects.get()
    assert response["Location"] == reverse("policies:edit", args=[version.uuid])
    client.post(
        reverse("policies:add_point", args=[version.uuid]), {"section": "must", "number": "8", "text": "Lock screens."}
    )
    point = version.points.get(number="8", section="must")
    client.post(reverse("policies:change_point", args=[version.uuid, point.pk]), {"number": "8", "text": "Lock them."})
    client.post(reverse("policies:move_point", args=[version.uuid, point.pk]), {"direction": "up"})
    client.post(reverse("policies:remove_point", args=[version.uuid, point.pk]))
    assert not version.points.filter(pk=point.pk).exists()
    assert client.get(reverse("policies:approve", args=[version.uuid])).status_code == 404  # an admin
    client.force_login(people.siro)
    assert client.post(reverse("policies:approve", args=[version.uuid])).status_code == 302
    client.force_login(people.admin)
    review_by = (date.today() + timedelta(days=300)).isoformat()
    assert client.post(reverse("policies:publish", args=[version.uuid]), {"review_by": review_by}).status_code == 302
    version.refresh_from_db()
    assert version.status == "published" and version.review_by.isoformat() == review_by  # type: ignore[union-attr]
    manage = client.get(reverse("policies:manage", args=[school.uuid])).content.decode()
    assert "Version 1" in manage and "Back to settings" in manage
    settings = client.get(reverse("organisations:settings", args=[school.uuid])).content.decode()
    assert "Policies" in settings and "1 published here" in settings


def test_the_register_page_and_its_csv_list_who_has_and_has_not_read(client: Any, people: People) -> None:
    version = published(people.cast.school_a, people.admin, people.siro)
    services.acknowledge(version, by=people.cast.bob)
    client.force_login(people.cast.alice)
    page = client.get(reverse("policies:register", args=[people.cast.school_a.uuid])).content.decode()
    assert "1 of 6 people have read it" in page
    response = client.get(reverse("policies:register_csv", args=[people.cast.school_a.uuid]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Organisation", "Policy", "Version"]
    by_email = {row[4]: row[5] for row in rows[1:]}
    assert by_email["bob@example.org"] == "Yes" and by_email["alice@example.org"] == "No"
    client.force_login(people.cast.bob)
    assert client.get(reverse("policies:register", args=[people.cast.school_a.uuid])).status_code == 404


def test_the_dashboard_shows_the_acknowledgement_figure(client: Any, people: People) -> None:
    version = published(people.cast.school_a, people.admin, people.siro)
    services.acknowledge(version, by=people.cast.bob)
    services.acknowledge(version, by=people.cast.alice)
    client.force_login(people.cast.alice)
    page = client.get(reverse("insights:dashboard")).content.decode()
    assert 'data-figure="policy_acknowledged">33%' in page and "(2 of 6)" in page


# ── Reminders and the review ────────────────────────────────────────────────────────────


def test_reminders_ask_again_once_per_threshold_whoever_runs_them(people: People) -> None:
    version = published(people.cast.school_a, people.admin, people.siro)
    services.acknowledge(version, by=people.cast.bob)
    assert reminders.chase_acknowledgements() == 0  # too soon
    later = timezone.now() + timedelta(days=8)
    assert reminders.chase_acknowledgements(later) == 5  # everyone but bob
    assert reminders.chase_acknowledgements(later) == 0  # run again: nothing twice
    assert Notification.objects.filter(kind="policy_acknowledge_reminder").count() == 5
    assert reminders.chase_acknowledgements(timezone.now() + timedelta(days=30)) == 5  # the second threshold
    assert Reminder.objects.filter(kind="acknowledge").count() == 10
    assert actions_of(version).count("policy.acknowledge_reminded") == 2


def test_the_review_is_chased_before_and_at_its_date_once_each(people: People) -> None:
    version = published(people.cast.school_a, people.admin, people.siro)
    due = version.review_by
    assert due is not None
    assert review.review_state(version, due - timedelta(days=31)) == ""
    assert reminders.chase_reviews(due - timedelta(days=31)) == 0
    assert review.review_state(version, due - timedelta(days=10)) == "soon"
    assert reminders.chase_reviews(due - timedelta(days=10)) == 1
    assert reminders.chase_reviews(due - timedelta(days=9)) == 0
    told = set(Notification.objects.filter(kind="policy_review_due").values_list("user__email", flat=True))
    assert told == {"siro@example.org", "admin@example.org"}  # the owner role and the admins
    assert review.review_state(version, due) == "overdue"
    assert reminders.chase_reviews(due) == 1
    assert reminders.chase_reviews(due + timedelta(days=5)) == 0
    with time_machine.travel(due + timedelta(days=1)):
        from policies.home import reviews_for

        assert reviews_for(people.admin, due) == [(version, "overdue")]
        assert reviews_for(people.cast.bob, due) == []


def test_the_published_version_downloads_as_a_pdf_with_its_points_and_control(client: Any, people: People) -> None:
    from pypdf import PdfReader

    version = published(people.cast.school_a, people.admin, people.siro)
    client.force_login(people.cast.bob)
    response = client.get(reverse("policies:pdf", args=[version.uuid]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Information security incident policy" in text and "What must I do?" in text
    assert "Review by" in text and "Siro, Senior Information Risk Owner" in text
