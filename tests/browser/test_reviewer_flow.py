"""The reviewer web UI in headless Chromium: select, rate, flag, link claims, blind review."""

import re

import pytest
from playwright.sync_api import expect

from annotator.annotations import create_annotation
from annotator.models import Annotation, AnnotationStatus, Claim

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

EN_SENTENCE = 'he calmly told the staff: "A wonderful drama is about to be staged."'
ZH_QUOTE = "好戲開始嘍"


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    # Keyboard shortcuts are bound by deferred scripts: wait for them before pressing keys.
    page.wait_for_load_state("load")


def select_with_mouse(page, text, occurrence=0):
    """Drag the mouse over ``text`` (its ``occurrence``-th appearance in the document text)."""
    box = page.evaluate(
        """([text, occurrence]) => {
            const passages = Array.from(document.querySelectorAll("#document-text .passage"));
            let seen = 0;
            for (const passage of passages) {
                let from = passage.textContent.indexOf(text);
                while (from !== -1) {
                    if (seen === occurrence) {
                        const walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT);
                        const point = (offset) => {
                            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                                if (offset < n.data.length) return [n, offset];
                                offset -= n.data.length;
                            }
                        };
                        const [startNode, startOffset] = point(from);
                        walker.currentNode = passage;
                        const [endNode, endOffset] = point(from + text.length - 1);
                        const first = document.createRange();
                        first.setStart(startNode, startOffset);
                        first.setEnd(startNode, startOffset + 1);
                        const last = document.createRange();
                        last.setStart(endNode, endOffset);
                        last.setEnd(endNode, endOffset + 1);
                        passage.scrollIntoView({block: "center", behavior: "instant"});
                        const a = first.getBoundingClientRect();
                        const b = last.getBoundingClientRect();
                        return {x1: a.left + 1, y1: a.top + a.height / 2,
                                x2: b.right - 1, y2: b.top + b.height / 2};
                    }
                    seen += 1;
                    from = passage.textContent.indexOf(text, from + 1);
                }
            }
            return null;
        }""",
        [text, occurrence],
    )
    assert box, f"{text!r} not found in the document"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()
    expect(page.locator("#annotation-form")).to_be_visible()
    expect(page.locator("#selection-quote")).to_have_text(text)


def save_and_wait(page):
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("#form-status")).to_have_text("Saved.")


def test_flag_the_mao_quote_in_english_and_chinese_and_link_one_claim(
    page, seeded, reviewer, screenshot
):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    screenshot(page, "login")
    log_in(page, "alice", "pw-alice")
    screenshot(page, "dashboard")

    # Document 000 (English): select the sentence with the quotation.
    page.get_by_role("link", name=re.compile("Chairman Mao laughed")).click()
    expect(page.locator("#doc-title")).to_contain_text("Kim Il Sung")
    page.wait_for_load_state("load")
    select_with_mouse(page, EN_SENTENCE)
    page.keyboard.press("1")  # shortcut: rating 1
    expect(page.get_by_role("radio", name=re.compile("Fabricated"))).to_be_checked()
    page.get_by_role("checkbox", name=re.compile("Misattributed")).check()
    page.get_by_label("Note").fill("No source for this Mao quotation.")
    page.get_by_label(re.compile("^Evidence")).fill("https://example.org/mao-quote-check")
    claim_box = page.get_by_role("combobox", name=re.compile("^Claim"))
    claim_box.fill("Mao said 'a wonderful drama is about to be staged' (1958)")
    page.get_by_role("button", name=re.compile("^Create claim")).click()
    expect(page.locator("#claim-chosen-link")).to_contain_text("wonderful drama")
    page.evaluate(
        """() => {
            document.querySelector(".panel-inner").scrollTop = 0;
            const passage = document.querySelector("#p3");
            window.scrollTo({top: passage.offsetTop - 40, behavior: "instant"});
        }"""
    )
    screenshot(page, "reading-view-panel")
    save_and_wait(page)

    english = Annotation.objects.get(reviewer=reviewer, document=seeded["000"])
    assert english.exact == EN_SENTENCE
    assert english.reliability == 1
    assert [flag.slug for flag in english.flags.all()] == ["misattributed-quote"]
    assert english.evidence == ["https://example.org/mao-quote-check"]
    claim = english.claim
    assert claim is not None and "wonderful drama" in claim.text
    own_mark = page.locator(f"mark.hl-own[data-ann~='{english.pk}']")
    expect(own_mark.first).to_be_visible()

    # Document 001 (Chinese): flag 好戲開始嘍 in the body and link it to the same claim.
    page.goto(f"/documents/{seeded['001'].pk}/")
    expect(page.locator("#document-text .passage").first).to_have_attribute("lang", "zh-Hant")
    select_with_mouse(page, ZH_QUOTE, occurrence=1)
    page.keyboard.press("f")  # shortcut: to the flags
    expect(page.locator("input[name='flags']").first).to_be_focused()
    page.get_by_role("checkbox", name=re.compile("Misattributed")).check()
    page.keyboard.press("1")
    claim_box = page.get_by_role("combobox", name=re.compile("^Claim"))
    claim_box.fill("wonderful drama")
    option = page.get_by_role("option", name=re.compile("wonderful drama"))
    option.click()
    expect(page.locator("#claim-chosen-link")).to_contain_text("wonderful drama")
    save_and_wait(page)

    chinese = Annotation.objects.get(reviewer=reviewer, document=seeded["001"])
    assert chinese.exact == ZH_QUOTE
    assert chinese.claim_id == claim.pk
    assert chinese.start == seeded["001"].body.index(
        ZH_QUOTE, seeded["001"].body.index(ZH_QUOTE) + 1
    )

    # The claim page shows both spans, in both languages.
    page.goto(f"/claims/{claim.pk}/")
    spans = page.locator(".span-item mark")
    expect(spans).to_have_count(2)
    expect(spans.nth(0)).to_have_text(EN_SENTENCE)
    expect(spans.nth(1)).to_have_text(ZH_QUOTE)
    expect(page.locator(".claim-doc h3 a").nth(1)).to_have_attribute("lang", "zh-Hant")
    expect(page.locator("#consensus-title")).to_be_visible()
    screenshot(page, "claim-page", full_page=True)


