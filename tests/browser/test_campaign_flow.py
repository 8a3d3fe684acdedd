"""A campaign in headless Chromium: a moderator creates and opens it for three reviewers with
overlap 2; two reviewers disagree on a passage; the third finds it at the top of their queue
as a tie-breaker (keyboard ``n``); the campaign page shows the progress."""

import re

import pytest
from playwright.sync_api import expect

from annotator.models import Assignment, Campaign
from tests.campaign_support import judge, make_document

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    page.wait_for_load_state("load")


def log_out(page):
    page.context.clear_cookies()


def test_campaign_with_a_tie_breaker(
    page, moderator, reviewer, other_reviewer, third_reviewer, screenshot
):
    document = make_document("Harbour report", 6, title="Harbour report")
    pool = [reviewer, other_reviewer, third_reviewer]

    log_in(page, moderator.username)
    page.goto("/campaigns/new/")
    page.get_by_label("Name").fill("Harbour week")
    page.get_by_label("Harbour report").check()
    for user in pool:
        page.get_by_label(user.username, exact=True).check()
    page.get_by_label("Overlap").fill("2")
    page.get_by_label("Quorum").fill("2")
    page.get_by_label("Due").fill("2026-12-24")
    screenshot(page, "campaign-new", full_page=True)
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name=re.compile("Harbour week"))).to_be_visible()
    page.get_by_role("button", name="Open and assign").click()
    expect(page.locator("[data-status=open]")).to_be_visible()
    campaign = Campaign.objects.get(name="Harbour week")
    assert Assignment.objects.filter(campaign=campaign).count() == 2 * document.passages.count()
    log_out(page)

    # A passage whose third reviewer has regular work earlier in reading order: the
    # tie-breaker must still come first in their queue.
    by_id = {user.pk: user for user in pool}
    for passage in document.passages.order_by("index")[1:]:
        holders = set(Assignment.objects.filter(passage=passage).values_list("reviewer", flat=True))
        third = next(user for user in pool if user.pk not in holders)
        if Assignment.objects.filter(
            reviewer=third, document=document, position__lt=passage.index
        ).exists():
            break
    first, second = (by_id[pk] for pk in sorted(holders))
    judge(first, passage, 1)
    judge(second, passage, 5)
    assert Assignment.objects.get(kind="tie-breaker").reviewer_id == third.pk

    log_in(page, third.username)
    page.get_by_role("link", name="My assignments").click()
    row = page.locator("tr", has_text="Harbour report")
    expect(row).to_contain_text("Harbour week")
    expect(row.locator("td").nth(3)).to_have_text("1")  # one tie-breaker
    screenshot(page, "my-assignments")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/#p{passage.index}$"))
    expect(page.locator(f".passage.is-target[data-passage='{passage.pk}']")).to_be_visible()
    screenshot(page, "campaign-tie-breaker-next")
    judge(third, passage, 3)
    log_out(page)

    log_in(page, moderator.username)
    page.goto(f"/campaigns/{campaign.pk}/")
    expect(page.locator("[data-count=disputed]")).to_have_text("1")
    for user in pool:
        expect(
            page.locator(f"#reviewer-progress tr[data-reviewer={user.username}]")
        ).to_be_visible()
    tie_row = page.locator(f"#reviewer-progress tr[data-reviewer={third.username}]")
    expect(tie_row.locator("td").nth(2)).to_have_text("1")
    expect(page.locator("#campaign-history")).to_contain_text("campaign.tie_breaker")
    expect(page.locator("#campaign-done")).to_contain_text("3 / 13")
    screenshot(page, "campaign-page", full_page=True)

    # The moderator moves one of the first reviewer's open assignments by hand.
    from annotator.campaigns.queue import open_in_campaign

    page.get_by_role("link", name=f"Reassign… a passage of {reviewer.username}").click()
    expect(page.get_by_role("heading", name="Reassign a passage")).to_be_visible()
    first = open_in_campaign(campaign, reviewer.pk, 1)[0]
    holders = set(
        Assignment.objects.filter(campaign=campaign, passage_id=first.passage_id).values_list(
            "reviewer_id", flat=True
        )
    )
    free = next(user for user in pool if user.pk not in holders)
    page.get_by_label("Passage", exact=True).select_option(str(first.passage_id))
    page.get_by_label("To", exact=True).select_option(free.username)
    page.get_by_label("Reason", exact=True).fill("On leave until Monday")
    screenshot(page, "campaign-reassign")
    page.get_by_role("button", name="Reassign", exact=True).click()
    expect(page.locator("#campaign-history")).to_contain_text("On leave until Monday")
    assert Assignment.objects.get(pk=first.pk).reviewer_id == free.pk
