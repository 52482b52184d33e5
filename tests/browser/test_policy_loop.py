"""The policy loop in a browser, with axe-core on each policy page.

Acknowledging: a teacher signs in after a new version of the policy is published, is asked to
read it, reads it and says so.
"""

import pytest
from playwright.sync_api import Page, expect

from policies import services
from policies.models import Acknowledgement

from ..lifecycle_helpers import make_team
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