def test_blind_review_hides_others_until_own_is_saved(page, seeded, reviewer, other_reviewer):
    document = seeded["000"]
    start = document.body.index(EN_SENTENCE)
    theirs = create_annotation(
        reviewer=other_reviewer,
        document=document,
        start=start,
        end=start + len(EN_SENTENCE),
        reliability=2,
        note="Bob thinks this is invented.",
    )
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{document.pk}/")
    expect(page.locator("#document-text mark.hl-other")).to_have_count(0)
    expect(page.get_by_text("Bob thinks this is invented.")).to_have_count(0)

    # Keyboard only: focus the passage with the quote, Enter selects it whole, 3 rates, save.
    passage = page.locator("#document-text .passage", has_text="wonderful drama")
    passage.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#annotation-form")).to_be_visible()
    page.keyboard.press("3")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#form-status")).to_have_text("Saved.")

    # Without a page reload the other reviewer's annotation now shows, with their note.
    other_mark = page.locator(f"mark.hl-other[data-ann~='{theirs.pk}']").first
    expect(other_mark).to_be_visible()
    page.keyboard.press("Escape")
    other_mark.click()
    expect(page.locator("#details-list")).to_contain_text("Bob thinks this is invented.")
    expect(page.locator("#details-list")).to_contain_text("bob")
    mine = Annotation.objects.get(reviewer=reviewer, document=document)
    assert (mine.reliability, mine.exact) == (3, document.body[mine.start : mine.end])
    assert mine.passage_id == theirs.passage_id


def test_rejected_input_keeps_what_was_typed_then_edit_and_withdraw(page, seeded, reviewer):
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{seeded['000'].pk}/")
    select_with_mouse(page, "A wonderful drama is about to be staged.")
    page.get_by_label("Note").fill("Keep this note 😀 好戲")
    page.get_by_label(re.compile("^Evidence")).fill("ftp://example.org/not-allowed")
    page.get_by_role("button", name=re.compile("^Save")).click()

    # Two server-side refusals: no judgment given, or a bad evidence URL; each names the field.
    errors = page.locator("#form-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text(re.compile("Reliability|Evidence"))
    expect(page.get_by_label("Note")).to_have_value("Keep this note 😀 好戲")
    assert Annotation.objects.count() == 0

    page.get_by_role("radio", name=re.compile("Unreliable")).check()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("#error-evidence")).to_contain_text("http(s) URL")
    expect(page.get_by_label(re.compile("^Evidence"))).to_have_value(
        "ftp://example.org/not-allowed"
    )
    page.get_by_label(re.compile("^Evidence")).fill("https://example.org/ok")
    save_and_wait(page)
    saved = Annotation.objects.get(reviewer=reviewer)
    assert saved.note == "Keep this note 😀 好戲" and saved.reliability == 2

    # Edit (PATCH with If-Match): the panel now edits the saved annotation.
    expect(page.locator("#panel-title")).to_have_text("Edit your annotation")
    page.get_by_role("radio", name=re.compile("Mostly reliable")).check()
    save_and_wait(page)
    saved.refresh_from_db()
    assert (saved.reliability, saved.version) == (4, 2)

    # Withdraw, confirming the browser dialog.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#withdraw-button").click()
    expect(page.locator(f"mark[data-ann~='{saved.pk}']")).to_have_count(0)
    saved.refresh_from_db()
    assert saved.status == AnnotationStatus.WITHDRAWN


def test_queue_and_help_shortcuts(page, seeded, reviewer):
    log_in(page, "alice", "pw-alice")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(rf"/documents/{seeded['000'].pk}/#p0$"))
    expect(page.locator("#p0 .passage")).to_have_class(re.compile("is-target"))
    assert page.evaluate("document.activeElement.dataset.index") == "0"
    page.keyboard.press("n")  # next after the focused passage
    expect(page).to_have_url(re.compile(rf"/documents/{seeded['000'].pk}/#p1$"))
    assert Claim.objects.count() == 0
