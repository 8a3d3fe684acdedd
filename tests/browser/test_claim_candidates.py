"""Claim matching in the browser: link the English Mao quotation, then its Chinese twin."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotator.importing import import_paths
from annotator.models import Annotation, Document

from ..conftest import SEEDS
from .test_reviewer_flow import EN_SENTENCE, ZH_QUOTE, log_in, save_and_wait, select_with_mouse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]


@pytest.fixture
def embedded_seeds(settings) -> dict[str, Document]:
    settings.ANNOTATOR = {**settings.ANNOTATOR, "CLAIM_EMBED_ON_IMPORT": True}
    assert not import_paths([SEEDS]).failed
    call_command("run_worker", "--until-empty")  # the embedding jobs the import enqueued
    return {doc.origin[:3]: doc for doc in Document.objects.all()}


def test_link_the_english_quote_then_link_the_proposed_chinese_one_in_one_click(
    page, embedded_seeds, reviewer, screenshot
):
    seeds = embedded_seeds
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{seeds['000'].pk}/")
    page.wait_for_load_state("load")
    select_with_mouse(page, EN_SENTENCE)
    page.keyboard.press("1")
    page.get_by_role("combobox", name=re.compile("^Claim")).fill(
        "Mao said 'a wonderful drama is about to be staged' (1958)"
    )
    page.get_by_role("button", name=re.compile("^Create claim")).click()
    expect(page.locator("#claim-chosen-link")).to_contain_text("wonderful drama")
    save_and_wait(page)
    claim = Annotation.objects.get(reviewer=reviewer, document=seeds["000"]).claim

    # The claim page proposes the Chinese sentence, with its score.
    page.goto(f"/claims/{claim.pk}/")
    proposal = page.locator("li.candidate[data-language='zh-Hant']", has_text=ZH_QUOTE).first
    expect(proposal).to_be_visible()
    expect(proposal.locator(".candidate-score")).to_contain_text("score 0.")
    screenshot(page, "claim-candidates", full_page=True)

    # One click: link it with rating 1.
    proposal.get_by_role("button", name="1", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Linked to this claim.")
    expect(page.locator(".claim-doc mark", has_text=ZH_QUOTE)).to_be_visible()
    chinese = Annotation.objects.get(reviewer=reviewer, document=seeds["001"])
    assert chinese.claim_id == claim.pk and ZH_QUOTE in chinese.exact
    assert chinese.reliability == 1


def test_a_proposal_opens_the_passage_with_the_span_selected_and_the_claim_chosen(
    page, embedded_seeds, reviewer
):
    from annotator.annotations import create_annotation
    from annotator.models import Claim

    seeds = embedded_seeds
    claim = Claim.objects.create(text="Mao said a wonderful drama was about to be staged")
    start = seeds["000"].body.index("A wonderful drama is about to be staged.")
    create_annotation(
        reviewer=reviewer, document=seeds["000"], start=start, end=start + 40, reliability=1,
        claim=claim,
    )  # fmt: skip
    log_in(page, "alice", "pw-alice")
    page.goto(f"/claims/{claim.pk}/")
    proposal = page.locator("li.candidate[data-language='zh-Hant']", has_text=ZH_QUOTE).first
    exact = proposal.locator("blockquote").inner_text()
    proposal.locator("a.candidate-open").click()
    expect(page.locator("#annotation-form")).to_be_visible()
    expect(page.locator("#selection-quote")).to_have_text(exact)
    expect(page.locator("#claim-chosen-link")).to_contain_text("wonderful drama")
    page.keyboard.press("2")
    save_and_wait(page)
    linked = Annotation.objects.get(reviewer=reviewer, document=seeds["001"])
    assert linked.claim_id == claim.pk and linked.exact == exact and linked.reliability == 2


def test_the_panel_picker_proposes_the_english_claim_for_the_chinese_quote(
    page, seeded, reviewer, other_reviewer, screenshot
):
    from annotator.models import Claim

    # Claims about other things, so that the picker has to rank.
    for text in (
        "The unemployment rate fell to 3.5% in March",
        "The Great Wall of China is visible from space",
        "Drinking coffee every day prevents heart disease",
    ):
        Claim.objects.create(text=text, language="en", created_by=other_reviewer)
    log_in(page, "alice", "pw-alice")

    # Document 000: flag the English quotation and create its claim.
    page.goto(f"/documents/{seeded['000'].pk}/")
    page.wait_for_load_state("load")
    select_with_mouse(page, EN_SENTENCE)
    page.keyboard.press("1")
    page.get_by_role("checkbox", name=re.compile("Misattributed")).check()
    page.get_by_role("combobox", name=re.compile("^Claim")).fill(
        "A wonderful drama is about to be staged"
    )
    page.get_by_role("button", name=re.compile("^Create claim")).click()
    expect(page.locator("#claim-chosen-link")).to_contain_text("wonderful drama")
    save_and_wait(page)
    claim = Annotation.objects.get(reviewer=reviewer, document=seeded["000"]).claim

    # Document 001: select 好戲開始嘍; the picker proposes the English claim first, with a score.
    page.goto(f"/documents/{seeded['001'].pk}/")
    page.wait_for_load_state("load")
    select_with_mouse(page, ZH_QUOTE, occurrence=1)
    page.keyboard.press("1")
    proposals = page.locator("#claim-proposed-list button")
    # The server loads the encoder's weights on its first request (seconds on a busy machine).
    expect(proposals.first).to_contain_text(
        "A wonderful drama is about to be staged", timeout=120_000
    )
    score = proposals.first.locator(".candidate-score")
    expect(score).to_contain_text(re.compile(r"score 0\.\d\d"))
    expect(proposals).to_have_count(4)
    page.locator("#field-claim").scroll_into_view_if_needed()
    screenshot(page, "claim-picker-proposals")

    # By keyboard: from the search box, ↓ to the first proposal, Enter to choose it.
    page.get_by_role("combobox", name=re.compile("^Claim")).focus()
    page.keyboard.press("ArrowDown")
    expect(proposals.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#claim-chosen-link")).to_have_text(claim.text)
    expect(page.locator("#claim-proposed")).to_be_hidden()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#form-status")).to_have_text("Saved.")

    chinese = Annotation.objects.get(reviewer=reviewer, document=seeded["001"])
    assert chinese.claim_id == claim.pk and chinese.exact == ZH_QUOTE

    # The claim page lists both spans.
    page.goto(f"/claims/{claim.pk}/")
    spans = page.locator(".span-item mark")
    expect(spans).to_have_count(2)
    expect(spans.nth(0)).to_have_text(EN_SENTENCE)
    expect(spans.nth(1)).to_have_text(ZH_QUOTE)
