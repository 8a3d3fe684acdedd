"""The reading view's list of the document's annotations: only what the reader may see, filtered
by whose, flag, reviewer and consensus status; a click scrolls to the span. Desktop and phone."""

import pytest
from playwright.sync_api import expect

from annotator.annotations import create_annotation
from tests.browser.test_reviewer_flow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

QUOTE = '"A wonderful drama is about to be staged."'
HIDDEN_NOTE_TEXT = "the volunteers"  # in a passage alice has not judged


@pytest.fixture
def annotated(seeded, reviewer, other_reviewer, third_reviewer):
    document = seeded["000"]
    start = document.body.index(QUOTE)
    for who, rating, flags in (
        (reviewer, 1, ["misattributed-quote"]),
        (other_reviewer, 1, ["misattributed-quote", "unsupported-claim"]),
        (third_reviewer, 5, []),
    ):
        create_annotation(
            reviewer=who,
            document=document,
            start=start,
            end=start + len(QUOTE),
            reliability=rating,
            flags=flags,
            evidence=["https://example.org/archive"] if flags else [],
        )
    # Bob also judges a passage alice has not: blind review hides it from her, list included.
    hidden = document.body.index(HIDDEN_NOTE_TEXT)
    create_annotation(
        reviewer=other_reviewer,
        document=document,
        start=hidden,
        end=hidden + len(HIDDEN_NOTE_TEXT),
        reliability=2,
        flags=["unsupported-claim"],
    )
    return document


def entries(page):
    return page.locator("#annotation-index-list .index-entry")


def open_index(page, document):
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_load_state("load")
    page.locator("#annotation-index > summary").click()
    expect(page.locator("#annotation-index-filters")).to_be_visible()


def test_the_list_filters_and_scrolls_to_the_span(page, annotated, screenshot):
    log_in(page, "alice", "pw-alice")
    open_index(page, annotated)
    expect(page.locator("#annotation-index-total")).to_have_text("3")
    expect(entries(page)).to_have_count(3)  # not bob's annotation on the passage alice skipped
    expect(page.locator("#annotation-index-list")).not_to_contain_text(HIDDEN_NOTE_TEXT)
    expect(page.locator("#annotation-index-summary")).to_have_text("3 annotations match.")
    screenshot(page, "annotation-index")

    page.get_by_label("Mine").check()
    expect(entries(page)).to_have_count(1)
    expect(entries(page).first).to_contain_text("You")
    page.get_by_label("All I may see").check()

    page.locator("#index-flag").select_option("misattributed-quote")
    expect(entries(page)).to_have_count(2)
    page.locator("#index-flag").select_option("unsupported-claim")
    expect(entries(page)).to_have_count(1)
    expect(entries(page).first).to_contain_text("bob")
    page.locator("#index-flag").select_option("")

    page.locator("#index-reviewer").select_option(label="chen")
    expect(entries(page)).to_have_count(1)
    page.locator("#index-reviewer").select_option("")

    page.locator("#index-status").select_option("pending")
    expect(entries(page)).to_have_count(0)
    expect(page.locator("#annotation-index-summary")).to_have_text("0 annotations match.")
    page.locator("#index-status").select_option("disputed")
    expect(entries(page)).to_have_count(3)
    page.locator("#index-status").select_option("")

    # A click scrolls to the highlighted span and shows that annotation's details.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.locator("#index-reviewer").select_option(label="chen")
    entries(page).first.click()
    mark = page.locator("#document-text mark.hl", has_text="wonderful drama").first
    expect(mark).to_be_in_viewport()
    expect(page.locator("#details-list")).to_contain_text("chen")


def test_the_list_works_on_a_phone(phone_page, annotated):
    page = phone_page()
    log_in(page, "alice", "pw-alice")
    open_index(page, annotated)
    expect(entries(page)).to_have_count(3)
    box = entries(page).first.bounding_box()
    assert box["height"] >= 44  # a tap target
    page.locator("#index-reviewer").select_option(label="bob")
    entries(page).first.click()
    mark = page.locator("#document-text mark.hl", has_text="wonderful drama").first
    expect(mark).to_be_in_viewport()
