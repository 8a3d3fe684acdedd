"""Two reviewers disagree, discuss it in the passage's thread with a mention, and the
mentioned reviewer sees the notification under the bell."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from annotator.annotations import create_annotation
from annotator.models import Document
from annotator.notifications.models import Notification
from tests.conftest import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

QUOTE = "A wonderful drama is about to be staged"


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()


def log_out(page):
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()


def test_disagree_discuss_mention_and_the_notification_arrives(page, seeded):
    alice = make_user("alice", groups=["Reviewer"])
    bob = make_user("bob", groups=["Reviewer"])
    doc = Document.objects.get(pk=seeded["000"].pk)
    start = doc.body.index(QUOTE)
    for reviewer, rating in ((alice, 1), (bob, 5)):  # they disagree
        create_annotation(
            reviewer=reviewer, document=doc, start=start, end=start + len(QUOTE), reliability=rating
        )

    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{doc.pk}/")
    # No comment yet, so the panel's list of discussions is empty: the Discuss badge leads there.
    page.goto(page.locator("a.badge-thread").first.get_attribute("href"))
    expect(page.get_by_role("heading", name="Discussion")).to_be_visible()
    page.get_by_label("Comment (plain text; @username mentions someone)").fill(
        "@bob I rated it 1: the quote has no source. Why a 5?"
    )
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body")).to_contain_text("the quote has no source")
    thread_url = page.url.split("#")[0]
    log_out(page)

    call_command("run_worker", "--until-empty")  # the worker sends it, not the request
    assert Notification.objects.filter(recipient=bob, kind="mention").count() == 1

    log_in(page, "bob", "pw-bob")
    bell = page.get_by_test_id("bell")
    expect(bell).to_have_accessible_name("Notifications: 1 unread")
    bell.click()
    page.get_by_role("link", name="alice mentioned you").click()
    assert page.url.split("#")[0] == thread_url
    expect(page.locator(".comment-body")).to_contain_text("Why a 5?")


def test_the_thread_opens_inline_in_the_reading_view_and_the_author_edits_and_deletes(page, seeded):
    alice = make_user("alice", groups=["Reviewer"])
    bob = make_user("bob", groups=["Reviewer"])
    doc = Document.objects.get(pk=seeded["000"].pk)
    start = doc.body.index(QUOTE)
    for reviewer, rating in ((alice, 2), (bob, 4)):
        create_annotation(
            reviewer=reviewer, document=doc, start=start, end=start + len(QUOTE), reliability=rating
        )

    log_in(page, "alice", "pw-alice")
    page.goto(f"/documents/{doc.pk}/")
    reading_url = page.url
    toggle = page.locator("a.badge-thread").first
    expect(toggle).to_contain_text("Discuss")
    toggle.click()
    thread = page.locator(".inline-thread")
    expect(thread.get_by_role("heading", name="Discussion")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(thread.get_by_label("Comment (plain text; @username mentions someone)")).to_be_focused()
    thread.get_by_label("Comment (plain text; @username mentions someone)").fill(
        "@bob a 4 seems generous: no source is named."
    )
    thread.get_by_role("button", name="Post comment").click()
    expect(thread.locator(".comment-body")).to_contain_text("no source is named")
    assert page.url == reading_url  # posted in place, the reader stays where they were
    expect(toggle).to_contain_text("· 1")  # the badge counts it

    thread.locator("summary", has_text="Edit").click()
    thread.get_by_label("Your comment").fill("@bob a 4 seems generous: the quote has no source.")
    thread.get_by_role("button", name="Save changes").click()
    expect(thread.locator(".comment-body")).to_contain_text("the quote has no source")
    expect(thread.locator(".comment .meta").first).to_contain_text("edited")

    thread.get_by_role("button", name=re.compile(r"^Delete comment #\d+$")).click()
    expect(thread.locator(".comment")).to_contain_text("(deleted by its author)")
    expect(thread.locator(".comment-body")).to_have_count(0)
    assert page.url == reading_url

    toggle.click()  # closes it
    expect(page.locator(".inline-thread")).to_have_count(0)
    expect(toggle).to_have_attribute("aria-expanded", "false")
