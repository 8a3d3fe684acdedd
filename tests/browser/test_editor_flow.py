"""An editor in headless Chromium: upload an HTML page, check the preview, save, find it
through search, open it and annotate it."""

import re

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, Document
from tests import document_files as files
from tests.conftest import make_user

from .test_reviewer_flow import log_in, save_and_wait, select_with_mouse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

SENTENCE = "Engineers told the council that the 1887 bridge could no longer carry delivery lorries"


def test_editor_uploads_previews_saves_finds_and_annotates(page, tmp_path, screenshot):
    editor = make_user("edna", groups=["Editor", "Reviewer"])
    upload = tmp_path / "millford-bridge.html"
    upload.write_bytes(files.news_page())
    log_in(page, "edna", "pw-edna")

    page.get_by_role("link", name="Add a document").click()
    expect(page.get_by_role("heading", name="Add a document")).to_be_visible()
    page.get_by_label("Or upload a file").set_input_files(str(upload))
    screenshot(page, "add-document")
    page.get_by_role("button", name="Preview").click()

    # The preview: metadata found by trafilatura, the passages, nothing stored yet.
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    metadata = page.locator(".preview-meta")
    expect(metadata).to_contain_text("Jane Porter")
    expect(metadata).to_contain_text("2024-05-14")
    expect(metadata).to_contain_text("The Valley Courier")
    expect(page.locator(".preview-passages")).to_contain_text("Heritage Society")
    expect(page.locator(".preview-passages")).not_to_contain_text("Accept all cookies")
    assert not Document.objects.exists()
    page.get_by_label("Title").fill("Millford bridge vote")
    page.get_by_label("Source").fill("Valley Courier")
    screenshot(page, "add-document-preview", full_page=True)
    page.get_by_role("button", name="Save document").click()

    expect(page.locator("#doc-title")).to_have_text("Millford bridge vote")
    document = Document.objects.get()
    assert document.snapshot is not None and document.source.name == "Valley Courier"
    expect(page.get_by_role("link", name="view original")).to_be_visible()

    # Found through the dashboard search, with the words highlighted, linking to the passage.
    page.goto("/")
    page.get_by_role("searchbox", name="Search").fill("delivery lorries")
    page.get_by_role("button", name="Filter").click()
    snippet = page.locator(".snippet").first
    expect(snippet.locator("mark")).to_have_text("delivery lorries")
    screenshot(page, "search-results")
    snippet.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/documents/{document.pk}/#p\d+$"))
    page.wait_for_load_state("load")

    select_with_mouse(page, SENTENCE)
    page.keyboard.press("4")
    page.get_by_label("Note").fill("Checked against the council minutes.")
    save_and_wait(page)
    annotation = Annotation.objects.get(reviewer=editor, document=document)
    assert annotation.exact == SENTENCE and annotation.reliability == 4
