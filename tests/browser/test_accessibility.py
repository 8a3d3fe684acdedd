"""axe-core (the engine shipped inside axe-playwright-python) on every reviewer and moderator
page: no serious or critical violation, and no unresolved aria-prohibited-attr or
color-contrast check."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from annotator import consensus
from annotator.annotations import create_annotation
from annotator.models import Claim
from tests.browser.test_reviewer_flow import log_in
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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_reviewer_pages(page, live_server, judged, theme):
    page.context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    page.goto("/accounts/login/")
    assert problems(page) == [], "login"
    log_in(page, "alice", "pw-alice")
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


def test_moderator_pages(page, judged):
    make_user("mod", groups=["Moderator"], is_staff=True)
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
