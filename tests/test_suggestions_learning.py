"""Learning from reviewers: weak suggestions hidden, noisy detectors muted, dismissals shared."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.importing import DocumentRecord, import_record
from annotator.models import Suggestion
from annotator.suggestions.decisions import accept_suggestion, dismiss_suggestion

from .conftest import make_user


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()


def listed(user, document) -> set[int]:
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/v1/suggestions/", {"document": document.pk})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def document(db):
    body = 'A title\nMarshal *** said: "We attack at dawn." Officer ** and ○○ agreed.\n'
    return import_record(DocumentRecord(body=body, origin="learn.txt", language="en")).document


def test_weak_suggestions_are_hidden_by_the_threshold(document, reviewer, settings):
    weak = Suggestion.objects.filter(document=document).first()
    Suggestion.objects.filter(pk=weak.pk).update(confidence=0.2)
    assert weak.pk not in listed(reviewer, document)
    settings.ANNOTATOR = {**settings.ANNOTATOR, "SUGGESTION_MIN_CONFIDENCE": 0.1}
    assert weak.pk in listed(reviewer, document)


def test_dismissals_by_several_reviewers_suppress_it_for_others(document, reviewer, settings):
    settings.ANNOTATOR = {**settings.ANNOTATOR, "SUGGESTION_SUPPRESS_DISMISSALS": 2}
    target = Suggestion.objects.filter(document=document, detector="redacted-name").first()
    first, second = make_user("d1"), make_user("d2")
    dismiss_suggestion(target, first)
    assert target.pk in listed(reviewer, document)  # one dismissal is not enough
    dismiss_suggestion(target, second)
    assert target.pk not in listed(reviewer, document)
    assert target.pk in listed(first, document)  # a reviewer still sees their own decision


def test_a_detector_with_low_acceptance_is_muted_per_language_and_shown_to_moderators(
    document, reviewer, moderator, client, settings
):
    settings.ANNOTATOR = {
        **settings.ANNOTATOR,
        "SUGGESTION_MUTE_MIN_DECISIONS": 3,
        "SUGGESTION_MUTE_BELOW": 0.5,
        "SUGGESTION_SUPPRESS_DISMISSALS": 99,
    }
    masks = list(Suggestion.objects.filter(document=document, detector="redacted-name"))
    assert len(masks) == 3
    chinese = import_record(
        DocumentRecord(body="標題\n王○○表示同意。", origin="zh.txt", language="zh-Hant")
    ).document
    zh_mask = Suggestion.objects.get(document=chinese, detector="redacted-name")
    judges = [make_user(f"judge{i}") for i in range(3)]
    accept_suggestion(masks[0], judges[0])
    dismiss_suggestion(masks[1], judges[1])
    dismiss_suggestion(masks[2], judges[2])
    assert not {m.pk for m in masks} & listed(reviewer, document)  # 1/3 < 0.5: muted in en
    assert zh_mask.pk in listed(reviewer, chinese)  # not in zh-Hant
    client.force_login(moderator)
    page = client.get(reverse("admin:annotator_moderation_queue")).content.decode()
    assert 'class="muted-detector"><td>redacted-name</td><td>en</td>' in page
