"""Selecting a span with the keyboard alone: characters are grapheme clusters, words stop at
CJK characters, the selection is announced, and Enter opens the panel on it."""

import pytest
from playwright.sync_api import expect

from annotator.importing import DocumentRecord, import_record
from tests.browser.test_reviewer_flow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

TEXT = "Mao said 🇰🇷 好戲開始嘍 now."


@pytest.fixture
def document(db):
    record = DocumentRecord(body=TEXT, origin="keys.txt", language="en", title="Keys", source="T")
    return import_record(record).document


def test_shift_and_ctrl_arrows_select_clusters_and_words(page, document, reviewer):
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_load_state("load")
    passage = page.locator(".passage").first
    passage.focus()
    status = page.locator("#selection-status")

    page.keyboard.press("Control+ArrowRight")  # caret after "Mao"
    expect(status).to_have_text("Before “ ”")
    page.keyboard.press("Control+Shift+ArrowRight")  # one word: " said"
    expect(status).to_contain_text("Selected:  said")
    page.keyboard.press("Shift+ArrowRight")  # the space
    page.keyboard.press("Shift+ArrowRight")  # the whole flag, two code points at once
    expect(status).to_contain_text("said 🇰🇷 (")
    page.keyboard.press("Enter")
    expect(page.locator("#annotation-form")).to_be_visible()
    expect(page.locator("#selection-quote")).to_have_text("said 🇰🇷")

    page.keyboard.press("Escape")
    expect(page.locator("#annotation-form")).to_be_hidden()
    passage.focus()
    for _ in range(3):  # Mao | said | (the flag is no word) stops before 好
        page.keyboard.press("Control+ArrowRight")
    expect(status).to_have_text("Before “好”")
    page.keyboard.press("Control+Shift+ArrowRight")  # CJK: a word step is one character
    expect(status).to_contain_text("Selected: 好 (1 character)")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator("#selection-quote")).to_have_text("好戲")
