"""Promises of the reading view on a phone and a desktop: the panel next to the text, no
pre-selected rating, a hint for flags that need evidence, "Saved." in view, undo after
withdrawing, and a dark theme that persists."""

import re

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, AnnotationStatus
from tests.browser.test_reviewer_flow import log_in, select_with_mouse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

QUOTE = "A wonderful drama is about to be staged."


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
        }""",
        selector,
    )


def test_on_a_phone_the_panel_opens_beside_the_text_and_undo_restores(
    page, seeded, reviewer, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{seeded['000'].pk}/")
    page.wait_for_load_state("load")
    select_with_mouse(page, QUOTE)
    # The panel is a sheet on screen, not ~6,000 px below the document.
    screenshot(page, "phone-reading-view")
    assert in_viewport(page, "#save-button")

    # Nothing is pre-selected: saving flags alone needs an explicit "No rating".
    assert page.locator("input[name='reliability']:checked").count() == 0
    page.get_by_role("checkbox", name=re.compile("Misattributed")).check()
    hint = page.locator("#evidence-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("misattributed-quote needs evidence")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("#error-reliability")).to_contain_text("Choose a rating")
    assert Annotation.objects.count() == 0

    page.get_by_role("radio", name=re.compile("No rating")).check()
    page.get_by_label(re.compile("^Evidence")).fill("doi:10.1017/S0305741000000000")
    expect(hint).to_be_hidden()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("#form-status")).to_have_text("Saved.")
    assert in_viewport(page, "#form-status")
    saved = Annotation.objects.get(reviewer=reviewer)
    assert saved.reliability is None and saved.evidence == ["doi:10.1017/S0305741000000000"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#withdraw-button").click()
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    saved.refresh_from_db()
    assert saved.status == AnnotationStatus.WITHDRAWN
    undo.click()
    expect(page.locator("#panel-intro")).to_contain_text("Restored")
    restored = Annotation.objects.get(reviewer=reviewer, status=AnnotationStatus.ACTIVE)
    assert (restored.start, restored.end, restored.evidence) == (
        saved.start,
        saved.end,
        saved.evidence,
    )
    assert [flag.slug for flag in restored.flags.all()] == ["misattributed-quote"]


def test_the_dashboard_table_scrolls_on_a_phone(page, seeded, reviewer):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "alice", "pw-alice")
    expect(page.locator(".table-scroll-hint")).to_be_visible()
    scrollable = page.evaluate(
        "() => { const w = document.querySelector('.table-scroll');"
        " return w.scrollWidth > w.clientWidth && getComputedStyle(w).overflowX === 'auto'; }"
    )
    assert scrollable


def test_dark_theme_toggles_and_persists(page, seeded, reviewer):
    log_in(page, "alice", "pw-alice")
    light = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    toggle = page.get_by_role("button", name=re.compile("^Theme"))
    toggle.click()
    expect(toggle).to_have_text("Theme: dark")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark != light
    page.reload()
    # Rendered by the server from the cookie: dark at once on the next page.
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.get_by_role("button", name=re.compile("^Theme")).click()  # → light
    page.get_by_role("button", name=re.compile("^Theme")).click()  # → system
    page.reload()
    assert page.evaluate("() => document.documentElement.dataset.theme") is None
