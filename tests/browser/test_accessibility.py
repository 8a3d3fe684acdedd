"""axe-core (the engine shipped inside axe-playwright-python) on every reviewer and moderator
page: no serious or critical violation, and no unresolved aria-prohibited-attr or
color-contrast check."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from annotator import consensus
from annotator.annotations import create_annotation
from annotator.models import Claim
from tests.conftest import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_data"),
]

QUOTE = '"A wonderful drama is about to be staged."'
BLOCKING = {"serious", "critical"}
MUST_RESOLVE = {"aria-prohibited-attr", "color-contrast"}


def problems(page) -> list[str]:
    """Blocking violations and the incomplete checks that must not stay undecided."""
    results = Axe().run(page, options={"resultTypes": ["violations", "incomplete"]}).response
    found = []
    for rule in results["violations"]:
        if rule["impact"] in BLOCKING:
            targets = [node["target"] for node in rule["nodes"]][:5]
            found.append(f"{rule['id']} ({rule['impact']}): {len(rule['nodes'])} × {targets}")
    for rule in results["incomplete"]:
        if rule["id"] in MUST_RESOLVE:
            targets = [node["target"] for node in rule["nodes"]][:5]
            found.append(f"incomplete {rule['id']}: {len(rule['nodes'])} × {targets}")
    return found


@pytest.fixture
def judged(seeded, reviewer, other_reviewer, third_reviewer):
    document = seeded["000"]
    start = document.body.index(QUOTE)
    claim = Claim.objects.create(text="Mao said 'a wonderful drama is about to be staged'")
    for who, rating in ((reviewer, 1), (other_reviewer, 1), (third_reviewer, 5)):
        create_annotation(
            reviewer=who,
            document=document,
            start=start,
            end=start + len(QUOTE),
            reliability=rating,
            flags=["misattributed-quote"] if rating == 1 else [],
            evidence=["https://example.org/archive"],
            claim=claim,
        )
    return {
        "document": document,
        "claim": claim,
        "span": consensus.consensus_for_span(document, start, start + len(QUOTE)),
    }


@pytest.mark.parametrize(
    ("theme", "language"), [("light", "en"), ("dark", "en"), ("light", "zh-hant")]
)
def test_reviewer_pages(page, live_server, judged, theme, language, settings):
    page.context.add_cookies(
        [
            {"name": "theme", "value": theme, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert problems(page) == [], "login"
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("pw-alice")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".page-head h1")).to_have_text("Documents" if language == "en" else "文件")
    page.wait_for_load_state("load")
    pages = {
        "dashboard": "/",
        "claim page": f"/claims/{judged['claim'].pk}/",
        "source page": f"/sources/{judged['document'].source_id}/",
        "reading view": f"/documents/{judged['document'].pk}/",
    }
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("load")
        assert problems(page) == [], name
    # The reading view with its panel open on a passage.
    page.locator(".passage").first.focus()
    page.keyboard.press("Enter")
    page.locator("#annotation-form").wait_for()
    assert problems(page) == [], "reading view, panel open"
    # The document's annotation list, open.
    page.locator("#annotation-index > summary").click()
    page.locator("#annotation-index-list li").first.wait_for()
    assert problems(page) == [], "reading view, annotation list open"
    # The reading view with a passage's thread open inline, holding one's own comment (with its
    # edit and delete controls).
    from annotator.discussion.services import post_comment
    from annotator.models import Consensus, User

    group = Consensus.objects.get(kind="passage", document=judged["document"])
    post_comment(author=User.objects.get(username="alice"), consensus=group, body="@bob why?")
    page.goto(pages["reading view"])
    page.locator(f"a.badge-thread[data-thread='{group.pk}']").click()
    page.locator(".inline-thread .comment-edit").wait_for()
    assert problems(page) == [], "reading view, thread open"


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_moderator_pages(page, live_server, judged, language, settings, screenshot):
    make_user("mod", groups=["Moderator"], is_staff=True)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/admin/login/")
    page.fill("#id_username", "mod")
    page.fill("#id_password", "pw-mod")
    page.click("input[type=submit]")
    page.wait_for_load_state("load")
    for name, url in {
        "queue": reverse("admin:annotator_moderation_queue"),
        "workbench": reverse("admin:annotator_consensus_adjudicate", args=[judged["span"].pk]),
    }.items():
        page.goto(url)
        page.wait_for_load_state("load")
        assert problems(page) == [], name
        if language == "en":
            screenshot(page, {"queue": "moderation-queue", "workbench": "workbench"}[name])
