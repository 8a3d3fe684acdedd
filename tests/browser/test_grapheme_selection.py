"""The reading view widens a selection that cuts a grapheme cluster to the whole cluster."""

import re

import pytest
from playwright.sync_api import expect

from annotator.importing import DocumentRecord, import_record
from annotator.models import Annotation
from tests.browser.test_reviewer_flow import log_in, save_and_wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

FLAG = "\U0001f1f0\U0001f1f7"  # 🇰🇷
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
BODY = f"Seoul {FLAG} is the flag.\n\nThe family {FAMILY} waves."


@pytest.fixture
def document(migration_data):
    return import_record(DocumentRecord(body=BODY, origin="graphemes")).document


def select_utf16(page, text_before: str, units: int):
    """Select from the start of the passage's text ``text_before`` plus ``units`` UTF-16 units:
    a DOM selection may end anywhere, also between the two halves of a flag."""
    page.evaluate(
        """([before, units]) => {
            for (const passage of document.querySelectorAll("#document-text .passage")) {
                const at = passage.textContent.indexOf(before);
                if (at === -1) continue;
                const node = passage.firstChild;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + before.length + units);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                return;
            }
            throw new Error("text not found");
        }""",
        [text_before, units],
    )


def test_mouse_selection_over_half_a_flag_is_snapped_to_the_whole_flag(page, document, reviewer):
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_load_state("load")
    # "Seoul " plus the first regional indicator (2 UTF-16 units) of the two.
    select_utf16(page, "Seoul ", 2)
    # Chromium paints whole clusters, but the DOM range it hands to scripts ends mid-flag.
    assert page.evaluate("window.getSelection().getRangeAt(0).toString()") == "Seoul \U0001f1f0"
    page.evaluate("document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, button: 0}))")
    expect(page.locator("#selection-quote")).to_have_text(f"Seoul {FLAG}")
    page.get_by_role("radio", name=re.compile("Mostly reliable")).check()
    save_and_wait(page)
    saved = Annotation.objects.get(reviewer=reviewer)
    assert saved.exact == f"Seoul {FLAG}"
    assert (saved.start, saved.end) == (0, len(f"Seoul {FLAG}"))


def test_keyboard_selection_inside_a_family_is_snapped_to_the_whole_family(
    page, document, reviewer
):
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{document.pk}/")
    page.wait_for_load_state("load")
    # "The family " plus the man and the zero-width joiner: one member of the family.
    select_utf16(page, "The family ", 3)
    page.keyboard.press("a")  # shortcut: annotate the selection
    expect(page.locator("#selection-quote")).to_have_text(f"The family {FAMILY}")
    page.keyboard.press("3")
    save_and_wait(page)
    saved = Annotation.objects.get(reviewer=reviewer)
    assert saved.exact == f"The family {FAMILY}"
