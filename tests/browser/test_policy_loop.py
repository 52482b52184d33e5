"""The policy loop in a browser, with axe-core on each policy page.

Acknowledging: a teacher signs in after a new version of the policy is published, is asked to
read it, reads it and says so.
Excepting: a business manager asks for an exception to a point; the SIRO approves it for 30 days.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from organisations.models import Membership, Organisation, Role
from policies import services
from policies.exceptions import today_here
from policies.models import Acknowledgement, PolicyException

from ..factories import OrganisationFactory, UserFactory
from ..lifecycle_helpers import make_team
from ..policy_helpers import published_policy
from .axe import assert_accessible
from .test_reporting_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db: None):
    return make_team()


def published(team, version):  # type: ignore[no-untyped-def]
    services.approve(version, by=team.dpo)
    return services.publish(version, by=team.admin, review_by=services.default_review_date())


def test_a_teacher_is_asked_to_read_the_new_version_reads_it_and_acknowledges(page: Page, site: str, team) -> None:
    first = published(team, services.start_policy(team.school, by=team.admin))
    services.acknowledge(first, by=team.reporter)
    second = services.draft_next(first.policy, by=team.admin)
    services.change_version(second, by=team.admin, summary_of_changes="Point 1 names the new out-of-hours line.")
    second = published(team, second)

    sign_in(page, site, "reporter@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please read a new policy")
    expect(page.get_by_text("Point 1 names the new out-of-hours line.")).to_be_visible()
    expect(page.get_by_role("link", name="report an incident now")).to_be_visible()  # never in the way
    assert_accessible(page)

    page.get_by_role("link", name="Read Information security incident policy, version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Information security incident policy")
    expect(page.get_by_role("heading", name="What must I do?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="I have read this policy").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Policies")
    expect(
        page.get_by_text("Thank you: you have said you have read Information security incident policy, version 2.")
    ).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Read", exact=True)).to_be_visible()
    assert_accessible(page)
    assert Acknowledgement.objects.filter(version=second, user=team.reporter).exists()


@pytest.fixture
def appleby(transactional_db: None) -> Organisation:
    county = OrganisationFactory(name="Testshire DPO Service", kind=Organisation.Kind.DPO_SERVICE)
    school = OrganisationFactory(name="Appleby Primary School", parent=county)
    for email, role in [("manager@example.org", Role.INCIDENT_MANAGER), ("siro@example.org", Role.SIRO)]:
        Membership.objects.create(
            user=UserFactory(email=email, full_name=email.split("@")[0].title()), organisation=school, role=role
        )
    published_policy(county)  # the county's policy applies to its schools
    return school


def test_a_business_manager_asks_and_the_siro_approves_for_30_days(
    page: Page, site: str, appleby: Organisation
) -> None:
    sign_in(page, site, "manager@example.org")
    page.goto(f"{site}/policy-exceptions/ask/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for an exception to a policy")
    assert_accessible(page)
    page.get_by_label("Which point of the policy can you not follow?").select_option(
        label="Information security incident policy: 2 Keep personal data on approved school devices only."
    )
    page.get_by_label("Why can you not follow it?").fill("The music department's laptop is not a school device yet.")
    page.get_by_label("What is the risk of not following it?").fill("Pupils' names on a personal laptop could be lost.")
    page.get_by_label("What will you do instead to reduce the risk?").fill("Encrypted disk; names only.")
    page.get_by_role("button", name="Ask for the exception").click()
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()

    sign_in(page, site, "siro@example.org")
    page.goto(f"{site}/")
    if "/policies/" in page.url:  # asked once after signing in to read the policy: later
        page.goto(f"{site}/")
    page.get_by_role("link", name="Decide the request for an exception").click()
    assert_accessible(page)
    page.get_by_label("Approve it until an end date").check()
    ends = today_here() + timedelta(days=30)
    page.get_by_label("Last day the exception applies").fill(ends.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("In force")).to_be_visible()
    expect(page.get_by_text(f"{ends:%-d %B %Y}")).to_be_visible()
    assert_accessible(page)
    exception = PolicyException.objects.get()
    assert (exception.status, exception.ends_on) == (PolicyException.Status.APPROVED, ends)
    page.goto(f"{site}/policy-exceptions/")
    expect(page.get_by_role("table")).to_contain_text("Appleby Primary School")
    assert_accessible(page)
